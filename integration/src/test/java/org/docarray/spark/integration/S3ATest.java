package org.docarray.spark.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reads and writes on {@code s3a://}: a real S3 API (moto's server on 127.0.0.1) through Hadoop's
 * S3A, as on a cluster. Every fixture (each protocol and codec) reads the same rows as from the
 * local file system; a big file splits; writes go through Spark's commit protocol and through the
 * S3A committers; count(*) reads headers only, counted with S3A's own IOStatistics; bad endpoints
 * and buckets fail naming the path.
 */
class S3ATest {
  private static S3Server server;
  private static SparkSession spark;
  private static final String BUCKET = "docs";

  @BeforeAll
  static void start() throws Exception {
    server = S3Server.start();
    server.createBucket(BUCKET);
    spark = S3.session(server.endpoint, "s3a-test");
    FileSystem fs = fs();
    for (Path f : Fixtures.readable()) {
      fs.copyFromLocalFile(
          new org.apache.hadoop.fs.Path(f.toUri()), s3("fixtures/" + f.getFileName()));
    }
    fs.copyFromLocalFile(
        new org.apache.hadoop.fs.Path(Fixtures.large().toUri()), s3("big/large.protobuf"));
  }

  @AfterAll
  static void stop() {
    if (spark != null) spark.stop();
    if (server != null) server.close();
  }

  private static org.apache.hadoop.fs.Path s3(String key) {
    return new org.apache.hadoop.fs.Path("s3a://" + BUCKET + "/" + key);
  }

  private static FileSystem fs() throws IOException {
    return FileSystem.get(
        URI.create("s3a://" + BUCKET + "/"), spark.sparkContext().hadoopConfiguration());
  }

  private static List<String> json(Dataset<Row> df) {
    return df.toJSON().collectAsList();
  }

  @Test
  void everyFixtureReadsTheSameRowsAsFromLocalFiles() throws IOException {
    int files = 0;
    for (Path f : Fixtures.readable()) {
      String name = f.getFileName().toString();
      List<String> local = json(spark.read().format("docarray").load(f.toString()));
      List<String> remote =
          json(spark.read().format("docarray").load(s3("fixtures/" + name).toString()));
      assertEquals(local, remote, name);
      files++;
    }
    assertTrue(files >= 40, "every protocol and codec: " + files + " files");
  }

  @Test
  void aBigFileIsCutIntoSplitsOnS3() throws IOException {
    Dataset<Row> df =
        spark
            .read()
            .format("docarray")
            .option("maxPartitionBytes", "2m")
            .load(s3("big/large.protobuf").toString());
    assertTrue(df.rdd().getNumPartitions() > 2, "partitions: " + df.rdd().getNumPartitions());
    Dataset<Row> local = spark.read().format("docarray").load(Fixtures.large().toString());
    assertEquals(20000L, df.count());
    assertEquals(0L, df.select("id", "label").except(local.select("id", "label")).count());
    assertEquals(
        local
            .selectExpr("sum(label)", "sum(aggregate(embedding.data, 0D, (a, x) -> a + x))")
            .first(),
        df.selectExpr("sum(label)", "sum(aggregate(embedding.data, 0D, (a, x) -> a + x))").first());
  }

  @Test
  void partitionedWritesThroughTheCommitProtocolReadBack() throws IOException {
    Dataset<Row> students =
        spark
            .read()
            .format("docarray")
            .load(Fixtures.dir().resolve("students.protobuf").toString());
    Dataset<Row> pages =
        spark.read().format("docarray").load(Fixtures.large().toString()).limit(3000);
    String out = s3("out/partitioned").toString();
    pages
        .write()
        .format("docarray")
        .option("compression", "lz4")
        .partitionBy("label")
        .mode(SaveMode.Overwrite)
        .save(out);
    Dataset<Row> back = spark.read().format("docarray").load(out);
    assertEquals(3000L, back.count());
    assertEquals(
        0L, back.select("id", "text", "label").except(pages.select("id", "text", "label")).count());
    assertEquals(pages.select("label").distinct().count(), back.select("label").distinct().count());
    String single = s3("out/students").toString();
    students.write().format("docarray").mode(SaveMode.Overwrite).save(single);
    assertEquals(json(students), json(spark.read().format("docarray").load(single)));
  }

  @Test
  void theS3ACommittersWriteEveryDocumentOnce() throws IOException {
    Dataset<Row> docs =
        spark
            .read()
            .format("docarray")
            .load(Fixtures.large().toString())
            .limit(5000)
            .repartition(4);
    for (String committer : new String[] {"directory", "magic"}) {
      String out = s3("committed/" + committer).toString();
      S3.withCommitter(
          spark,
          committer,
          () -> docs.write().format("docarray").mode(SaveMode.Overwrite).save(out));
      Dataset<Row> back = spark.read().format("docarray").load(out);
      assertEquals(5000L, back.count(), committer);
      assertEquals(5000L, back.select("id").distinct().count(), committer + ": each document once");
    }
  }

  /**
   * With the schema given, planning reads no document and count(*) reads each file's 9-byte header:
   * one GET per file, a few KB in all (S3A's stream statistics), whatever the files' size.
   */
  @Test
  void countStarReadsOnlyTheHeadersCountedByS3AsOwnStatistics() throws IOException {
    String dir = "counted/";
    FileSystem fs = fs();
    for (int i = 0; i < 5; i++) {
      fs.copyFromLocalFile(
          new org.apache.hadoop.fs.Path(Fixtures.large().toUri()),
          s3(dir + "part-" + i + ".protobuf"));
    }
    long size = 0;
    for (FileStatus s : fs.listStatus(s3(dir))) size += s.getLen();
    org.apache.spark.sql.types.StructType schema =
        spark.read().format("docarray").load(Fixtures.large().toString()).schema();
    Map<String, Long> stats =
        S3.measured(
            spark,
            BUCKET,
            () ->
                assertEquals(
                    100000L,
                    spark
                        .read()
                        .format("docarray")
                        .schema(schema)
                        .load(s3(dir).toString())
                        .count()));
    long read = stats.getOrDefault("stream_read_bytes", 0L);
    assertTrue(
        read < 5 * 128 * 1024, "header reads only: " + read + " of " + size + " bytes; " + stats);
    assertEquals(5L, stats.getOrDefault("stream_read_opened", 0L), "one open per file: " + stats);
  }

  @Test
  void aMissingBucketOrAnUnreachableEndpointFailsNamingThePath() {
    Exception e =
        assertThrows(
            Exception.class,
            () -> spark.read().format("docarray").load("s3a://no-such-bucket/x/").count());
    assertTrue(S3.messages(e).contains("no-such-bucket"), S3.messages(e));
    // Hadoop settings given as read options apply to this read (a bucket of its own: S3A caches per
    // bucket)
    long t0 = System.nanoTime();
    e =
        assertThrows(
            Exception.class,
            () ->
                spark
                    .read()
                    .format("docarray")
                    .option("fs.s3a.endpoint", "http://127.0.0.1:9")
                    .option("fs.s3a.attempts.maximum", "1")
                    .option("fs.s3a.retry.limit", "1")
                    .option("fs.s3a.connection.establish.timeout", "2000")
                    .load("s3a://unreachable-bucket/fixtures/")
                    .count());
    long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
    assertTrue(S3.messages(e).contains("unreachable-bucket"), S3.messages(e));
    assertTrue(seconds < 120, "bounded by the store's timeouts and retries: " + seconds + " s");
    assertFalse(S3.messages(e).isEmpty());
  }

  /**
   * A server that checks credentials (moto's IAM enforcement after one free request, which creates
   * the bucket): the keys of this session are unknown to it. The bucket's endpoint is an S3A
   * per-bucket setting.
   */
  @Test
  void wrongCredentialsFailNamingThePath() throws Exception {
    try (S3Server strict = S3Server.start(java.util.Map.of("INITIAL_NO_AUTH_ACTION_COUNT", "1"))) {
      String bucket = "strict-bucket";
      strict.createBucket(bucket);
      org.apache.hadoop.conf.Configuration conf = spark.sparkContext().hadoopConfiguration();
      conf.set("fs.s3a.bucket." + bucket + ".endpoint", strict.endpoint);
      conf.set("fs.s3a.bucket." + bucket + ".attempts.maximum", "1");
      conf.set("fs.s3a.bucket." + bucket + ".retry.limit", "1");
      Exception e =
          assertThrows(
              Exception.class,
              () -> spark.read().format("docarray").load("s3a://" + bucket + "/docs/").count());
      String m = S3.messages(e);
      assertTrue(m.contains(bucket), m);
      assertTrue(
          m.contains("403") || m.contains("InvalidAccessKeyId") || m.contains("AccessDenied"), m);
    }
  }
}
