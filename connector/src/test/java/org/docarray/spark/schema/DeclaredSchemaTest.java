package org.docarray.spark.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.docarray.spark.testing.SidecarAssert;
import org.docarray.spark.testing.SparkTestBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Option docarraySchema: a class spec or pydantic JSON schema the user already has. */
class DeclaredSchemaTest extends SparkTestBase {

  static Stream<String> fixturesWithClasses() throws IOException {
    return Stream.concat(SparkTestBase.binaryDocListFixtures(), SparkTestBase.jsonArrayFixtures())
        .filter(n -> !n.startsWith("hetero")); // AnyDoc: no classes to declare
  }

  /** Field path to (type, kind, tag, dtype) for every position where inference saw a value. */
  static Map<String, String> shape(StructType s, boolean onlySeen) {
    Map<String, String> out = new TreeMap<>();
    walk("", s, onlySeen, out);
    return out;
  }

  private static void walk(String path, StructType s, boolean onlySeen, Map<String, String> out) {
    for (StructField f : s.fields()) {
      String p = path + "/" + f.name();
      String kind = DocArrayMetadata.getString(f, DocArrayMetadata.KIND);
      if (onlySeen && kind == null) continue;
      DataType t = f.dataType();
      boolean tensor = DocArrayMetadata.KIND_TENSOR.equals(kind);
      if (t instanceof StructType && !tensor) {
        walk(p, (StructType) t, onlySeen, out);
        out.put(p, "struct");
      } else if (t instanceof ArrayType
          && ((ArrayType) t).elementType() instanceof StructType
          && !tensor) {
        walk(p + "[]", (StructType) ((ArrayType) t).elementType(), onlySeen, out);
        out.put(p, "array<struct> " + kind);
      } else {
        out.put(
            p,
            t.simpleString()
                + " "
                + kind
                + " "
                + DocArrayMetadata.getString(f, DocArrayMetadata.DTYPE));
        String tag = DocArrayMetadata.getString(f, DocArrayMetadata.TAG);
        if (tag != null) out.put(p + "#tag", tag);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixturesWithClasses")
  void classSpecGivesTheSchemaInferenceFindsAndReadsExactly(String fixture) {
    Path sidecar = fixtures().resolve(fixture + ".expected.json");
    Dataset<Row> declared =
        spark()
            .read()
            .format("docarray")
            .option("docarraySchema", sidecar.toString())
            .load(fixture(fixture).toString());
    Map<String, String> inferred = shape(read(fixture).schema(), true);
    Map<String, String> fromSpec = shape(declared.schema(), false);
    // same types, kinds and dtypes wherever the data shows a value, and the same tags where the
    // file has
    // them (json-array files carry no tags: the declaration adds them)
    for (Map.Entry<String, String> e : inferred.entrySet()) {
      // where the documents disagree on a field's kind (Mesh3D.embedding: a tensor in one, the
      // plain list
      // [1, 0, 1] in another) inference keeps the nodes as JSON; the declaration says what they
      // mean
      if (e.getValue().contains(" json ")) continue;
      assertEquals(
          e.getValue(),
          fromSpec.get(e.getKey()),
          fixture + ": " + e.getKey() + " (declared " + fromSpec + ")");
    }
    JsonNode s = SidecarAssert.sidecarOf(fixture);
    List<Row> rows = declared.collectAsList();
    assertEquals(s.get("num_docs").asInt(), rows.size());
    SidecarAssert.assertRowsMatch(declared.schema(), rows, s.get("docs"));
  }

  @Test
  void declaredTypesWinWhereTheDataOnlyHasNone() {
    StructType s =
        spark()
            .read()
            .format("docarray")
            .option(
                "docarraySchema", fixtures().resolve("students.protobuf.expected.json").toString())
            .load(fixture("students.protobuf").toString())
            .schema();
    StructType title =
        (StructType) ((StructType) s.apply("thesis").dataType()).apply("title").dataType();
    assertEquals(
        DataTypes.BinaryType,
        title.apply("bytes_").dataType(),
        "Optional[bytes], None in every document");
    assertEquals(List.of("id", "thesis"), List.of(s.fieldNames()), "class order, id first");
  }

  @Test
  void inlineClassSpecWithoutData() {
    String spec =
        "{\"root\": \"Clip\", \"classes\": {\"Clip\": {\"fields\": {"
            + "\"url\": {\"type\": \"VideoUrl\"}, \"frames\": {\"type\": \"VideoNdArray[8, 3]\"}, \"tags\": {\"type\": \"List[str]\"},"
            + "\"scores\": {\"type\": \"Dict[str, float]\"}, \"extra\": {\"type\": \"dict\"}, \"audio\": {\"type\": \"AudioDoc\"}}}}}";
    StructType s =
        spark()
            .read()
            .format("docarray")
            .option("docarraySchema", spec)
            .load(fixture("empty.protobuf").toString())
            .schema();
    assertEquals("video_url", DocArrayMetadata.getString(s.apply("url"), DocArrayMetadata.TAG));
    assertEquals("[8,3]", DocArrayMetadata.getString(s.apply("frames"), DocArrayMetadata.SHAPE));
    assertEquals(DataTypes.createArrayType(DataTypes.StringType, true), s.apply("tags").dataType());
    assertTrue(s.apply("scores").dataType() instanceof MapType);
    assertEquals(
        DocArrayMetadata.KIND_JSON,
        DocArrayMetadata.getString(s.apply("extra"), DocArrayMetadata.KIND));
    assertTrue(
        ((StructType) s.apply("audio").dataType()).apply("frame_rate").dataType()
            == DataTypes.IntegerType);
  }

  @Test
  void pydanticV1AndV2JsonSchemas() {
    for (String file : new String[] {"pages.pydantic-v1.json", "pages.pydantic-v2.json"}) {
      String path =
          Paths.get(System.getProperty("docarray.fixtures"))
              .getParent()
              .resolve("schemas")
              .resolve(file)
              .toString();
      Dataset<Row> df =
          spark()
              .read()
              .format("docarray")
              .option("docarraySchema", path)
              .load(fixture("pages.protobuf").toString());
      assertEquals(
          List.of("id", "page_no", "title", "chunks"), List.of(df.schema().fieldNames()), file);
      ArrayType chunks = (ArrayType) df.schema().apply("chunks").dataType();
      assertTrue(
          chunks.elementType() instanceof StructType,
          file + ": DocList of Chunk (v1 learns the class from the data)");
      SidecarAssert.assertRowsMatch(
          df.schema(), df.collectAsList(), SidecarAssert.sidecarOf("pages.protobuf").get("docs"));
    }
    String students =
        Paths.get(System.getProperty("docarray.fixtures"))
            .getParent()
            .resolve("schemas")
            .resolve("students.pydantic-v1.json")
            .toString();
    Dataset<Row> df =
        spark()
            .read()
            .format("docarray")
            .option("docarraySchema", students)
            .load(fixture("students.protobuf").toString());
    SidecarAssert.assertRowsMatch(
        df.schema(), df.collectAsList(), SidecarAssert.sidecarOf("students.protobuf").get("docs"));
  }

  @Test
  void userSchemaWinsOverDocarraySchema() {
    StructType s =
        spark()
            .read()
            .format("docarray")
            .schema("id STRING")
            .option(
                "docarraySchema", fixtures().resolve("students.protobuf.expected.json").toString())
            .load(fixture("students.protobuf").toString())
            .schema();
    assertEquals(List.of("id"), List.of(s.fieldNames()));
  }

  static List<String> names(StructType s) {
    return Stream.of(s.fieldNames()).collect(Collectors.toList());
  }
}
