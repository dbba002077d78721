package org.docarray.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.sql.types.StructType;
import org.docarray.spark.testing.SparkTestBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Structured Streaming through the file source and sink: new DocArray files are picked up each
 * micro-batch, a restarted query (same checkpoint) neither re-reads nor misses a file, and the
 * sink's metadata log makes readers of the output see each document exactly once.
 */
class StreamingTest extends SparkTestBase {
  @TempDir Path tmp;

  private StreamingQuery start(StructType schema, Path in, Path out, Path checkpoint)
      throws Exception {
    Dataset<Row> docs =
        spark()
            .readStream()
            .format("docarray")
            .schema(schema)
            .option("maxFilesPerTrigger", "1")
            .load(in.toString());
    return docs.where("id IS NOT NULL")
        .writeStream()
        .format("docarray")
        .option("compression", "lz4")
        .option("checkpointLocation", checkpoint.toString())
        .trigger(Trigger.AvailableNow())
        .start(out.toString());
  }

  private static List<String> ids(Dataset<Row> df) {
    List<String> ids = new ArrayList<>();
    for (Row r : df.select("id").collectAsList()) ids.add(r.getString(0));
    Collections.sort(ids);
    return ids;
  }

  @Test
  void newFilesEachMicroBatchAndARestartNeitherRereadsNorMisses() throws Exception {
    Path in = tmp.resolve("in");
    Path out = tmp.resolve("out");
    Path checkpoint = tmp.resolve("checkpoint");
    Files.createDirectories(in);
    StructType schema =
        spark().read().format("docarray").load(fixture("students.protobuf").toString()).schema();
    Files.copy(fixture("students.protobuf"), in.resolve("a.protobuf"));
    Files.copy(fixture("students.protobuf.lz4"), in.resolve("b.protobuf.lz4"));

    StreamingQuery q = start(schema, in, out, checkpoint);
    q.awaitTermination();
    assertEquals(2, q.recentProgress().length, "one file per micro-batch (maxFilesPerTrigger=1)");
    Dataset<Row> written = spark().read().format("docarray").load(out.toString());
    assertEquals(List.of("stu-0", "stu-0", "stu-1", "stu-1", "stu-2", "stu-2"), ids(written));
    assertTrue(
        Files.isDirectory(out.resolve("_spark_metadata")),
        "the file sink's log of committed files");

    // the query stops; new files land; the restarted query (same checkpoint) reads only those
    Files.copy(fixture("scalars.protobuf"), in.resolve("c.protobuf"));
    Files.copy(fixture("students.protobuf-array"), in.resolve("d.protobuf-array"));
    StreamingQuery again = start(schema, in, out, checkpoint);
    again.awaitTermination();
    Dataset<Row> after = spark().read().format("docarray").load(out.toString());
    List<String> got = ids(after);
    int students = Collections.frequency(got, "stu-1");
    assertEquals(3, students, "a, b and d once each: " + got);
    int scalarDocs =
        spark()
            .read()
            .format("docarray")
            .load(fixture("scalars.protobuf").toString())
            .collectAsList()
            .size();
    assertEquals(9 + scalarDocs, got.size(), "every document exactly once: " + got);
  }

  /**
   * Copies {@code in} to {@code out}, one file per micro-batch ({@code trigger} null:
   * continuously).
   */
  private static StreamingQuery copyOneFilePerBatch(
      StructType schema, Path in, Path out, Path checkpoint, Trigger trigger) throws Exception {
    org.apache.spark.sql.streaming.DataStreamWriter<Row> w =
        spark()
            .readStream()
            .format("docarray")
            .schema(schema)
            .option("maxFilesPerTrigger", "1")
            .load(in.toString())
            .writeStream()
            .format("docarray")
            .option("checkpointLocation", checkpoint.toString());
    return (trigger == null ? w : w.trigger(trigger)).start(out.toString());
  }

  /**
   * Every id of every file in {@code dir}, read as one batch: what an exactly-once stream must have
   * written.
   */
  private static List<String> batchIds(Path dir) {
    return ids(spark().read().format("docarray").load(dir.toString()));
  }

  @Test
  void aQueryStoppedMidStreamAndRestartedWritesExactlyTheBatchReadsRows() throws Exception {
    Path in = tmp.resolve("in-kill");
    Path out = tmp.resolve("out-kill");
    Path checkpoint = tmp.resolve("checkpoint-kill");
    Files.createDirectories(in);
    String[] files = {
      "students.protobuf",
      "students.protobuf.lz4",
      "students.protobuf-array",
      "students.protobuf.gzip",
      "students.protobuf-array.bz2",
      "students.protobuf.zlib"
    };
    for (int i = 0; i < files.length; i++)
      Files.copy(fixture(files[i]), in.resolve(i + "-" + files[i]));
    StructType schema =
        spark().read().format("docarray").load(fixture("students.protobuf").toString()).schema();
    // a continuous query, one file per micro-batch, stopped (interrupted) once it has made progress
    StreamingQuery q = copyOneFilePerBatch(schema, in, out, checkpoint, null);
    long deadline = System.currentTimeMillis() + 60_000;
    while (q.recentProgress().length < 2 && System.currentTimeMillis() < deadline) Thread.sleep(20);
    q.stop();
    int before = ids(spark().read().format("docarray").load(out.toString())).size();
    assertTrue(before < 18, "stopped before the end: " + before + " documents");
    // the restart picks up where the checkpoint says, re-running an uncommitted batch
    copyOneFilePerBatch(schema, in, out, checkpoint, Trigger.AvailableNow()).awaitTermination();
    assertEquals(batchIds(in), ids(spark().read().format("docarray").load(out.toString())));
    // a file of a batch that never committed (as an interrupted batch leaves one) is not the sink's
    // output:
    // readers of the directory see only what _spark_metadata lists, as Spark's own file sources do
    Files.copy(fixture("students.protobuf"), out.resolve("part-99999-orphan.protobuf"));
    assertEquals(batchIds(in), ids(spark().read().format("docarray").load(out.toString())));
  }

  @Test
  void latestFirstTakesTheNewestFilesAndTheSchemaCanBeInferred() throws Exception {
    Path in = tmp.resolve("in-latest");
    Files.createDirectories(in);
    Files.copy(fixture("students.protobuf"), in.resolve("old.protobuf"));
    Files.copy(fixture("scalars.protobuf"), in.resolve("new.protobuf"));
    Files.setLastModifiedTime(
        in.resolve("old.protobuf"), java.nio.file.attribute.FileTime.fromMillis(1_000_000));
    Files.setLastModifiedTime(
        in.resolve("new.protobuf"), java.nio.file.attribute.FileTime.fromMillis(2_000_000));
    List<List<String>> batches = Collections.synchronizedList(new ArrayList<>());
    spark().conf().set("spark.sql.streaming.schemaInference", "true");
    try {
      Dataset<Row> docs =
          spark()
              .readStream()
              .format("docarray")
              .option("maxFilesPerTrigger", "1")
              .option("latestFirst", "true")
              .load(in.toString());
      assertTrue(
          java.util.Arrays.asList(docs.schema().fieldNames()).contains("id"),
          "inferred: " + docs.schema());
      StreamingQuery q =
          docs.writeStream()
              .option("checkpointLocation", tmp.resolve("checkpoint-latest").toString())
              .trigger(Trigger.AvailableNow())
              .foreachBatch(
                  (org.apache.spark.api.java.function.VoidFunction2<Dataset<Row>, Long>)
                      (batch, id) -> batches.add(ids(batch)))
              .start();
      q.awaitTermination();
    } finally {
      spark().conf().unset("spark.sql.streaming.schemaInference");
    }
    assertEquals(2, batches.size(), "one file per batch: " + batches);
    assertEquals(
        ids(spark().read().format("docarray").load(in.resolve("new.protobuf").toString())),
        batches.get(0),
        "the newest file first");
    assertEquals(List.of("stu-0", "stu-1", "stu-2"), batches.get(1));
  }
}
