package org.docarray.spark.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.docarray.spark.DocArraySparkSessionExtensions;
import org.docarray.spark.testing.SparkTestBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * count(*) from the protobuf headers: on the driver, without reading documents, with no job under
 * the extensions.
 */
class HeaderCountTest extends SparkTestBase {
  @TempDir Path tmp;

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
    assertEquals(
        3, spark().read().format("docarray").schema("id STRING").load(f.toString()).count());
    assertThrows(
        Exception.class,
        () ->
            spark()
                .read()
                .format("docarray")
                .schema("id STRING")
                .load(f.toString())
                .collectAsList(),
        "reading the documents finds the garbage");
  }

  @Test
  void countStarIsAnsweredOnTheDriverFromHeadersWhenEveryFileHasOne() throws IOException {
    Path dir =
        directoryOf(
            tmp,
            "mixed",
            "large.protobuf",
            "a.protobuf",
            "students.protobuf.lz4",
            "b.protobuf.lz4");
    Dataset<Row> counted = spark().read().format("docarray").load(dir.toString()).groupBy().count();
    assertTrue(plan(counted).contains("LocalTableScan"), plan(counted));
    assertEquals(20003L, counted.first().getLong(0));
    assertEquals(20003L, spark().read().format("docarray").load(dir.toString()).count());
    // SQL count(*) and count(1) too
    spark().read().format("docarray").load(dir.toString()).createOrReplaceTempView("mixed_counted");
    Dataset<Row> sql = spark().sql("SELECT count(*) FROM mixed_counted");
    assertTrue(plan(sql).contains("LocalTableScan"), plan(sql));
    assertEquals(20003L, sql.first().getLong(0));
    assertEquals(20003L, spark().sql("SELECT count(1) FROM mixed_counted").first().getLong(0));
    // a filter, a GROUP BY or another aggregate needs the documents: a real scan, right answers
    assertEquals(
        2000L,
        spark().sql("SELECT count(*) FROM mixed_counted WHERE label = 3").first().getLong(0));
    Dataset<Row> grouped = spark().sql("SELECT label, count(*) FROM mixed_counted GROUP BY label");
    assertTrue(!plan(grouped).contains("LocalTableScan"), plan(grouped));
    assertEquals(11, grouped.count()); // labels 0..9 and null (the students)
    // a protobuf-array file has no header count: the scan counts its documents
    Files.copy(fixture("pages.protobuf-array"), dir.resolve("c.protobuf-array"));
    Dataset<Row> withArray =
        spark().read().format("docarray").load(dir.toString()).groupBy().count();
    assertTrue(!plan(withArray).contains("LocalTableScan"), plan(withArray));
    assertEquals(20006L, withArray.first().getLong(0));
    // DROPMALFORMED decides per document: never from the headers
    Dataset<Row> dropping =
        spark()
            .read()
            .format("docarray")
            .option("mode", "DROPMALFORMED")
            .load(dir.resolve("a.protobuf").toString())
            .groupBy()
            .count();
    assertTrue(!plan(dropping).contains("LocalTableScan"), plan(dropping));
    assertEquals(20000L, dropping.first().getLong(0));
  }

  @Test
  void withTheSessionExtensionsCountStarRunsNoJobAtAll() throws Exception {
    org.apache.spark.sql.SparkSessionExtensions ext =
        new org.apache.spark.sql.SparkSessionExtensions();
    new DocArraySparkSessionExtensions().apply(ext);
    scala.collection.Seq<?> built = ext.buildPlannerStrategies(spark());
    assertEquals(1, built.size());
    assertTrue(built.head() instanceof org.docarray.spark.plan.DriverLocalCountStrategy);
    Path dir =
        directoryOf(
            tmp,
            "driver-count",
            "large.protobuf",
            "a.protobuf",
            "students.protobuf.lz4",
            "b.protobuf.lz4");
    java.util.concurrent.atomic.AtomicInteger jobs =
        new java.util.concurrent.atomic.AtomicInteger();
    org.apache.spark.scheduler.SparkListener listener =
        new org.apache.spark.scheduler.SparkListener() {
          @Override
          public void onJobStart(org.apache.spark.scheduler.SparkListenerJobStart e) {
            jobs.incrementAndGet();
          }
        };
    extraStrategies((org.apache.spark.sql.execution.SparkStrategy) built.head());
    spark().sparkContext().addSparkListener(listener);
    try {
      Dataset<Row> df = spark().read().format("docarray").load(dir.toString());
      spark().sparkContext().listenerBus().waitUntilEmpty();
      jobs.set(0);
      assertEquals(20003L, df.count());
      df.createOrReplaceTempView("driver_counted");
      Dataset<Row> sql = spark().sql("SELECT count(*) AS n FROM driver_counted");
      assertTrue(
          sql.queryExecution().executedPlan()
              instanceof org.apache.spark.sql.execution.LocalTableScanExec,
          plan(sql));
      assertEquals(20003L, sql.first().getLong(0));
      assertEquals(List.of("n"), List.of(sql.columns()));
      spark().sparkContext().listenerBus().waitUntilEmpty();
      assertEquals(0, jobs.get(), "count(*) from headers launched a job");
      // anything else is Spark's plan as before: a filtered count scans
      assertEquals(
          2000L,
          spark().sql("SELECT count(*) FROM driver_counted WHERE label = 3").first().getLong(0));
      spark().sparkContext().listenerBus().waitUntilEmpty();
      assertTrue(jobs.get() > 0);
    } finally {
      spark().sparkContext().removeSparkListener(listener);
      extraStrategies();
    }
  }

  /**
   * Sets spark.experimental.extraStrategies (a Scala Seq, typed differently on Scala 2.12 and
   * 2.13).
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void extraStrategies(org.apache.spark.sql.execution.SparkStrategy... strategies) {
    scala.collection.immutable.List list =
        (scala.collection.immutable.List) (Object) scala.collection.immutable.Nil$.MODULE$;
    for (int i = strategies.length - 1; i >= 0; i--)
      list = new scala.collection.immutable.$colon$colon(strategies[i], list);
    spark().experimental().extraStrategies_$eq(list);
  }

  @Test
  void aRewrittenFileIsCountedAgainNotFromTheRememberedHeader() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("rewritten"));
    Path f = dir.resolve("x.protobuf");
    Files.copy(fixture("students.protobuf"), f);
    assertEquals(3L, spark().read().format("docarray").load(dir.toString()).count());
    Files.copy(fixture("large.protobuf"), f, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertEquals(20000L, spark().read().format("docarray").load(dir.toString()).count());
  }

  @Test
  void withTheMetadataCacheOffNothingIsRemembered() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("uncached"));
    Files.copy(fixture("students.protobuf"), dir.resolve("y.protobuf"));
    String key = dir.resolve("y.protobuf").toUri().toString();
    spark().conf().set("spark.docarray.metadataCache.enabled", "false");
    try {
      assertEquals(3L, spark().read().format("docarray").load(dir.toString()).count());
      assertEquals(0, cachedCountsFor(key), "the switch is off: no header count remembered");
    } finally {
      spark().conf().unset("spark.docarray.metadataCache.enabled");
    }
    assertEquals(3L, spark().read().format("docarray").load(dir.toString()).count());
    assertEquals(1, cachedCountsFor(key), "on by default");
  }

  /**
   * Header counts remembered for a file (keys are path|length|mtime, the path as Hadoop writes it).
   */
  private static long cachedCountsFor(String fileUri) {
    String path = fileUri.replace("file:///", "file:/");
    return DocArrayCountScan.COUNTS.keys().stream().filter(k -> k.startsWith(path + "|")).count();
  }

  @Test
  void aHeaderThatCannotBeReadFailsTheCountNamingTheFile() throws IOException {
    Path f = tmp.resolve("short.protobuf");
    Files.write(f, new byte[] {2, 0, 0});
    assertCountFailsNamingThenSkips(f, "short.protobuf", 0L);
    // among many files (headers read on several threads) the bad one is still the one named
    Path dir =
        directoryOf(
            tmp,
            "many-headers",
            "students.protobuf",
            "s1.protobuf",
            "students.protobuf",
            "s2.protobuf",
            "students.protobuf",
            "s3.protobuf",
            "students.protobuf",
            "s4.protobuf",
            "students.protobuf",
            "s5.protobuf");
    Files.write(dir.resolve("s6-short.protobuf"), new byte[] {2, 0, 0});
    assertCountFailsNamingThenSkips(dir, "s6-short.protobuf", 15L);
  }

  /**
   * count(*) fails naming the file with the bad header; with ignoreCorruptFiles it counts the
   * others.
   */
  private static void assertCountFailsNamingThenSkips(Path path, String badFile, long othersCount) {
    Exception e =
        assertThrows(
            Exception.class,
            () ->
                spark()
                    .read()
                    .format("docarray")
                    .schema("id STRING")
                    .load(path.toString())
                    .count());
    String msg =
        String.valueOf(e.getMessage()) + (e.getCause() == null ? "" : e.getCause().getMessage());
    assertTrue(msg.contains(badFile) && msg.contains("header"), msg);
    assertEquals(
        othersCount,
        spark()
            .read()
            .format("docarray")
            .schema("id STRING")
            .option("ignoreCorruptFiles", "true")
            .load(path.toString())
            .count());
  }
}
