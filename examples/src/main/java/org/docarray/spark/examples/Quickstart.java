package org.docarray.spark.examples;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The quickstart: reads the bundled Student → Thesis → TextDoc documents (written by the real
 * Python DocArray, one file as an lz4 'protobuf' stream and one as a gzip'd 'protobuf-array'),
 * prints the schema, selects nested fields and shows rows.
 *
 * <pre>mvn -q -pl examples -am -DskipTests package exec:exec</pre>
 */
public final class Quickstart {
  private Quickstart() {}

  public static void main(String[] args) {
    String path = args.length > 0 ? args[0] : "examples/src/main/resources/sample";
    SparkSession spark =
        SparkSession.builder()
            .appName("docarray-spark quickstart")
            .master(System.getProperty("spark.master", "local[*]"))
            .config("spark.ui.enabled", "false")
            .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    try {
      Dataset<Row> students = spark.read().format("docarray").load(path);

      System.out.println("== Schema inferred from the DocArray files in " + path);
      students.printSchema();

      System.out.println(
          "== Nested fields: thesis.title.text, thesis.title.url, the embedding's shape");
      students
          .selectExpr(
              "id",
              "thesis.title.text AS title",
              "thesis.title.url AS url",
              "thesis.title.embedding.shape AS embedding_shape")
          .orderBy("id")
          .show(false);

      System.out.println(
          "== Documents per file (a 'protobuf' stream with lz4 per document, and a gzip'd 'protobuf-array')");
      students
          .selectExpr("input_file_name() AS file")
          .groupBy("file")
          .count()
          .orderBy("file")
          .show(false);

      System.out.println("== SQL over the same files");
      students.createOrReplaceTempView("students");
      spark
          .sql(
              "SELECT id, length(thesis.title.text) AS title_chars, "
                  + "aggregate(thesis.title.embedding.data, 0D, (acc, x) -> acc + x * x) AS embedding_sq_norm "
                  + "FROM students WHERE thesis.title.text IS NOT NULL ORDER BY id")
          .show(false);
      System.out.println("Read " + students.count() + " documents.");
    } finally {
      spark.stop();
    }
  }
}
