package org.docarray.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One big file read by many tasks at document boundaries; count(*) from the header. */
class SplitAndCountTest extends SparkTestBase {
  @TempDir Path tmp;

  private static void assertLargeRows(List<Row> rows) {
    assertEquals(20000, rows.size());
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      assertEquals(String.format("large-%06d", i), r.getString(0), "document " + i + " once, in order");
      assertEquals(i % 10, r.getInt(1));
      float e = (float) (((i * 128L + 5) % 9973) / 9973.0);
      assertEquals(e, (float) r.getFloat(2));
    }
  }

  @Test
  void oneStreamingFileIsReadByManyTasks() {
    Dataset<Row> df = spark().read().format("docarray").option("maxPartitionBytes", "1000000")
        .load(fixture("large.protobuf").toString());
    assertTrue(df.rdd().getNumPartitions() >= 12, "partitions: " + df.rdd().getNumPartitions());
    assertLargeRows(df.selectExpr("id", "label", "embedding.data[5]").collectAsList());
    assertEquals(20000, df.select("id").distinct().count());
  }

  @Test
  void plainProtobufArrayAndPerDocumentCompressedFilesSplitToo() throws IOException {
    for (String[] pc : new String[][] {{"protobuf-array", "none"}, {"protobuf", "lz4"}, {"protobuf", "gzip"}}) {
      Path out = tmp.resolve(pc[0] + pc[1]);
      read("large.protobuf").coalesce(1).write().format("docarray").option("protocol", pc[0])
          .option("compression", pc[1]).save(out.toString());
      Dataset<Row> df = spark().read().format("docarray").option("maxPartitionBytes", "500000").load(out.toString());
      assertTrue(df.rdd().getNumPartitions() > 4, pc[0] + "/" + pc[1] + ": " + df.rdd().getNumPartitions());
      assertLargeRows(df.selectExpr("id", "label", "embedding.data[5]").collectAsList());
    }
  }

  @Test
  void wholeFileCompressedFilesStayOneSplit() throws IOException {
    Path out = tmp.resolve("gz");
    read("large.protobuf").coalesce(1).write().format("docarray").option("protocol", "protobuf-array")
        .option("compression", "gzip").save(out.toString());
    Dataset<Row> df = spark().read().format("docarray").option("maxPartitionBytes", "500000").load(out.toString());
    assertEquals(1, df.rdd().getNumPartitions());
    assertEquals(20000, df.count());
  }

  @Test
  void countUsesTheHeaderWithoutReadingDocuments() throws IOException {
    assertEquals(20000, read("large.protobuf").count());
    // a file whose framing is right but whose payloads are garbage: count(*) never looks at them
    byte[] garbage = new byte[9 + 3 * (4 + 5)];
    garbage[0] = 2;
    garbage[8] = 3;
    for (int d = 0; d < 3; d++) {
      int at = 9 + d * 9;
      garbage[at + 3] = 5;
      for (int k = 0; k < 5; k++) garbage[at + 4 + k] = (byte) 0xff;
    }
    Path f = tmp.resolve("garbage.protobuf");
    Files.write(f, garbage);
    assertEquals(3, spark().read().format("docarray").schema("id STRING").load(f.toString()).count());
    assertThrows(Exception.class, () -> spark().read().format("docarray").schema("id STRING").load(f.toString())
        .collectAsList(), "reading the documents finds the garbage");
  }

  @Test
  void scanMetricsAppearInTheSparkUi() {
    Dataset<Row> df = spark().read().format("docarray").option("maxPartitionBytes", "1000000")
        .load(fixture("large.protobuf").toString()).select("label");
    assertEquals(20000, df.collectAsList().size());
    org.apache.spark.sql.execution.SparkPlan plan = df.queryExecution().executedPlan();
    scala.collection.Iterator<org.apache.spark.sql.execution.SparkPlan> leaves = plan.collectLeaves().iterator();
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
}
