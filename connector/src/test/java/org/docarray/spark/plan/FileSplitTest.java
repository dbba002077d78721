package org.docarray.spark.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.docarray.spark.testing.SparkTestBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Big files cut at document boundaries and read by many tasks; a LIMIT stops each task early; the
 * scan metrics.
 */
class FileSplitTest extends SparkTestBase {
  @TempDir Path tmp;

  private static void assertLargeRows(List<Row> rows) {
    assertEquals(20000, rows.size());
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      assertEquals(
          String.format("large-%06d", i), r.getString(0), "document " + i + " once, in order");
      assertEquals(i % 10, r.getInt(1));
      float e = (float) (((i * 128L + 5) % 9973) / 9973.0);
      assertEquals(e, (float) r.getFloat(2));
    }
  }

  @Test
  void oneStreamingFileIsReadByManyTasks() {
    Dataset<Row> df =
        spark()
            .read()
            .format("docarray")
            .option("maxPartitionBytes", "1000000")
            .load(fixture("large.protobuf").toString());
    assertTrue(df.rdd().getNumPartitions() >= 12, "partitions: " + df.rdd().getNumPartitions());
    assertLargeRows(df.selectExpr("id", "label", "embedding.data[5]").collectAsList());
    assertEquals(20000, df.select("id").distinct().count());
  }

  @Test
  void severalBigFilesAreWalkedTogetherAndEachIsSplit() throws IOException {
    Path dir =
        directoryOf(
            tmp,
            "three-big",
            "large.protobuf",
            "a.protobuf",
            "large.protobuf",
            "b.protobuf",
            "large.protobuf",
            "c.protobuf");
    Dataset<Row> df =
        spark().read().format("docarray").option("maxPartitionBytes", "1m").load(dir.toString());
    assertTrue(df.rdd().getNumPartitions() >= 3 * 12, "partitions: " + df.rdd().getNumPartitions());
    List<Row> perFile =
        df.groupBy(org.apache.spark.sql.functions.input_file_name().as("f"))
            .agg(
                org.apache.spark.sql.functions.count("id"),
                org.apache.spark.sql.functions.countDistinct("id"),
                org.apache.spark.sql.functions.sum("label"))
            .orderBy("f")
            .collectAsList();
    assertEquals(3, perFile.size());
    for (Row r : perFile) {
      assertEquals(20000L, r.getLong(1), r.toString()); // every document once
      assertEquals(20000L, r.getLong(2), r.toString());
      assertEquals(2000L * 45, r.getLong(3), r.toString()); // labels 0..9, 2000 each
    }
  }

  @Test
  void plainProtobufArrayAndPerDocumentCompressedFilesSplitToo() throws IOException {
    for (String[] pc :
        new String[][] {{"protobuf-array", "none"}, {"protobuf", "lz4"}, {"protobuf", "gzip"}}) {
      Path out = tmp.resolve(pc[0] + pc[1]);
      read("large.protobuf")
          .coalesce(1)
          .write()
          .format("docarray")
          .option("protocol", pc[0])
          .option("compression", pc[1])
          .save(out.toString());
      Dataset<Row> df =
          spark()
              .read()
              .format("docarray")
              .option("maxPartitionBytes", "500000")
              .load(out.toString());
      assertTrue(
          df.rdd().getNumPartitions() > 4,
          pc[0] + "/" + pc[1] + ": " + df.rdd().getNumPartitions());
      assertLargeRows(df.selectExpr("id", "label", "embedding.data[5]").collectAsList());
    }
  }

  @Test
  void wholeFileCompressedFilesStayOneSplit() throws IOException {
    Path out = tmp.resolve("gz");
    read("large.protobuf")
        .coalesce(1)
        .write()
        .format("docarray")
        .option("protocol", "protobuf-array")
        .option("compression", "gzip")
        .save(out.toString());
    Dataset<Row> df =
        spark()
            .read()
            .format("docarray")
            .option("maxPartitionBytes", "500000")
            .load(out.toString());
    assertEquals(1, df.rdd().getNumPartitions());
    assertEquals(20000, df.count());
  }

  @Test
  void aLimitStopsEachTaskEarly() {
    Dataset<Row> limited = read("large.protobuf").limit(7);
    assertTrue(plan(limited).contains("limit=7 per task"), plan(limited));
    List<Row> rows = limited.collectAsList();
    assertEquals(7, rows.size());
    assertEquals(7, read("large.protobuf").select("id", "label").limit(7).collectAsList().size());
    assertEquals(
        "large-000003",
        read("large.protobuf").orderBy("id").limit(4).collectAsList().get(3).getString(0));
  }

  @Test
  void scanMetricsAppearInTheSparkUi() {
    Dataset<Row> df =
        spark()
            .read()
            .format("docarray")
            .option("maxPartitionBytes", "1000000")
            .load(fixture("large.protobuf").toString())
            .select("label");
    assertEquals(20000, df.collectAsList().size());
    org.apache.spark.sql.execution.SparkPlan plan = df.queryExecution().executedPlan();
    scala.collection.Iterator<org.apache.spark.sql.execution.SparkPlan> leaves =
        plan.collectLeaves().iterator();
    long docs = -1;
    long files = -1;
    while (leaves.hasNext()) {
      org.apache.spark.sql.execution.SparkPlan leaf = leaves.next();
      if (leaf.metrics().contains("documents")) {
        docs = leaf.metrics().apply("documents").value();
        files = leaf.metrics().apply("files").value();
        // label only: id, text and the 128-float embeddings are skipped by length
        assertTrue(leaf.metrics().apply("prunedBytes").value() > 20000L * 512, "pruned bytes");
        assertEquals(0L, leaf.metrics().apply("tensorBytes").value(), "no tensor decoded");
      }
    }
    assertEquals(20000, docs, "documents metric of the scan");
    assertTrue(files >= 12, "splits opened: " + files);
  }

  /**
   * Documents above 1 MB: the walk seeks over them (a ranged read on object stores) and the splits
   * stay exact.
   */
  @Test
  void aFileOfLargeDocumentsIsWalkedBySeekingOverThem() {
    String out = tmp.resolve("large-docs").toString();
    spark()
        .range(0, 24, 1, 1)
        .selectExpr(
            "format_string('big-%02d', id) AS id",
            "unhex(repeat(lpad(hex(id), 2, '0'), 1500000)) AS bytes_")
        .write()
        .format("docarray")
        .save(out);
    Dataset<Row> df = spark().read().format("docarray").option("maxPartitionBytes", "8m").load(out);
    assertTrue(df.rdd().getNumPartitions() >= 4, "partitions: " + df.rdd().getNumPartitions());
    List<Row> rows =
        df.selectExpr("id", "length(bytes_)", "hex(substring(bytes_, 1500000, 1))")
            .orderBy("id")
            .collectAsList();
    assertEquals(24, rows.size());
    for (int i = 0; i < 24; i++) {
      assertEquals(String.format("big-%02d", i), rows.get(i).getString(0));
      assertEquals(1_500_000, rows.get(i).getInt(1));
      assertEquals(
          String.format("%02X", i), rows.get(i).getString(2), "the last byte of each document");
    }
  }

  /**
   * A file written with manifest=true carries its document boundaries in the manifest: a read cuts
   * it there without walking it, in both protocols, and gets exactly the written rows.
   */
  @Test
  void aFileWrittenWithAManifestIsCutWithoutAWalk() throws Exception {
    for (String protocol : new String[] {"protobuf", "protobuf-array"}) {
      String out = tmp.resolve("manifest-" + protocol).toString();
      Dataset<Row> docs =
          spark()
              .range(0, 20000, 1, 1)
              .selectExpr(
                  "format_string('doc-%05d', id) AS id",
                  "repeat('x', CAST(id % 1000 AS INT)) AS text", "CAST(id AS INT) AS n");
      docs.write()
          .format("docarray")
          .option("protocol", protocol)
          .option("manifest", "true")
          .save(out);
      String manifest =
          new String(
              java.nio.file.Files.readAllBytes(
                  java.nio.file.Paths.get(out, "_docarray_manifest.json")),
              java.nio.charset.StandardCharsets.UTF_8);
      assertTrue(manifest.contains("split_points"), manifest);
      long walks = org.docarray.spark.read.FileSplits.walks();
      spark().conf().set("spark.docarray.metadataCache.enabled", "false");
      try {
        Dataset<Row> df =
            spark().read().format("docarray").option("maxPartitionBytes", "2m").load(out);
        assertTrue(df.rdd().getNumPartitions() >= 4, "partitions: " + df.rdd().getNumPartitions());
        assertEquals(20000L, df.count());
        assertEquals(0L, df.except(docs).count(), protocol);
        assertEquals(
            199990000L,
            df.selectExpr("sum(n)").first().getLong(0),
            "each document once: " + protocol);
        assertEquals(walks, org.docarray.spark.read.FileSplits.walks(), "no walk: " + protocol);
      } finally {
        spark().conf().unset("spark.docarray.metadataCache.enabled");
      }
    }
  }
}
