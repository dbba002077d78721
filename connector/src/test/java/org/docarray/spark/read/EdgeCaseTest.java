package org.docarray.spark.read;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.docarray.spark.schema.DocArrayMetadata;
import org.docarray.spark.testing.SparkTestBase;
import org.junit.jupiter.api.Test;

/** The edge cases of docarray-format.md §11, each with its own named test. */
class EdgeCaseTest extends SparkTestBase {

  private static Row byId(List<Row> rows, String id) {
    for (Row r : rows) if (id.equals(r.getAs("id"))) return r;
    throw new AssertionError("no row with id " + id);
  }

  @Test
  void noneStaysDistinctFromFalsyValuesAndEmptyContainers() {
    List<Row> rows = rows("optional.protobuf");
    Row none = rows.get(0);
    for (String f :
        new String[] {
          "id", "title", "count", "score", "flag", "data", "emb", "sub", "link", "items", "tags"
        }) {
      assertTrue(none.isNullAt(none.fieldIndex(f)), "None field " + f + " reads as null");
    }
    Row falsy = byId(rows, "opt-2");
    assertEquals("", falsy.getAs("title"));
    assertEquals(0, (int) falsy.getAs("count"));
    assertEquals(0.0, (double) falsy.getAs("score"));
    assertEquals(Boolean.FALSE, falsy.getAs("flag"));
    assertArrayEquals(new byte[0], (byte[]) falsy.getAs("data"));
    Row sub = falsy.getAs("sub");
    assertNotNull(sub, "a sub-document whose fields are all None is still present");
    assertTrue(sub.isNullAt(sub.fieldIndex("text")));
    assertEquals(
        0,
        falsy.getList(falsy.fieldIndex("items")).size(),
        "empty DocList is an empty array, not null");
    assertEquals(
        0,
        falsy.getList(falsy.fieldIndex("tags")).size(),
        "empty list is an empty array, not null");
  }

  @Test
  void nanInfinitiesNegativeZeroAndExtremeDoubles() {
    List<Row> rows = rows("scalars.protobuf");
    assertEquals(
        Double.doubleToRawLongBits(-0.0),
        Double.doubleToRawLongBits(byId(rows, "sc-2").getAs("f")));
    assertTrue(Double.isNaN(byId(rows, "sc-3").getAs("f")));
    assertEquals(Double.POSITIVE_INFINITY, (double) byId(rows, "sc-4").getAs("f"));
    assertEquals(Double.NEGATIVE_INFINITY, (double) byId(rows, "sc-5").getAs("f"));
    assertEquals(Double.MIN_VALUE, (double) byId(rows, "sc-6").getAs("f"));
    assertEquals(Double.MAX_VALUE, (double) byId(rows, "sc-7").getAs("f"));
  }

  @Test
  void int32Limits() {
    List<Row> rows = rows("scalars.protobuf-array");
    assertEquals(Integer.MAX_VALUE, (int) byId(rows, "sc-2").getAs("i"));
    assertEquals(Integer.MIN_VALUE, (int) byId(rows, "sc-3").getAs("i"));
    assertEquals(-1, (int) byId(rows, "sc-4").getAs("i"));
    assertEquals(DataTypes.IntegerType, read("scalars.protobuf").schema().apply("i").dataType());
  }

  @Test
  void allByteValuesInBlobs() {
    byte[] all = new byte[256];
    for (int i = 0; i < 256; i++) all[i] = (byte) i;
    assertArrayEquals(all, (byte[]) byId(rows("scalars.protobuf"), "sc-2").getAs("by"));
    assertEquals(DataTypes.BinaryType, read("scalars.protobuf").schema().apply("by").dataType());
  }

  @Test
  void emojiNulAndZeroWidthCharactersInText() {
    List<Row> rows = rows("scalars.protobuf");
    String s = byId(rows, "sc-2").getAs("s");
    assertTrue(s.contains("\u0000 nul\nnewline"), "NUL and newline kept");
    assertTrue(s.contains("\uD83D\uDE00"), "4-byte UTF-8 emoji kept");
    assertTrue(s.endsWith("\u200b"), "zero-width space kept");
    assertEquals("\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00", byId(rows, "sc-3").getAs("s"));
  }

  @Test
  void raggedTensorsKeepTheirOwnShapePerDocument() {
    List<Row> rows = rows("dtypes.protobuf");
    Row f16a = rows.get(0).getAs("f16");
    Row f16b = rows.get(1).getAs("f16");
    assertEquals(Arrays.asList(3), f16a.getList(0));
    assertEquals(Arrays.asList(5), f16b.getList(0));
    assertEquals(5, f16b.getList(1).size());
    assertEquals(
        Float.POSITIVE_INFINITY, (float) f16b.getList(1).get(4), "float16 inf widened to float");
    assertEquals(5.9604645E-8f, (float) f16b.getList(1).get(3), "float16 subnormal exact");
  }

  @Test
  void bigEndianDataIsByteSwapped() {
    Dataset<Row> df = read("dtypes.protobuf");
    Row r = df.collectAsList().get(0);
    assertEquals(Arrays.asList(1.5f, -2.25f, 0.001f), ((Row) r.getAs("be_f4")).getList(1));
    assertEquals(Arrays.asList(1L, -2L, 1099511627776L), ((Row) r.getAs("be_i8")).getList(1));
    assertEquals(
        ">f4",
        DocArrayMetadata.getString(df.schema().apply("be_f4"), DocArrayMetadata.DTYPE),
        "the stored dtype is kept in metadata");
  }

  @Test
  void zeroDimensionalTensorHasEmptyShapeAndOneElement() {
    Row t = rows("dtypes.protobuf").get(0).getAs("scalar0d");
    assertEquals(0, t.getList(0).size());
    assertEquals(Arrays.asList(2.5f), t.getList(1));
  }

  @Test
  void emptyTensorsKeepShapeAndDeclaredDtype() {
    Dataset<Row> df = read("dtypes.protobuf");
    Row r = df.collectAsList().get(0);
    Row e1 = r.getAs("empty1d");
    Row e2 = r.getAs("empty2d");
    assertEquals(Arrays.asList(0), e1.getList(0));
    assertEquals(0, e1.getList(1).size());
    assertEquals(Arrays.asList(0, 4), e2.getList(0));
    assertEquals(0, e2.getList(1).size());
    StructType e2Type = (StructType) df.schema().apply("empty2d").dataType();
    assertEquals(
        DataTypes.ShortType,
        ((ArrayType) e2Type.apply("data").dataType()).elementType(),
        "int16 kept, not float64");
    assertEquals(
        "<i2", DocArrayMetadata.getString(df.schema().apply("empty2d"), DocArrayMetadata.DTYPE));
  }

  @Test
  void unsignedIntegersWidenWithoutLoss() {
    Dataset<Row> df = read("dtypes.protobuf");
    Row r = df.collectAsList().get(0);
    assertEquals(
        Arrays.asList((short) 0, (short) 255, (short) 128), ((Row) r.getAs("u8")).getList(1));
    assertEquals(Arrays.asList(0L, 4294967295L, 6L), ((Row) r.getAs("u32")).getList(1));
    assertEquals(
        new java.math.BigDecimal("18446744073709551615"), ((Row) r.getAs("u64")).getList(1).get(1));
  }

  @Test
  void nestedDocumentsAreStructsAndDocListsArraysOfStructs() {
    Dataset<Row> students = read("students.protobuf");
    StructType thesis = (StructType) students.schema().apply("thesis").dataType();
    assertTrue(thesis.apply("title").dataType() instanceof StructType);
    List<Row> titles =
        students.selectExpr("id", "thesis.title.text AS t").orderBy("id").collectAsList();
    assertEquals("stu-1", titles.get(1).getString(0));
    assertTrue(titles.get(1).getString(1).startsWith("\u00dcn\u00efc\u00f8d\u00e9"));
    Dataset<Row> pages = read("pages.protobuf");
    ArrayType chunks = (ArrayType) pages.schema().apply("chunks").dataType();
    assertTrue(chunks.elementType() instanceof StructType);
    assertFalse(chunks.containsNull(), "a DocList holds documents, never null elements");
    assertEquals(
        Arrays.asList(0, 2, 3),
        pages
            .orderBy("page_no")
            .selectExpr("size(chunks)")
            .as(org.apache.spark.sql.Encoders.INT())
            .collectAsList());
  }

  @Test
  void urlAndIdTagsAreKeptInMetadata() {
    StructType s = read("images.protobuf").schema();
    assertEquals("id", DocArrayMetadata.getString(s.apply("id"), DocArrayMetadata.TAG));
    assertEquals("image_url", DocArrayMetadata.getString(s.apply("url"), DocArrayMetadata.TAG));
    assertEquals(
        "image_ndarray", DocArrayMetadata.getString(s.apply("tensor"), DocArrayMetadata.TAG));
    assertEquals("|u1", DocArrayMetadata.getString(s.apply("tensor"), DocArrayMetadata.DTYPE));
    assertEquals(
        "image_bytes", DocArrayMetadata.getString(s.apply("bytes_"), DocArrayMetadata.TAG));
  }

  @Test
  void heterogeneousContainersBecomeJsonAndTypedOnesArraysAndMaps() {
    StructType s = read("anybag.protobuf").schema();
    assertEquals(DataTypes.StringType, s.apply("l").dataType());
    assertEquals(
        DocArrayMetadata.KIND_JSON,
        DocArrayMetadata.getString(s.apply("l"), DocArrayMetadata.KIND));
    assertEquals(
        DataTypes.createArrayType(DataTypes.IntegerType, true), s.apply("typed_list").dataType());
    assertEquals(
        DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType, true),
        s.apply("typed_dict").dataType());
    assertEquals("set", DocArrayMetadata.getString(s.apply("s"), DocArrayMetadata.KIND));
    assertTrue(
        ((ArrayType) s.apply("docs_in_list").dataType()).elementType() instanceof StructType);
  }

  @Test
  void heterogeneousDocumentsReadAsTheUnionOfKeys() {
    Dataset<Row> df = read("hetero.protobuf");
    assertEquals(
        Arrays.asList("id", "shared", "v", "x", "y"), Arrays.asList(df.schema().fieldNames()));
    long withX = df.filter("x IS NOT NULL").count();
    long withY = df.filter("y IS NOT NULL").count();
    assertEquals(3, withX + withY);
  }

  @Test
  void emptyFilesReadAsNoRows() {
    for (String f :
        new String[] {
          "empty.protobuf",
          "empty.protobuf-array",
          "empty.protobuf.gzip",
          "empty.protobuf-array.gzip"
        }) {
      assertEquals(0, read(f).count(), f);
    }
  }

  @Test
  void userSchemaReadsMissingFieldsAsNullAndDropsUnknownKeys() {
    List<Row> rows =
        spark()
            .read()
            .format("docarray")
            .schema("id STRING, page_no INT, nothere DOUBLE")
            .load(fixture("pages.protobuf").toString())
            .orderBy("page_no")
            .collectAsList();
    assertEquals(3, rows.size());
    assertEquals(3, rows.get(0).size());
    assertTrue(rows.get(0).isNullAt(2));
    assertEquals(0, rows.get(0).getInt(1));
  }

  @Test
  void nestedColumnPruningInsideTensorStructs() {
    Dataset<Row> df = read("students.protobuf");
    List<Row> shapes =
        df.selectExpr("id", "thesis.title.embedding.shape AS s").orderBy("id").collectAsList();
    assertNull(shapes.get(0).get(1));
    assertEquals(Arrays.asList(4), shapes.get(1).getList(1));
    List<Row> dtypes =
        spark()
            .read()
            .format("docarray")
            .option("tensorMode", "binary")
            .load(fixture("dtypes.protobuf").toString())
            .selectExpr("f16.dtype", "size(f16.shape)")
            .collectAsList();
    assertEquals("<f2", dtypes.get(0).getString(0));
    assertEquals(1, dtypes.get(0).getInt(1));
  }

  @Test
  void inputFileNameIsSet() {
    List<Row> r =
        read("students.protobuf").selectExpr("input_file_name()").distinct().collectAsList();
    assertEquals(1, r.size());
    assertTrue(r.get(0).getString(0).endsWith("students.protobuf"), r.get(0).getString(0));
  }

  @Test
  void fixedLengthEmbeddingsAsFlatArraysOrSparkMlVectors() throws Exception {
    Dataset<Row> arr =
        spark()
            .read()
            .format("docarray")
            .option("embeddings", "array")
            .load(fixture("large.protobuf").toString());
    assertEquals(
        DataTypes.createArrayType(DataTypes.FloatType, false),
        arr.schema().apply("embedding").dataType());
    assertEquals(
        "[128]",
        DocArrayMetadata.getString(arr.schema().apply("embedding"), DocArrayMetadata.SHAPE));
    Row r = arr.filter("id = 'large-000003'").first();
    assertEquals(
        (float) ((3 * 128L + 7) % 9973 / 9973.0),
        (float) r.getList(r.fieldIndex("embedding")).get(7));
    boolean ml;
    try {
      Class.forName("org.apache.spark.ml.linalg.VectorUDT");
      ml = true;
    } catch (ClassNotFoundException e) {
      ml = false; // Spark ML is not on this line's test class path
    }
    if (ml) {
      Dataset<Row> vec =
          spark()
              .read()
              .format("docarray")
              .option("embeddings", "vector")
              .load(fixture("large.protobuf").toString());
      Object v = vec.filter("id = 'large-000003'").first().getAs("embedding");
      double[] values = (double[]) v.getClass().getMethod("toArray").invoke(v);
      assertEquals(128, values.length);
      assertEquals((double) (float) ((3 * 128L + 7) % 9973 / 9973.0), values[7]);
    }
    // tensors that are not fixed-length 1-D keep the struct form
    StructType d =
        spark()
            .read()
            .format("docarray")
            .option("embeddings", "array")
            .load(fixture("dtypes.protobuf").toString())
            .schema();
    assertTrue(d.apply("cube").dataType() instanceof StructType);
    assertTrue(d.apply("f16").dataType() instanceof StructType, "ragged lengths 3 and 5");
  }

  @Test
  void undeclaredKeysAreSkippedOrFailByOption() {
    String path = fixture("hetero.protobuf").toString();
    assertEquals(
        3, spark().read().format("docarray").schema("id STRING, x INT").load(path).count());
    Exception e =
        org.junit.jupiter.api.Assertions.assertThrows(
            Exception.class,
            () ->
                spark()
                    .read()
                    .format("docarray")
                    .schema("id STRING, x INT, shared STRING")
                    .option("failOnUndeclaredFields", "true")
                    .load(path)
                    .collectAsList());
    assertTrue(rootMessage(e).contains("does not declare"), rootMessage(e));
    List<Row> rows =
        spark()
            .read()
            .format("docarray")
            .schema("id STRING, x INT, shared STRING, _corrupt_record STRING")
            .option("failOnUndeclaredFields", "true")
            .option("mode", "PERMISSIVE")
            .load(path)
            .collectAsList();
    assertEquals(3, rows.size());
    long nullRows = rows.stream().filter(r -> r.isNullAt(0) && !r.isNullAt(3)).count();
    long kindA = rows.stream().filter(r -> !r.isNullAt(1)).count();
    assertEquals(
        3,
        nullRows + kindA,
        "KindA documents read, KindB documents become null rows with the error");
    assertTrue(nullRows >= 1 && kindA >= 1);
  }
}
