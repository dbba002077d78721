package org.docarray.spark.write;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.util.ArrayBasedMapData;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.docarray.spark.config.DocArrayWriteConf;
import org.docarray.spark.format.proto.DenseNdArrayProto;
import org.docarray.spark.format.proto.DocProto;
import org.docarray.spark.format.proto.NodeProto;
import org.docarray.spark.schema.TensorTypes;
import org.junit.jupiter.api.Test;

/**
 * The compiled writer alone, without a Spark job: rows in, DocArray's messages out, value by value.
 */
class DocEncoderTest {
  private static DocArrayWriteConf conf(String... kv) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
    return new DocArrayWriteConf(m);
  }

  private static UTF8String s(String v) {
    return UTF8String.fromString(v);
  }

  private static GenericInternalRow row(Object... values) {
    return new GenericInternalRow(values);
  }

  private static byte[] le(float... xs) {
    ByteBuffer b = ByteBuffer.allocate(4 * xs.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float x : xs) b.putFloat(x);
    return b.array();
  }

  @Test
  void scalarsNullsAndTheId() {
    StructType schema =
        StructType.fromDDL(
            "id STRING, text STRING, n INT, small SMALLINT, big BIGINT, "
                + "x DOUBLE, f FLOAT, ok BOOLEAN, raw BINARY, missing STRING");
    DocProto d =
        new DocEncoder(schema, conf())
            .encode(
                row(
                    s("a1"),
                    s("héllo"),
                    7,
                    (short) -3,
                    5L,
                    0.5,
                    1.5f,
                    false,
                    new byte[] {0, 1, 2},
                    null));
    Map<String, NodeProto> m = d.getDataMap();
    assertEquals("a1", m.get("id").getText());
    assertEquals("héllo", m.get("text").getText());
    assertEquals(7, m.get("n").getInteger());
    assertEquals(-3, m.get("small").getInteger());
    assertEquals(5, m.get("big").getInteger());
    assertEquals(0.5, m.get("x").getFloat());
    assertEquals(1.5, m.get("f").getFloat());
    assertEquals(
        NodeProto.ContentCase.BOOLEAN, m.get("ok").getContentCase(), "false is set, not left out");
    assertFalse(m.get("ok").getBoolean());
    assertArrayEquals(new byte[] {0, 1, 2}, m.get("raw").getBlob().toByteArray());
    assertEquals(
        NodeProto.ContentCase.CONTENT_NOT_SET, m.get("missing").getContentCase(), "null is None");
    assertEquals(10, m.size());

    DocProto ignored =
        new DocEncoder(StructType.fromDDL("text STRING"), conf("ignoreNullFields", "true"))
            .encode(row((Object) null));
    assertFalse(ignored.getDataMap().containsKey("text"), "ignoreNullFields leaves the field out");
    assertEquals(
        32, ignored.getDataMap().get("id").getText().length(), "a row without id gets a fresh one");
    assertEquals("id", ignored.getDataMap().get("id").getType());
  }

  @Test
  void longsBeyondInt32AreAnErrorOrText() {
    StructType schema = StructType.fromDDL("big BIGINT");
    DocEncoder.UnwritableValueException e =
        assertThrows(
            DocEncoder.UnwritableValueException.class,
            () -> new DocEncoder(schema, conf()).encode(row(1L << 40)));
    assertTrue(
        e.getMessage().contains("'big'") && e.getMessage().contains("1099511627776"),
        e.getMessage());
    assertEquals(
        "1099511627776",
        new DocEncoder(schema, conf("unsupportedTypes", "text"))
            .encode(row(1L << 40))
            .getDataMap()
            .get("big")
            .getText());
    assertThrows(
        DocEncoder.UnwritableValueException.class,
        () -> new DocEncoder(StructType.fromDDL("t TIMESTAMP"), conf()),
        "refused when the schema is compiled");
  }

  @Test
  void arraysAreTensorsListsOrDocLists() {
    StructType schema =
        StructType.fromDDL(
            "emb ARRAY<FLOAT>, holes ARRAY<INT>, words ARRAY<STRING>, "
                + "kids ARRAY<STRUCT<name: STRING, age: INT>>, scores MAP<STRING, DOUBLE>");
    GenericArrayData kids =
        new GenericArrayData(new Object[] {row(s("ann"), 3), row(s("bo"), null)});
    ArrayBasedMapData scores =
        new ArrayBasedMapData(
            new GenericArrayData(new Object[] {s("math")}),
            new GenericArrayData(new Object[] {0.25}));
    DocProto d =
        new DocEncoder(schema, conf())
            .encode(
                row(
                    new GenericArrayData(new float[] {1f, -2.5f}),
                    new GenericArrayData(new Object[] {1, null}),
                    new GenericArrayData(new Object[] {s("a"), s("b")}),
                    kids,
                    scores));
    Map<String, NodeProto> m = d.getDataMap();
    DenseNdArrayProto emb = m.get("emb").getNdarray().getDense();
    assertEquals("ndarray", m.get("emb").getType());
    assertEquals("<f4", emb.getDtype());
    assertEquals(java.util.List.of(2), emb.getShapeList());
    assertArrayEquals(
        le(1f, -2.5f), emb.getBuffer().toByteArray(), "float32 little-endian, one bulk copy");
    assertEquals(
        NodeProto.ContentCase.LIST,
        m.get("holes").getContentCase(),
        "a null element: a list, not a tensor");
    assertEquals(1, m.get("holes").getList().getData(0).getInteger());
    assertEquals(
        NodeProto.ContentCase.CONTENT_NOT_SET,
        m.get("holes").getList().getData(1).getContentCase());
    assertEquals("b", m.get("words").getList().getData(1).getText());
    assertEquals(2, m.get("kids").getDocArray().getDocsCount());
    assertEquals("ann", m.get("kids").getDocArray().getDocs(0).getDataMap().get("name").getText());
    assertEquals(
        NodeProto.ContentCase.CONTENT_NOT_SET,
        m.get("kids").getDocArray().getDocs(1).getDataMap().get("age").getContentCase());
    assertEquals(0.25, m.get("scores").getDict().getDataMap().get("math").getFloat());
  }

  @Test
  void metadataChoosesTagsDtypesAndListKinds() {
    Metadata half =
        new MetadataBuilder()
            .putString("docarray.dtype", "<f2")
            .putString("docarray.tag", "torch_tensor")
            .build();
    Metadata tuple = new MetadataBuilder().putString("docarray.kind", "tuple").build();
    StructType schema =
        new StructType()
            .add("h", DataTypes.createArrayType(DataTypes.FloatType), true, half)
            .add("t", DataTypes.createArrayType(DataTypes.IntegerType), true, tuple);
    DocProto d =
        new DocEncoder(schema, conf())
            .encode(
                row(
                    new GenericArrayData(new float[] {1f, 0.5f}),
                    new GenericArrayData(new int[] {4, 5})));
    NodeProto h = d.getDataMap().get("h");
    assertEquals("ndarray", h.getType(), "torch tags become numpy's unless keepFrameworkTags");
    assertEquals("<f2", h.getNdarray().getDense().getDtype());
    assertArrayEquals(
        new byte[] {0, 0x3c, 0, 0x38}, h.getNdarray().getDense().getBuffer().toByteArray());
    assertEquals(NodeProto.ContentCase.TUPLE, d.getDataMap().get("t").getContentCase());
    assertEquals(
        "torch_tensor",
        new DocEncoder(schema, conf("keepFrameworkTags", "true"))
            .encode(row(new GenericArrayData(new float[] {1f}), null))
            .getDataMap()
            .get("h")
            .getType());
  }

  @Test
  void tensorStructsKeepShapeAndEachDocumentsDtype() {
    StructType schema =
        new StructType().add("img", TensorTypes.typedWithDtype(DataTypes.DoubleType));
    DocEncoder enc = new DocEncoder(schema, conf());
    InternalRow r =
        row(
            row(
                s("|u1"),
                new GenericArrayData(new int[] {1, 2}),
                new GenericArrayData(new double[] {255, 7})));
    DenseNdArrayProto t = enc.encode(r).getDataMap().get("img").getNdarray().getDense();
    assertEquals("|u1", t.getDtype(), "the document's own dtype");
    assertEquals(java.util.List.of(1, 2), t.getShapeList());
    assertArrayEquals(new byte[] {(byte) 255, 7}, t.getBuffer().toByteArray());
    DocEncoder.UnwritableValueException e =
        assertThrows(
            DocEncoder.UnwritableValueException.class,
            () ->
                enc.encode(
                    row(
                        row(
                            s("|u1"),
                            new GenericArrayData(new int[] {1}),
                            new GenericArrayData(new double[] {256})))));
    assertTrue(e.getMessage().contains("'img'") && e.getMessage().contains("256"), e.getMessage());
    e =
        assertThrows(
            DocEncoder.UnwritableValueException.class,
            () ->
                enc.encode(
                    row(
                        row(
                            s("<f8"),
                            new GenericArrayData(new int[] {3}),
                            new GenericArrayData(new double[] {1})))));
    assertTrue(e.getMessage().contains("shape [3] needs 3"), e.getMessage());
  }

  @Test
  void absentFieldsStayAbsent() {
    StructType schema = StructType.fromDDL("a STRING, gone ARRAY<STRING>, b INT");
    DocProto d =
        new DocEncoder(schema, conf("absentFieldsColumn", "gone"))
            .encode(row(null, new GenericArrayData(new Object[] {s("a")}), null));
    assertFalse(d.getDataMap().containsKey("a"), "listed as absent: left out");
    assertFalse(d.getDataMap().containsKey("gone"), "the column itself is not written");
    assertEquals(
        NodeProto.ContentCase.CONTENT_NOT_SET,
        d.getDataMap().get("b").getContentCase(),
        "not listed: None");
    assertThrows(
        DocEncoder.UnwritableValueException.class,
        () -> new DocEncoder(schema, conf("absentFieldsColumn", "nope")));
  }
}
