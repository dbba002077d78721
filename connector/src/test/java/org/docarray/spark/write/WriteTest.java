package org.docarray.spark.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.docarray.spark.testing.SidecarAssert;
import org.docarray.spark.testing.SparkTestBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * df.write.format("docarray"): protocols, codecs, save modes, partitionBy; read back and compared.
 */
class WriteTest extends SparkTestBase {
  @TempDir Path tmp;

  static List<String> dataFiles(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile)
          .map(p -> dir.relativize(p).toString())
          .filter(
              n ->
                  !n.startsWith("_")
                      && !n.contains("/_")
                      && !n.startsWith(".")
                      && !n.contains("/."))
          .sorted()
          .collect(Collectors.toList());
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "protobuf, none",
    "protobuf, lz4",
    "protobuf, bz2",
    "protobuf, lzma",
    "protobuf, zlib",
    "protobuf, gzip",
    "protobuf-array, none",
    "protobuf-array, lz4",
    "protobuf-array, bz2",
    "protobuf-array, lzma",
    "protobuf-array, zlib",
    "protobuf-array, gzip"
  })
  void roundTripsEveryProtocolAndCodec(String protocol, String codec) throws IOException {
    Dataset<Row> in = read("students.protobuf");
    Path out = tmp.resolve("out");
    in.coalesce(1)
        .write()
        .format("docarray")
        .option("protocol", protocol)
        .option("compression", codec)
        .save(out.toString());
    List<String> files = dataFiles(out);
    assertEquals(1, files.size(), files.toString());
    String ext = "." + protocol + (codec.equals("none") ? "" : "." + codec);
    assertTrue(
        files.get(0).matches("part-00000-[0-9a-f-]+-c000" + java.util.regex.Pattern.quote(ext)),
        files.get(0));
    Dataset<Row> back = spark().read().format("docarray").load(out.toString());
    assertEquals(in.schema(), back.schema(), "same schema after the round trip");
    SidecarAssert.assertRowsMatch(
        back.schema(),
        back.orderBy("id").collectAsList(),
        SidecarAssert.sidecarOf("students.protobuf").get("docs"));
  }

  @Test
  void saveModes() throws IOException {
    Dataset<Row> in = read("students.protobuf");
    Path out = tmp.resolve("modes");
    in.write().format("docarray").save(out.toString());
    assertThrows(
        Exception.class, () -> in.write().format("docarray").save(out.toString()), "errorifexists");
    in.write().format("docarray").mode(SaveMode.Ignore).save(out.toString());
    assertEquals(3, spark().read().format("docarray").load(out.toString()).count());
    in.write().format("docarray").mode(SaveMode.Append).save(out.toString());
    assertEquals(6, spark().read().format("docarray").load(out.toString()).count());
    in.limit(1).write().format("docarray").mode(SaveMode.Overwrite).save(out.toString());
    assertEquals(1, spark().read().format("docarray").load(out.toString()).count());
  }

  @Test
  void partitionByWritesHiveDirectoriesThatReadBack() throws IOException {
    Dataset<Row> in = read("pages.protobuf");
    Path out = tmp.resolve("parts");
    in.write().format("docarray").partitionBy("page_no").save(out.toString());
    assertTrue(
        dataFiles(out).stream().allMatch(f -> f.startsWith("page_no=")), dataFiles(out).toString());
    Dataset<Row> back = spark().read().format("docarray").load(out.toString());
    assertEquals(3, back.count());
    assertEquals(2, back.filter("page_no = 1").selectExpr("size(chunks)").first().getInt(0));
  }

  @Test
  void maxRecordsPerFileSplitsOutput() throws IOException {
    Path out = tmp.resolve("max");
    read("scalars.protobuf")
        .coalesce(1)
        .write()
        .format("docarray")
        .option("maxRecordsPerFile", "3")
        .save(out.toString());
    assertEquals(3, dataFiles(out).size());
    assertEquals(8, spark().read().format("docarray").load(out.toString()).count());
  }

  @Test
  void idIsGeneratedWhenTheRowHasNone() throws IOException {
    Path out = tmp.resolve("ids");
    spark().sql("SELECT 'hello' AS text, 1 AS n").write().format("docarray").save(out.toString());
    Row r = spark().read().format("docarray").load(out.toString()).first();
    assertTrue(((String) r.getAs("id")).matches("[0-9a-f]{32}"), (String) r.getAs("id"));
  }

  @Test
  void unwritableValuesNameTheColumnAndAWayOut() {
    Path out = tmp.resolve("bad");
    Exception e =
        assertThrows(
            Exception.class,
            () ->
                spark()
                    .sql("SELECT 'a' AS id, 5000000000L AS big")
                    .write()
                    .format("docarray")
                    .save(out.toString()));
    String m = rootMessage(e);
    assertTrue(
        m.contains("'big'") && m.contains("int32") && m.contains("unsupportedTypes=text"), m);
    Exception t =
        assertThrows(
            Exception.class,
            () ->
                spark()
                    .sql("SELECT 'a' AS id, current_timestamp() AS ts")
                    .write()
                    .format("docarray")
                    .save(tmp.resolve("bad2").toString()));
    String tm = rootMessage(t);
    assertTrue(tm.contains("'ts'") && tm.contains("cast"), tm);
  }

  @Test
  void aTaskThatFailsOnceAndIsRetriedLeavesExactlyOneCopyOfEachDocument() throws IOException {
    spark()
        .udf()
        .register(
            "failFirstAttempt",
            (org.apache.spark.sql.api.java.UDF1<Long, Long>)
                v -> {
                  org.apache.spark.TaskContext tc = org.apache.spark.TaskContext.get();
                  if (tc.attemptNumber() == 0 && tc.partitionId() == 1 && v % 50 == 7) {
                    throw new IllegalStateException("injected failure of the first attempt");
                  }
                  return v;
                },
            org.apache.spark.sql.types.DataTypes.LongType);
    Path out = tmp.resolve("retried");
    spark()
        .range(0, 200, 1, 4)
        .selectExpr("CAST(failFirstAttempt(id) AS INT) AS n", "CAST(id AS STRING) AS id")
        .write()
        .format("docarray")
        .save(out.toString());
    Dataset<Row> back = spark().read().format("docarray").load(out.toString());
    assertEquals(200, back.count());
    assertEquals(200, back.select("n").distinct().count());
    assertEquals(
        4,
        dataFiles(out).size(),
        "one file per task, no leftovers of the failed attempt: " + dataFiles(out));
  }

  @Test
  void aFailedJobLeavesNoOutputFiles() throws IOException {
    spark()
        .udf()
        .register(
            "alwaysFail",
            (org.apache.spark.sql.api.java.UDF1<Long, Long>)
                v -> {
                  if (v == 150) throw new IllegalStateException("injected failure");
                  return v;
                },
            org.apache.spark.sql.types.DataTypes.LongType);
    Path out = tmp.resolve("failed");
    assertThrows(
        Exception.class,
        () ->
            spark()
                .range(0, 200, 1, 4)
                .selectExpr("CAST(alwaysFail(id) AS INT) AS n")
                .write()
                .format("docarray")
                .save(out.toString()));
    assertEquals(
        List.of(),
        Files.exists(out) ? dataFiles(out) : List.of(),
        "no part files after a failed job");
  }

  @Test
  void documentsOfDifferentClassesKeepTheirOwnKeysThroughAbsentFields() throws Exception {
    for (String fixture : new String[] {"hetero.protobuf", "hetero.protobuf-array"}) {
      com.fasterxml.jackson.databind.JsonNode docs = SidecarAssert.sidecarOf(fixture).get("docs");
      Dataset<Row> df = spark().read().format("docarray").load(fixture(fixture).toString());
      java.util.List<String> columns = java.util.Arrays.asList(df.columns());
      // the reader says which keys each document did not have (absent, not None), as the sidecar
      // has them
      java.util.Map<String, java.util.List<String>> absent = new java.util.HashMap<>();
      for (Row r :
          df.select(
                  org.apache.spark.sql.functions.col("id"),
                  org.apache.spark.sql.functions.col("_metadata.absent_fields"))
              .collectAsList()) {
        absent.put(r.getString(0), r.getList(1));
      }
      for (com.fasterxml.jackson.databind.JsonNode d : docs) {
        java.util.List<String> want = new java.util.ArrayList<>();
        for (String c : columns) if (!d.has(c)) want.add(c);
        assertEquals(want, absent.get(d.get("id").get("text").asText()), fixture);
      }
      // written with absentFieldsColumn, each document has its own keys again (and the column is
      // not written)
      Path out = tmp.resolve("absent-" + fixture);
      df.select(
              org.apache.spark.sql.functions.col("*"),
              org.apache.spark.sql.functions.col("_metadata.absent_fields").alias("absent"))
          .write()
          .format("docarray")
          .option("absentFieldsColumn", "absent")
          .save(out.toString());
      Dataset<Row> back = spark().read().format("docarray").load(out.toString());
      assertEquals(columns.size(), back.columns().length, "the absent column is not a field");
      for (Row r :
          back.select(
                  org.apache.spark.sql.functions.col("id"),
                  org.apache.spark.sql.functions.col("_metadata.absent_fields"))
              .collectAsList()) {
        assertEquals(absent.get(r.getString(0)), r.getList(1), fixture + " " + r.getString(0));
      }
      // without the option every document has every column (None where it had nothing), as before
      Path plain = tmp.resolve("plain-" + fixture);
      df.write().format("docarray").save(plain.toString());
      for (Row r :
          spark()
              .read()
              .format("docarray")
              .load(plain.toString())
              .select("_metadata.absent_fields")
              .collectAsList()) {
        assertTrue(r.getList(0).isEmpty(), r.toString());
      }
    }
  }
}
