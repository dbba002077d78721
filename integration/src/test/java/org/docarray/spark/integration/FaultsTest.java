package org.docarray.spark.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Connections that drop mid-file ({@link FaultyFileSystem}): a read is retried by Spark and returns
 * exactly the file's rows, or fails naming the file, never fewer or more rows; a write whose task
 * dies mid-file is retried and the commit protocol leaves one copy of every document.
 */
class FaultsTest {
  private static SparkSession spark;
  private static Path dir;

  @BeforeAll
  static void start() throws Exception {
    spark =
        SparkSession.builder()
            // local[2, 4]: 2 cores, a task may fail 4 times (as on a cluster; plain local mode
            // never retries)
            .master("local[2,4]")
            .appName("faults-test")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.hadoop.fs.faulty.impl", FaultyFileSystem.class.getName())
            .config("spark.hadoop.fs.faulty.impl.disable.cache", "true")
            .getOrCreate();
    dir = Files.createTempDirectory("faults");
    Files.copy(Fixtures.large(), dir.resolve("large.protobuf"));
    Files.copy(
        Fixtures.dir().resolve("students.protobuf.gzip"), dir.resolve("students.protobuf.gzip"));
  }

  @AfterEach
  void reset() {
    FaultyFileSystem.reset();
  }

  @AfterAll
  static void stop() {
    if (spark != null) spark.stop();
  }

  private static String faulty(String name) {
    return "faulty://" + dir.resolve(name);
  }

  @Test
  void aDroppedConnectionIsRetriedAndTheRowsAreExact() {
    Dataset<Row> local =
        spark.read().format("docarray").load(dir.resolve("large.protobuf").toString());
    FaultyFileSystem.target = "large.protobuf";
    FaultyFileSystem.afterBytes = 5 << 20; // mid-file
    Dataset<Row> df =
        spark
            .read()
            .format("docarray")
            .schema(local.schema())
            .option("splitFiles", "false")
            .load(faulty("large.protobuf"));
    FaultyFileSystem.readFailures.set(1);
    assertEquals(20000L, df.count(), "count(*) is answered from the header");
    Dataset<Row> ids = df.select("id", "label");
    FaultyFileSystem.readFailures.set(1);
    assertEquals(20000L, ids.distinct().count());
    assertTrue(FaultyFileSystem.injected.get() >= 1, "the connection dropped");
    FaultyFileSystem.readFailures.set(1);
    assertEquals(0L, ids.except(local.select("id", "label")).count());
  }

  @Test
  void aConnectionThatKeepsDroppingFailsNamingTheFile() {
    FaultyFileSystem.target = "students.protobuf.gzip";
    FaultyFileSystem.afterBytes = 200;
    FaultyFileSystem.readFailures.set(1000);
    Dataset<Row> df =
        spark
            .read()
            .format("docarray")
            .schema("id STRING, name STRING")
            .load(faulty("students.protobuf.gzip"));
    Exception e = assertThrows(Exception.class, () -> df.collectAsList());
    String m = S3.messages(e);
    assertTrue(m.contains("students.protobuf.gzip") && m.contains("injected"), m);
  }

  @Test
  void aTaskThatDiesMidWriteIsRetriedAndEveryDocumentIsWrittenOnce() throws Exception {
    Dataset<Row> docs =
        spark
            .read()
            .format("docarray")
            .load(dir.resolve("large.protobuf").toString())
            .repartition(4);
    Path out = Files.createTempDirectory("faulty-out").resolve("docs");
    FaultyFileSystem.target = out.getFileName().toString();
    FaultyFileSystem.afterBytes = 1 << 20;
    FaultyFileSystem.writeFailures.set(2);
    docs.write().format("docarray").mode(SaveMode.Overwrite).save("faulty://" + out);
    assertTrue(FaultyFileSystem.injected.get() >= 1, "a write failed");
    FaultyFileSystem.reset();
    Dataset<Row> back = spark.read().format("docarray").load(out.toString());
    assertEquals(20000L, back.count());
    assertEquals(20000L, back.select("id").distinct().count(), "each document once");
  }
}
