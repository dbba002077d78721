package org.docarray.spark.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.StructType;
import org.docarray.spark.DocArraySparkSessionExtensions;
import org.docarray.spark.testing.SparkTestBase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The tensor functions from SQL and the DataFrame API, on the fixtures' real tensors. */
class FunctionsTest extends SparkTestBase {
  @BeforeAll
  static void register() {
    DocArrayFunctions.register(spark());
    read("students.protobuf").createOrReplaceTempView("students_f");
    read("pages.protobuf").createOrReplaceTempView("pages_f");
  }

  @Test
  void normalizeNormAndCosineFromSql() {
    Row r =
        spark()
            .sql(
                "SELECT docarray_l2_norm(thesis.title.embedding) AS n, "
                    + "docarray_l2_normalize(thesis.title.embedding) AS u, "
                    + "docarray_l2_norm(docarray_l2_normalize(thesis.title.embedding)) AS one, "
                    + "docarray_cosine_similarity(thesis.title.embedding, thesis.title.embedding) AS self "
                    + "FROM students_f WHERE id = 'stu-1'")
            .first();
    double n = Math.sqrt(0.25 * 0.25 + 1.5 * 1.5 + 3.0 * 3.0 + (double) 0.001f * 0.001f);
    assertEquals(n, r.getDouble(0), 1e-6);
    assertEquals(List.of(4), ((Row) r.get(1)).getList(0));
    assertEquals((float) (0.25 / n), (float) ((Row) r.get(1)).getList(1).get(0), 1e-6f);
    assertEquals(1.0, r.getDouble(2), 1e-6);
    assertEquals(1.0, r.getDouble(3), 1e-9);
    assertNull(
        spark()
            .sql(
                "SELECT docarray_l2_normalize(thesis.title.embedding) FROM students_f WHERE id = 'stu-0'")
            .first()
            .get(0),
        "null in, null out");
  }

  @Test
  void flattenReshapeTensorAndStack() {
    Row r =
        spark()
            .sql(
                "SELECT docarray_flatten(docarray_reshape(thesis.title.embedding, array(2, 2))).data AS f, "
                    + "docarray_reshape(thesis.title.embedding, array(2, 2)).shape AS s, "
                    + "docarray_tensor(array(CAST(1 AS FLOAT), CAST(2 AS FLOAT))).shape AS t "
                    + "FROM students_f WHERE id = 'stu-1'")
            .first();
    assertEquals(List.of(0.25f, -1.5f, 3.0f, 0.001f), r.getList(0));
    assertEquals(List.of(2, 2), r.getList(1));
    assertEquals(List.of(2), r.getList(2));
    Row s =
        spark()
            .sql(
                "SELECT docarray_stack(transform(chunks, c -> c.emb)) AS st FROM pages_f WHERE page_no = 2")
            .first();
    assertEquals(List.of(3, 4), ((Row) s.get(0)).getList(0));
    assertEquals(12, ((Row) s.get(0)).getList(1).size());
  }

  @Test
  void elementTypesAreKeptWhereTheValuesAre() {
    // each element type through every function that keeps values, and through normalisation
    String[][] cases = {
      {"TINYINT", "tinyint", "double"},
      {"SMALLINT", "smallint", "double"},
      {"INT", "int", "double"},
      {"BIGINT", "bigint", "double"},
      {"FLOAT", "float", "float"},
      {"DOUBLE", "double", "double"},
      {"DECIMAL(10,2)", "decimal(10,2)", "double"}
    };
    for (String[] c : cases) {
      String t = "docarray_tensor(array(CAST(3 AS " + c[0] + "), CAST(4 AS " + c[0] + ")))";
      Dataset<Row> df =
          spark()
              .sql(
                  "SELECT "
                      + t
                      + " AS t, docarray_flatten(docarray_reshape("
                      + t
                      + ", array(2, 1))) AS f, docarray_reshape("
                      + t
                      + ", array(1, 2)) AS r, docarray_stack(array("
                      + t
                      + ", "
                      + t
                      + ")) AS s, docarray_l2_normalize("
                      + t
                      + ") AS n, docarray_flatten(CAST(NULL AS struct<shape: array<int>, data: array<"
                      + c[1]
                      + ">>)) AS z");
      for (String col : new String[] {"t", "f", "r", "s"}) {
        StructType st = (StructType) df.schema().apply(col).dataType();
        assertEquals(
            c[1],
            ((ArrayType) st.apply("data").dataType()).elementType().simpleString(),
            c[0] + " through " + col);
      }
      StructType n = (StructType) df.schema().apply("n").dataType();
      assertEquals(
          c[2], ((ArrayType) n.apply("data").dataType()).elementType().simpleString(), c[0]);
      Row r = df.first();
      assertEquals(List.of(2), ((Row) r.getAs("f")).getList(0), c[0]);
      assertEquals(List.of(1, 2), ((Row) r.getAs("r")).getList(0), c[0]);
      assertEquals(List.of(2, 2), ((Row) r.getAs("s")).getList(0), c[0]);
      assertEquals(4, ((Row) r.getAs("s")).getList(1).size(), c[0]);
      assertEquals(
          ((Row) r.getAs("t")).getList(1), ((Row) r.getAs("f")).getList(1), c[0] + " values kept");
      List<Object> unit = ((Row) r.getAs("n")).getList(1);
      assertEquals(0.6, ((Number) unit.get(0)).doubleValue(), 1e-6, c[0]);
      assertEquals(0.8, ((Number) unit.get(1)).doubleValue(), 1e-6, c[0]);
      assertNull(r.getAs("z"), "null in, null out");
    }
  }

  @Test
  void argumentTypesAreCheckedWhenTheQueryIsAnalysed() {
    // a string column given to a tensor function: refused by the analyser, naming function,
    // argument and types
    org.apache.spark.sql.AnalysisException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            org.apache.spark.sql.AnalysisException.class,
            () -> spark().sql("SELECT docarray_l2_norm(id) FROM students_f"));
    assertTrue(
        e.getMessage().contains("docarray_l2_norm: the first argument")
            && e.getMessage().contains("id must be a typed tensor"),
        e.getMessage());
    assertTrue(e.getMessage().contains("but it is string"), e.getMessage());
    e =
        org.junit.jupiter.api.Assertions.assertThrows(
            org.apache.spark.sql.AnalysisException.class,
            () ->
                spark()
                    .sql(
                        "SELECT docarray_reshape(thesis.title.embedding, array('a')) FROM students_f"));
    assertTrue(
        e.getMessage().contains("the second argument") && e.getMessage().contains("array<int>"),
        e.getMessage());
    e =
        org.junit.jupiter.api.Assertions.assertThrows(
            org.apache.spark.sql.AnalysisException.class,
            () ->
                spark()
                    .sql(
                        "SELECT docarray_cosine_similarity(thesis.title.embedding) FROM students_f"));
    assertTrue(e.getMessage().contains("takes 2 argument(s), not 1"), e.getMessage());
    // the DataFrame API fails when the Column is used, before any job
    e =
        org.junit.jupiter.api.Assertions.assertThrows(
            org.apache.spark.sql.AnalysisException.class,
            () ->
                read("students.protobuf")
                    .select(DocArrayFunctions.flatten(org.apache.spark.sql.functions.col("id"))));
    assertTrue(e.getMessage().contains("docarray_flatten"), e.getMessage());
    // a binary-mode tensor says how to read one the functions accept
    e =
        org.junit.jupiter.api.Assertions.assertThrows(
            org.apache.spark.sql.AnalysisException.class,
            () ->
                spark()
                    .read()
                    .format("docarray")
                    .option("tensorMode", "binary")
                    .load(fixture("students.protobuf").toString())
                    .selectExpr("docarray_l2_norm(thesis.title.embedding)"));
    assertTrue(e.getMessage().contains("tensorMode=typed"), e.getMessage());
  }

  @Test
  void theSessionExtensionsRegisterEveryFunction() {
    org.apache.spark.sql.SparkSessionExtensions ext =
        new org.apache.spark.sql.SparkSessionExtensions();
    new DocArraySparkSessionExtensions().apply(ext);
    org.apache.spark.sql.catalyst.analysis.SimpleFunctionRegistry registry =
        new org.apache.spark.sql.catalyst.analysis.SimpleFunctionRegistry();
    ext.registerFunctions(registry);
    for (String name :
        List.of(
            "docarray_l2_norm",
            "docarray_l2_normalize",
            "docarray_cosine_similarity",
            "docarray_stack",
            "docarray_tensor",
            "docarray_flatten",
            "docarray_reshape",
            "docarray_normalize",
            "docarray_to_float64")) {
      assertTrue(
          registry.functionExists(
              org.apache.spark.sql.catalyst.FunctionIdentifier$.MODULE$.apply(name)),
          name);
    }
  }

  @Test
  void dataFrameApi() {
    Row r =
        read("students.protobuf")
            .filter("id = 'stu-1'")
            .select(
                DocArrayFunctions.cosineSimilarity(
                    DocArrayFunctions.l2Normalize(
                        org.apache.spark.sql.functions.col("thesis.title.embedding")),
                    org.apache.spark.sql.functions.col("thesis.title.embedding")))
            .first();
    assertEquals(1.0, r.getDouble(0), 1e-6);
  }

  @Test
  void castsAndTheNormalizeAlias() {
    Row r =
        spark()
            .sql(
                "SELECT docarray_to_float64(thesis.title.embedding) AS d, "
                    + "docarray_to_int64(thesis.title.embedding) AS l, docarray_normalize(thesis.title.embedding) AS u "
                    + "FROM students_f WHERE id = 'stu-1'")
            .first();
    assertEquals(List.of(4), ((Row) r.get(0)).getList(0));
    assertEquals(List.of(0.25, -1.5, 3.0, (double) 0.001f), ((Row) r.get(0)).getList(1));
    assertEquals(List.of(0L, -1L, 3L, 0L), ((Row) r.get(1)).getList(1));
    double sq = 0;
    for (Object x : ((Row) r.get(2)).getList(1)) sq += ((Float) x) * ((Float) x);
    assertEquals(1.0, sq, 1e-6);
    Row c =
        read("students.protobuf")
            .filter("id = 'stu-1'")
            .select(
                DocArrayFunctions.cast(
                    org.apache.spark.sql.functions.col("thesis.title.embedding"), "float64"))
            .first();
    assertEquals(0.25, (Double) ((Row) c.get(0)).getList(1).get(0));
    org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class,
        () -> DocArrayFunctions.cast(org.apache.spark.sql.functions.col("x"), "complex128"));
  }

  @Test
  void toAndFromSparkMlVectors() {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        DocArrayFunctions.mllibPresent(), "spark-mllib not on this line's test class path");
    Row r =
        spark()
            .sql(
                "SELECT docarray_to_vector(thesis.title.embedding) AS v, "
                    + "docarray_from_vector(docarray_to_vector(thesis.title.embedding)) AS t FROM students_f WHERE id = 'stu-1'")
            .first();
    Object v = r.get(0);
    assertEquals("org.apache.spark.ml.linalg.DenseVector", v.getClass().getName());
    assertEquals("[0.25,-1.5,3.0," + (double) 0.001f + "]", v.toString());
    assertEquals(List.of(4), ((Row) r.get(1)).getList(0));
    assertEquals(List.of(0.25f, -1.5f, 3.0f, 0.001f), ((Row) r.get(1)).getList(1));
  }
}
