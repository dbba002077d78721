package org.docarray.spark.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.docarray.spark.schema.DocArrayMetadata;

/**
 * Compares Spark rows with a fixture sidecar ({@code F.expected.json}), field by field and value by
 * value. One helper for every golden test, so every fixture is held to the same rules.
 */
public final class SidecarAssert {
  public static final ObjectMapper JSON = new ObjectMapper();

  private SidecarAssert() {}

  public static JsonNode sidecar(Path file) {
    try {
      return JSON.readTree(
          file.getParent().resolve(file.getFileName() + ".expected.json").toFile());
    } catch (IOException e) {
      throw new RuntimeException(e);
    }
  }

  public static JsonNode sidecarOf(String fixtureName) {
    return sidecar(SparkTestBase.fixtures().resolve(fixtureName));
  }

  /** Every row against every sidecar document, in file order. */
  public static void assertRowsMatch(StructType schema, List<Row> rows, JsonNode docs) {
    assertEquals(docs.size(), rows.size(), "number of documents");
    for (int i = 0; i < rows.size(); i++) {
      assertDoc("docs[" + i + "]", schema, rows.get(i), docs.get(i));
    }
  }

  /** A document: every sidecar key present in the schema and equal, every other column null. */
  public static void assertDoc(String path, StructType schema, Row row, JsonNode doc) {
    for (StructField f : schema.fields()) {
      JsonNode n = doc.get(f.name());
      Object v = row.get(row.fieldIndex(f.name()));
      String p = path + "." + f.name();
      if (n == null) {
        assertNull(v, p + ": key absent from the document must read as null");
      } else {
        assertNode(p, f, f.dataType(), v, n);
      }
    }
    for (Iterator<String> it = doc.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      assertTrue(
          hasField(schema, k),
          path + ": document key '" + k + "' missing from the schema " + schema.simpleString());
    }
  }

  private static boolean hasField(StructType s, String name) {
    for (String n : s.fieldNames()) if (n.equals(name)) return true;
    return false;
  }

  /**
   * One node against one value; field is the StructField when the value sits directly in a struct.
   */
  public static void assertNode(
      String path, StructField field, DataType type, Object v, JsonNode n) {
    if (n.isNull()) {
      assertNull(v, path + ": None must read as null");
      return;
    }
    assertNotNull(v, path + ": a present value read as null; expected " + n);
    if (field != null && n.has("type") && field.metadata().contains(DocArrayMetadata.TAG)) {
      assertEquals(
          n.get("type").asText(),
          field.metadata().getString(DocArrayMetadata.TAG),
          path + ": tag in metadata");
    }
    if (field != null && DocArrayMetadata.isKind(field, DocArrayMetadata.KIND_JSON)) {
      assertJsonNode(path, n, parse((String) v));
      return;
    }
    if (n.has("text")) {
      assertEquals(n.get("text").asText(), v, path);
    } else if (n.has("integer")) {
      assertEquals(n.get("integer").asLong(), ((Number) v).longValue(), path);
      assertEquals(DataTypes.IntegerType, type, path + ": integers are IntegerType");
    } else if (n.has("float")) {
      assertDoubleEquals(path, n.get("float"), ((Number) v).doubleValue());
    } else if (n.has("boolean")) {
      assertEquals(n.get("boolean").asBoolean(), v, path);
    } else if (n.has("blob_b64")) {
      assertArrayEquals(Base64.getDecoder().decode(n.get("blob_b64").asText()), (byte[]) v, path);
    } else if (n.has("ndarray")) {
      assertTensor(path, type, v, n.get("ndarray"));
    } else if (n.has("doc")) {
      assertTrue(type instanceof StructType, path + ": doc must be a struct, is " + type);
      assertDoc(path, (StructType) type, (Row) v, n.get("doc"));
    } else if (n.has("doc_array")) {
      StructType et = (StructType) ((ArrayType) type).elementType();
      List<Row> list = ((Row) wrap(v)).getList(0);
      JsonNode docs = n.get("doc_array");
      assertEquals(docs.size(), list.size(), path + ": DocList length");
      for (int i = 0; i < docs.size(); i++)
        assertDoc(path + "[" + i + "]", et, list.get(i), docs.get(i));
    } else if ((n.has("list") || n.has("tuple")) && type instanceof StructType) {
      // a plain list of numbers in a tensor column (Mesh3D.embedding's default [1, 0, 1]) reads as
      // a 1-D tensor
      JsonNode items = n.has("list") ? n.get("list") : n.get("tuple");
      com.fasterxml.jackson.databind.node.ObjectNode t = JSON.createObjectNode();
      boolean ints = true;
      for (JsonNode x : items) ints &= x.has("integer");
      // typed columns compare values; the lossless form stores what numpy makes of the list
      t.put(
          "dtype", ints && ((StructType) type).getFieldIndex("buffer").isDefined() ? "<i8" : "<f8");
      t.putArray("shape").add(items.size());
      com.fasterxml.jackson.databind.node.ArrayNode values = t.putArray("values");
      for (JsonNode x : items) values.add(x.has("integer") ? x.get("integer") : x.get("float"));
      assertTensor(path, type, v, t);
    } else if (n.has("list") || n.has("tuple") || n.has("set")) {
      String kind = n.has("list") ? "list" : n.has("tuple") ? "tuple" : "set";
      DataType et = ((ArrayType) type).elementType();
      List<Object> list = ((Row) wrap(v)).getList(0);
      JsonNode items = n.get(kind);
      assertEquals(items.size(), list.size(), path + ": " + kind + " length");
      if (kind.equals("set")) {
        List<String> a = new ArrayList<>(), b = new ArrayList<>();
        for (JsonNode x : items) a.add(scalarText(x));
        for (Object x : list) b.add(String.valueOf(x));
        a.sort(null);
        b.sort(null);
        assertEquals(a, b, path + ": set elements");
      } else {
        for (int i = 0; i < items.size(); i++)
          assertNode(path + "[" + i + "]", null, et, list.get(i), items.get(i));
      }
    } else if (n.has("dict")) {
      DataType vt = ((MapType) type).valueType();
      Map<Object, Object> m = ((Row) wrap(v)).getJavaMap(0);
      JsonNode d = n.get("dict");
      assertEquals(d.size(), m.size(), path + ": dict size");
      for (Iterator<Map.Entry<String, JsonNode>> it = d.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        assertTrue(m.containsKey(e.getKey()), path + ": dict key " + e.getKey());
        assertNode(path + "{" + e.getKey() + "}", null, vt, m.get(e.getKey()), e.getValue());
      }
    } else {
      fail(path + ": unknown sidecar node " + n);
    }
  }

  /** Lets getList/getJavaMap convert Scala collections in both Scala 2.12 and 2.13. */
  private static Row wrap(Object v) {
    return org.apache.spark.sql.RowFactory.create(v);
  }

  private static String scalarText(JsonNode x) {
    if (x.has("integer")) return x.get("integer").asText();
    if (x.has("text")) return x.get("text").asText();
    if (x.has("float")) return Double.toString(x.get("float").asDouble());
    if (x.has("boolean")) return x.get("boolean").asText();
    return x.toString();
  }

  public static void assertTensor(String path, DataType type, Object v, JsonNode t) {
    StructType st = (StructType) type;
    Row r = (Row) v;
    List<Object> expectedShape = new ArrayList<>();
    for (JsonNode d : t.get("shape")) expectedShape.add(d.asInt());
    List<Object> shape = r.getList(r.fieldIndex("shape"));
    assertEquals(expectedShape, new ArrayList<>(shape), path + ": shape");
    String dtype = t.get("dtype").asText();
    JsonNode values = t.get("values");
    if (hasField(st, "buffer")) {
      assertEquals(dtype, r.getString(r.fieldIndex("dtype")), path + ": dtype");
      byte[] buffer = (byte[]) r.get(r.fieldIndex("buffer"));
      assertArrayEquals(expectedBuffer(dtype, values), buffer, path + ": buffer bytes");
      return;
    }
    DataType et = ((ArrayType) st.apply("data").dataType()).elementType();
    List<Object> data = r.getList(r.fieldIndex("data"));
    assertEquals(values.size(), data.size(), path + ": number of elements");
    for (int i = 0; i < values.size(); i++) {
      assertElement(path + ".data[" + i + "]", dtype, et, values.get(i), data.get(i));
    }
  }

  private static void assertElement(String path, String dtype, DataType et, JsonNode e, Object a) {
    if (et == DataTypes.BooleanType) {
      assertEquals(e.asBoolean(), a, path);
    } else if (et == DataTypes.FloatType) {
      float expected = (float) parseDouble(e);
      assertEquals(
          Float.floatToIntBits(expected),
          Float.floatToIntBits((Float) a),
          path + ": expected " + expected + " got " + a);
    } else if (et == DataTypes.DoubleType) {
      assertDoubleEquals(path, e, (Double) a);
    } else if (et instanceof DecimalType) {
      assertEquals(new BigInteger(e.asText()), ((BigDecimal) a).toBigIntegerExact(), path);
    } else {
      assertEquals(
          new BigInteger(e.asText()),
          BigInteger.valueOf(((Number) a).longValue()),
          path + " (" + dtype + ")");
    }
  }

  private static double parseDouble(JsonNode e) {
    if (e.isTextual()) {
      switch (e.asText()) {
        case "NaN":
          return Double.NaN;
        case "Infinity":
          return Double.POSITIVE_INFINITY;
        case "-Infinity":
          return Double.NEGATIVE_INFINITY;
        default:
          return Double.parseDouble(e.asText());
      }
    }
    return e.asDouble();
  }

  public static void assertDoubleEquals(String path, JsonNode e, double actual) {
    double expected = parseDouble(e);
    assertEquals(
        Double.doubleToLongBits(expected),
        Double.doubleToLongBits(actual),
        path + ": expected " + expected + " got " + actual);
  }

  /** The exact bytes numpy stores for these values under this dtype. */
  static byte[] expectedBuffer(String dtype, JsonNode values) {
    org.docarray.spark.format.DType d = org.docarray.spark.format.DType.parse(dtype);
    java.nio.ByteBuffer bb =
        java.nio.ByteBuffer.allocate(values.size() * d.itemSize()).order(d.byteOrder());
    for (JsonNode e : values) {
      switch (d.kind()) {
        case FLOAT:
          double x = parseDouble(e);
          if (d.itemSize() == 2) bb.putShort(org.docarray.spark.format.Half.fromFloat((float) x));
          else if (d.itemSize() == 4) bb.putFloat((float) x);
          else bb.putDouble(x);
          break;
        case BOOL:
          bb.put((byte) (e.asBoolean() ? 1 : 0));
          break;
        default:
          long l = new BigInteger(e.asText()).longValue();
          if (d.itemSize() == 1) bb.put((byte) l);
          else if (d.itemSize() == 2) bb.putShort((short) l);
          else if (d.itemSize() == 4) bb.putInt((int) l);
          else bb.putLong(l);
      }
    }
    return bb.array();
  }

  public static JsonNode parse(String json) {
    try {
      return JSON.readTree(json.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new RuntimeException(e);
    }
  }

  /** Node-form JSON equality: numbers by value, sets unordered. */
  public static void assertJsonNode(String path, JsonNode expected, JsonNode actual) {
    if (expected.isNumber() || actual.isNumber()) {
      assertTrue(
          expected.isNumber() && actual.isNumber(), path + ": " + expected + " vs " + actual);
      assertEquals(
          0,
          expected.decimalValue().compareTo(actual.decimalValue()),
          path + ": " + expected + " vs " + actual);
      return;
    }
    if (expected.isObject()) {
      assertTrue(actual.isObject(), path + ": expected object " + expected + ", got " + actual);
      assertEquals(
          expected.size(), actual.size(), path + ": keys of " + expected + " vs " + actual);
      for (Iterator<String> it = expected.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        assertTrue(actual.has(k), path + ": missing key " + k + " in " + actual);
        if (k.equals("set")) {
          List<String> a = new ArrayList<>(), b = new ArrayList<>();
          for (JsonNode x : expected.get(k)) a.add(x.toString());
          for (JsonNode x : actual.get(k)) b.add(x.toString());
          a.sort(null);
          b.sort(null);
          assertEquals(a, b, path + ".set");
        } else {
          assertJsonNode(path + "." + k, expected.get(k), actual.get(k));
        }
      }
      return;
    }
    if (expected.isArray()) {
      assertTrue(actual.isArray(), path + ": expected array");
      assertEquals(expected.size(), actual.size(), path + ": length");
      for (int i = 0; i < expected.size(); i++)
        assertJsonNode(path + "[" + i + "]", expected.get(i), actual.get(i));
      return;
    }
    assertEquals(expected, actual, path);
  }
}
