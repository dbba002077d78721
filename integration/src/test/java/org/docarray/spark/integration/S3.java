package org.docarray.spark.integration;

import java.net.URI;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.statistics.IOStatisticsSupport;
import org.apache.spark.sql.SparkSession;

/**
 * A local Spark session configured for an S3 endpoint, and S3A's own request counters around a
 * piece of work.
 */
final class S3 {
  private S3() {}

  /**
   * Local mode (2 cores) with S3A pointed at {@code endpoint}: path-style, plain HTTP, test
   * credentials.
   */
  static SparkSession session(String endpoint, String app) {
    return SparkSession.builder()
        .master("local[2]")
        .appName(app)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.hadoop.fs.s3a.endpoint", endpoint)
        .config("spark.hadoop.fs.s3a.endpoint.region", "us-east-1")
        .config("spark.hadoop.fs.s3a.path.style.access", "true")
        .config("spark.hadoop.fs.s3a.connection.ssl.enabled", "false")
        .config("spark.hadoop.fs.s3a.access.key", "testing")
        .config("spark.hadoop.fs.s3a.secret.key", "testing")
        .config(
            "spark.hadoop.fs.s3a.aws.credentials.provider",
            "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider")
        .config("spark.hadoop.fs.s3a.committer.magic.enabled", "true")
        // the SDK v2 (Hadoop 3.4) asks for 100-continue on uploads, which this server answers badly
        .config("spark.hadoop.fs.s3a.connection.expect.continue", "false")
        .getOrCreate();
  }

  /**
   * Runs {@code write} with one of Hadoop's S3A committers bound through Spark's
   * PathOutputCommitProtocol.
   */
  static void withCommitter(SparkSession spark, String committer, Runnable write) {
    Map<String, String> conf = new TreeMap<>();
    conf.put(
        "spark.sql.sources.commitProtocolClass",
        "org.apache.spark.internal.io.cloud.PathOutputCommitProtocol");
    conf.put(
        "spark.hadoop.mapreduce.outputcommitter.factory.scheme.s3a",
        "org.apache.hadoop.fs.s3a.commit.S3ACommitterFactory");
    conf.put("spark.hadoop.fs.s3a.committer.name", committer);
    Map<String, String> before = new TreeMap<>();
    for (Map.Entry<String, String> e : conf.entrySet()) {
      if (spark.conf().contains(e.getKey())) before.put(e.getKey(), spark.conf().get(e.getKey()));
      spark.conf().set(e.getKey(), e.getValue());
      if (e.getKey().startsWith("spark.hadoop.")) {
        spark.sparkContext().hadoopConfiguration().set(e.getKey().substring(13), e.getValue());
      }
    }
    try {
      write.run();
    } finally {
      for (String k : conf.keySet()) {
        if (before.containsKey(k)) spark.conf().set(k, before.get(k));
        else spark.conf().unset(k);
        if (k.startsWith("spark.hadoop."))
          spark.sparkContext().hadoopConfiguration().unset(k.substring(13));
      }
    }
  }

  /**
   * The S3A counters (requests, bytes) that {@code work} adds to the bucket's file system in this
   * JVM.
   */
  static Map<String, Long> measured(SparkSession spark, String bucket, Runnable work) {
    try {
      FileSystem fs =
          FileSystem.get(
              URI.create("s3a://" + bucket + "/"), spark.sparkContext().hadoopConfiguration());
      Map<String, Long> before =
          new TreeMap<>(IOStatisticsSupport.retrieveIOStatistics(fs).counters());
      work.run();
      Map<String, Long> after =
          new TreeMap<>(IOStatisticsSupport.retrieveIOStatistics(fs).counters());
      Map<String, Long> diff = new TreeMap<>();
      for (Map.Entry<String, Long> e : after.entrySet()) {
        long d = e.getValue() - before.getOrDefault(e.getKey(), 0L);
        if (d != 0) diff.put(e.getKey(), d);
      }
      return diff;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Every message of an exception and its causes. */
  static String messages(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) sb.append(t).append(" | ");
    return sb.toString();
  }
}
