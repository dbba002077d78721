package org.docarray.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.docarray.spark.testing.SparkTestBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SQL: CREATE TABLE ... USING docarray, SELECT with nested fields, INSERT INTO, DESCRIBE. */
class SqlTest extends SparkTestBase {
  @TempDir Path tmp;

  @Test
  void createSelectInsertDescribe() throws Exception {
    Path dir = tmp.resolve("students");
    Files.createDirectories(dir);
    Files.copy(fixture("students.protobuf"), dir.resolve("students.protobuf"));
    spark().sql("DROP TABLE IF EXISTS students");
    spark().sql("CREATE TABLE students USING docarray OPTIONS (path '" + dir + "')");
    List<Row> rows =
        spark()
            .sql(
                "SELECT id, thesis.title.text AS title, thesis.title.embedding.shape AS shape "
                    + "FROM students ORDER BY id")
            .collectAsList();
    assertEquals(3, rows.size());
    assertEquals("stu-1", rows.get(1).getString(0));
    assertTrue(rows.get(1).getString(1).startsWith("\u00dcn\u00efc\u00f8d\u00e9"));
    assertEquals(List.of(4), rows.get(1).getList(2));

    spark().sql("INSERT INTO students SELECT * FROM students WHERE id = 'stu-2'");
    assertEquals(4, spark().sql("SELECT count(*) FROM students").first().getLong(0));
    assertEquals(
        2, spark().sql("SELECT count(*) FROM students WHERE id = 'stu-2'").first().getLong(0));
    assertEquals(
        4,
        spark().read().format("docarray").load(dir.toString()).count(),
        "INSERT wrote a DocArray file");

    String describe = spark().sql("DESCRIBE TABLE students").collectAsList().toString();
    assertTrue(describe.contains("docarray text tag=id"), describe);
    String nested = spark().table("students").schema().apply("thesis").dataType().json();
    assertTrue(
        nested.contains("ndarray_embedding") && nested.contains("<f4"),
        "nested metadata kept: " + nested);
    spark().sql("DROP TABLE students");
  }

  @Test
  void createTableAsSelectWritesDocArrayFiles() {
    spark().sql("DROP TABLE IF EXISTS pages_copy");
    spark()
        .read()
        .format("docarray")
        .load(fixture("pages.protobuf").toString())
        .createOrReplaceTempView("pages_src");
    Path dir = tmp.resolve("ctas");
    spark()
        .sql(
            "CREATE TABLE pages_copy USING docarray OPTIONS (compression 'lz4') LOCATION '"
                + dir
                + "' AS SELECT * FROM pages_src");
    List<Row> r =
        spark()
            .sql(
                "SELECT page_no, size(chunks), chunks[0].emb.data FROM pages_copy WHERE page_no = 1")
            .collectAsList();
    assertEquals(2, r.get(0).getInt(1));
    assertEquals(List.of(1.0f, 0.0f, 1.0f, 0.0f), r.get(0).getList(2));
    spark().sql("DROP TABLE pages_copy");
  }

  @Test
  void aCatalogTableCutsBigFilesAtDocumentBoundariesAndPushesFilters() throws Exception {
    Path dir = tmp.resolve("large");
    Files.createDirectories(dir);
    Files.copy(fixture("large.protobuf"), dir.resolve("large.protobuf"));
    spark().sql("DROP TABLE IF EXISTS large_t");
    spark().sql("CREATE TABLE large_t USING docarray OPTIONS (path '" + dir + "')");
    String before = spark().conf().get("spark.sql.files.maxPartitionBytes");
    try {
      spark().conf().set("spark.sql.files.maxPartitionBytes", "1000000");
      org.apache.spark.sql.Dataset<Row> t = spark().table("large_t").select("id", "label");
      assertTrue(
          t.rdd().getNumPartitions() >= 8,
          "byte ranges of the file: " + t.rdd().getNumPartitions());
      List<Row> all = t.collectAsList();
      assertEquals(20000, all.size(), "every document once, none twice");
      assertEquals(
          20000,
          new java.util.HashSet<>(
                  all.stream()
                      .map(r -> r.getString(0))
                      .collect(java.util.stream.Collectors.toList()))
              .size());
      // the same rows as spark.read (the DSv2 scan)
      assertEquals(
          spark().read().format("docarray").load(dir.toString()).where("label = 3").count(),
          spark().sql("SELECT count(*) FROM large_t WHERE label = 3").first().getLong(0));
      String plan =
          spark()
              .sql("SELECT id FROM large_t WHERE label = 3")
              .queryExecution()
              .executedPlan()
              .toString();
      // Spark 3.5 reads catalog tables through the file source (PushedFilters: ...), Spark 4
      // through the DSv2 scan
      assertTrue(
          plan.contains("PushedFilters: [IsNotNull(label), EqualTo(label,3)]")
              || plan.contains("pushedFilters=[IsNotNull(label), EqualTo(label,3)]"),
          plan);
    } finally {
      spark().conf().set("spark.sql.files.maxPartitionBytes", before);
      spark().sql("DROP TABLE large_t");
    }
  }
}
