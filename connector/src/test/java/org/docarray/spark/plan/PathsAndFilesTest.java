package org.docarray.spark.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.docarray.spark.testing.SidecarAssert;
import org.docarray.spark.testing.SparkTestBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Directories, globs, several paths, filters, partition directories, codec mixes and refusals. */
class PathsAndFilesTest extends SparkTestBase {
  @TempDir Path tmp;

  private Path copy(String fixture, Path dir, String as) throws IOException {
    Files.createDirectories(dir);
    Path target = dir.resolve(as == null ? fixture : as);
    Files.copy(fixture(fixture), target);
    return target;
  }

  private static Map<String, JsonNode> docsById(String fixture) {
    Map<String, JsonNode> m = new HashMap<>();
    for (JsonNode d : SidecarAssert.sidecarOf(fixture).get("docs"))
      m.put(d.get("id").get("text").asText(), d);
    return m;
  }

  @Test
  void directoryOfMixedCodecsAndFramingsReadsAsOneDataFrame() throws IOException {
    Path dir = tmp.resolve("mixed");
    copy("students.protobuf.lz4", dir, "a.protobuf.lz4");
    copy("students.protobuf-array.gzip", dir, "b.protobuf-array.gzip");
    copy("images.protobuf.lz4", dir.resolve("nested"), "c.protobuf.lz4");
    Dataset<Row> df =
        spark().read().format("docarray").option("pathGlobFilter", "[ab].*").load(dir.toString());
    List<Row> rows = df.collectAsList();
    assertEquals(6, rows.size());
    Map<String, JsonNode> expected = docsById("students.protobuf.lz4");
    for (Row r : rows) {
      SidecarAssert.assertDoc("mixed", df.schema(), r, expected.get((String) r.getAs("id")));
    }
  }

  @Test
  void globsAndSeveralPaths() throws IOException {
    Path dir = tmp.resolve("g");
    copy("students.protobuf", dir, null);
    copy("students.protobuf.bz2", dir, null);
    copy("scalars.protobuf", dir, null);
    assertEquals(
        6, spark().read().format("docarray").load(dir.resolve("students.*").toString()).count());
    assertEquals(
        11,
        spark()
            .read()
            .format("docarray")
            .load(
                dir.resolve("students.protobuf").toString(),
                dir.resolve("scalars.protobuf").toString())
            .count());
  }

  @Test
  void hivePartitionDirectoriesBecomeTypedColumns() throws IOException {
    Path root = tmp.resolve("t");
    copy("students.protobuf", root.resolve("year=2024").resolve("split=train"), null);
    copy("students.protobuf.lzma", root.resolve("year=2025").resolve("split=test"), null);
    Dataset<Row> df = spark().read().format("docarray").load(root.toString());
    assertEquals(DataTypes.IntegerType, df.schema().apply("year").dataType());
    assertEquals(DataTypes.StringType, df.schema().apply("split").dataType());
    assertEquals(3, df.filter("year = 2025 AND split = 'test'").count());
    List<Row> r = df.groupBy("year").count().orderBy("year").collectAsList();
    assertEquals(2024, r.get(0).getInt(0));
    assertEquals(3L, r.get(0).getLong(1));
    List<Row> pruned = df.select("year", "id").filter("year = 2024").orderBy("id").collectAsList();
    assertEquals(
        Arrays.asList("stu-0", "stu-1", "stu-2"),
        Arrays.asList(
            pruned.get(0).getString(1), pruned.get(1).getString(1), pruned.get(2).getString(1)));
  }

  @Test
  void filtersOnPartitionColumnsPruneFilesBeforeTheyAreOpened() throws IOException {
    Path root = tmp.resolve("p");
    copy("students.protobuf", root.resolve("year=2024").resolve("split=train"), null);
    copy("students.protobuf.lzma", root.resolve("year=2025").resolve("split=test"), null);
    // a file that fails if it is ever opened
    Files.createDirectories(root.resolve("year=2026").resolve("split=train"));
    Files.write(
        root.resolve("year=2026").resolve("split=train").resolve("broken.protobuf"),
        new byte[] {2, 0, 0, 0, 0, 0, 0, 0, 9, 1, 2, 3});
    // the schema from the first file (schema inference would open the broken one too)
    Dataset<Row> all =
        spark().read().format("docarray").option("inferSchemaMaxFiles", "1").load(root.toString());
    assertThrows(
        Exception.class, () -> all.select("id", "year").collectAsList(), "the broken file is read");
    Dataset<Row> y2024 = all.filter("year = 2024").select("id", "year");
    List<Row> rows = y2024.orderBy("id").collectAsList();
    assertEquals(
        Arrays.asList("stu-0", "stu-1", "stu-2"),
        Arrays.asList(
            rows.get(0).getString(0), rows.get(1).getString(0), rows.get(2).getString(0)));
    assertEquals(2024, rows.get(2).getInt(1));
    assertEquals(2L, prunedFiles(y2024), "the 2025 and 2026 files were pruned");
    assertEquals(6, all.filter("year < 2026 AND split IN ('train', 'test')").count());
    assertEquals(
        3,
        all.filter("year = 2025 OR (split = 'x' AND year > 2000)")
            .select("thesis")
            .collectAsList()
            .size());
    assertEquals(3, all.filter("NOT (year <> 2024)").count());
    assertEquals(0, all.filter("year IS NULL").count());
    // a filter on a data column alone prunes nothing (and the broken file is opened)
    assertThrows(Exception.class, () -> all.filter("id = 'stu-1'").collectAsList());
  }

  @Test
  void theHiddenMetadataColumnNamesEachRowsFileAndDocument() throws IOException {
    Path dir = tmp.resolve("meta");
    Path a = copy("students.protobuf", dir, "a.protobuf");
    Path b = copy("students.protobuf.lz4", dir, "b.protobuf.lz4");
    Dataset<Row> df = spark().read().format("docarray").load(dir.toString());
    assertTrue(!Arrays.asList(df.columns()).contains("_metadata"), "not in *");
    List<Row> rows =
        df.select(
                "id",
                "_metadata.file_name",
                "_metadata.document_index",
                "_metadata.file_size",
                "_metadata.file_path",
                "_metadata.file_modification_time")
            .orderBy("_metadata.file_name", "id")
            .collectAsList();
    assertEquals(6, rows.size());
    for (int i = 0; i < 6; i++) {
      Row r = rows.get(i);
      Path f = i < 3 ? a : b;
      assertEquals(f.getFileName().toString(), r.getString(1));
      assertEquals("stu-" + (i % 3), r.getString(0));
      assertEquals(i % 3, r.getLong(2), "students are written in id order");
      assertEquals(Files.size(f), r.getLong(3));
      assertTrue(r.getString(4).endsWith("/meta/" + f.getFileName()), r.getString(4));
      assertEquals(Files.getLastModifiedTime(f).toMillis(), r.getTimestamp(5).getTime());
    }
    Dataset<Row> onlyB = df.where("_metadata.file_name = 'b.protobuf.lz4'");
    assertEquals(
        3,
        onlyB.count(),
        onlyB.select("_metadata").collectAsList() + "\n" + onlyB.queryExecution().executedPlan());
    assertEquals(
        "stu-2",
        df.where("_metadata.document_index = 2 AND _metadata.file_name = 'a.protobuf'")
            .select("id")
            .collectAsList()
            .get(0)
            .getString(0));
    // document indices stay those of the whole file when a big file is cut across tasks
    Dataset<Row> large =
        spark()
            .read()
            .format("docarray")
            .option("maxPartitionBytes", "1000000")
            .load(fixture("large.protobuf").toString());
    List<Row> picks =
        large
            .select("id", "_metadata.document_index")
            .where("_metadata.document_index IN (0, 7777, 19999)")
            .orderBy("_metadata.document_index")
            .collectAsList();
    assertEquals(3, picks.size());
    List<Row> all = large.select("id").collectAsList();
    assertEquals(20000, all.size());
    assertEquals(19999L, picks.get(2).getLong(1));
    assertEquals(
        large
            .select("id", "_metadata.document_index")
            .where("id = '" + picks.get(1).getString(0) + "'")
            .collectAsList()
            .get(0)
            .getLong(1),
        7777L);
  }

  @Test
  void bytesAfterAGzipStreamFailTheReadNamingFileAndOffset() throws IOException {
    Path dir = tmp.resolve("gz");
    Path ok = copy("students.protobuf-array.gzip", dir, "ok.protobuf-array.gzip");
    byte[] gz = Files.readAllBytes(ok);
    byte[] tail = Arrays.copyOf(gz, gz.length + 8);
    System.arraycopy(
        "garbage!".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, tail, gz.length, 8);
    Path bad = dir.resolve("bad.protobuf-array.gzip");
    Files.write(bad, tail);
    assertEquals(3, spark().read().format("docarray").load(ok.toString()).collectAsList().size());
    Exception e =
        assertThrows(
            Exception.class,
            () ->
                spark()
                    .read()
                    .format("docarray")
                    .schema(spark().read().format("docarray").load(ok.toString()).schema())
                    .load(bad.toString())
                    .collectAsList());
    String m = rootMessage(e);
    assertTrue(
        m.contains("bad.protobuf-array.gzip")
            && m.contains("byte offset " + gz.length)
            && m.contains("not another gzip member"),
        m);
  }

  private static long prunedFiles(Dataset<Row> df) {
    df.collectAsList();
    scala.collection.Iterator<org.apache.spark.sql.execution.SparkPlan> leaves =
        df.queryExecution().executedPlan().collectLeaves().iterator();
    while (leaves.hasNext()) {
      org.apache.spark.sql.execution.SparkPlan leaf = leaves.next();
      if (leaf.metrics().contains("partitionFilesPruned"))
        return leaf.metrics().apply("partitionFilesPruned").value();
    }
    return -1;
  }

  @Test
  void recursiveFileLookupReadsEverythingWithoutPartitionColumns() throws IOException {
    Path root = tmp.resolve("r");
    copy("students.protobuf", root.resolve("year=2024"), null);
    copy("students.protobuf", root.resolve("other"), null);
    Dataset<Row> df =
        spark()
            .read()
            .format("docarray")
            .option("recursiveFileLookup", "true")
            .load(root.toString());
    assertEquals(6, df.count());
    assertTrue(Arrays.asList(df.schema().fieldNames()).indexOf("year") < 0);
  }

  @Test
  void protocolAndCompressionOptionsOverrideTheName() throws IOException {
    Path f = copy("students.protobuf.lz4", tmp, "students.bin");
    Dataset<Row> df =
        spark()
            .read()
            .format("docarray")
            .option("protocol", "protobuf")
            .option("compression", "lz4")
            .load(f.toString());
    SidecarAssert.assertRowsMatch(
        df.schema(),
        df.collectAsList(),
        SidecarAssert.sidecarOf("students.protobuf.lz4").get("docs"));
  }

  @Test
  void picklesAreRefusedWithTheReasonAndAWayOut() {
    for (String f : new String[] {"students.pickle", "students.pickle-array"}) {
      Exception e = assertThrows(Exception.class, () -> read(f).collectAsList());
      String m = rootMessage(e);
      assertTrue(
          m.contains("pickle") && m.contains("arbitrary") && m.contains("protocol='protobuf'"), m);
    }
    // a pickle protocol forced by the option on a protobuf file: the message blames the option, not
    // the file
    Exception e =
        assertThrows(
            Exception.class,
            () ->
                spark()
                    .read()
                    .format("docarray")
                    .option("protocol", "pickle")
                    .load(fixture("students.protobuf.lz4").toString())
                    .collectAsList());
    String m = rootMessage(e);
    assertTrue(
        m.contains(
            "the 'protocol' option says 'pickle', but by its name the file is 'protobuf+lz4'"),
        m);
  }

  @Test
  void missingPathIsAClearError() {
    Exception e =
        assertThrows(
            Exception.class,
            () -> spark().read().format("docarray").load(tmp.resolve("nope.protobuf").toString()));
    assertTrue(rootMessage(e).contains("Path does not exist"), rootMessage(e));
  }

  @Test
  void corruptFileNamesFileAndOffsetOrIsSkippedOnRequest() throws IOException {
    Path dir = tmp.resolve("c");
    copy("students.protobuf", dir, "good.protobuf");
    byte[] bytes = Files.readAllBytes(fixture("students.protobuf"));
    Files.write(dir.resolve("bad.protobuf"), Arrays.copyOf(bytes, bytes.length - 10));
    Exception e =
        assertThrows(
            Exception.class,
            () ->
                spark()
                    .read()
                    .format("docarray")
                    .schema("id STRING")
                    .load(dir.toString())
                    .collectAsList());
    String m = rootMessage(e);
    assertTrue(
        m.contains("bad.protobuf") && m.contains("document 2") && m.contains("byte offset"), m);
    assertEquals(
        3 + 2,
        spark()
            .read()
            .format("docarray")
            .schema("id STRING")
            .option("ignoreCorruptFiles", "true")
            .load(dir.toString())
            .collectAsList()
            .size(),
        "good file whole, bad file up to its damage");
  }

  @Test
  void aReReadOfUnchangedFilesReusesTheInferredSchemaAndAChangedFileIsSampledAgain()
      throws IOException {
    Path dir = tmp.resolve("cache");
    Files.createDirectories(dir);
    Path f = dir.resolve("docs.protobuf");
    Files.copy(fixture("students.protobuf"), f);
    org.apache.spark.sql.types.StructType first =
        spark().read().format("docarray").load(dir.toString()).schema();
    assertTrue(Arrays.asList(first.fieldNames()).contains("thesis"), first.simpleString());
    assertEquals(first, spark().read().format("docarray").load(dir.toString()).schema());
    // same name, other documents: the new length and modification time make it a new key
    Files.copy(fixture("pages.protobuf"), f, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.setLastModifiedTime(
        f, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
    org.apache.spark.sql.types.StructType second =
        spark().read().format("docarray").load(dir.toString()).schema();
    assertTrue(Arrays.asList(second.fieldNames()).contains("chunks"), second.simpleString());
    assertEquals(3, spark().read().format("docarray").load(dir.toString()).count());
  }
}
