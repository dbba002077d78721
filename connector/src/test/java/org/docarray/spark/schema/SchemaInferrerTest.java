package org.docarray.spark.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.docarray.spark.format.Limits;
import org.docarray.spark.format.proto.DenseNdArrayProto;
import org.docarray.spark.format.proto.DocListProto;
import org.docarray.spark.format.proto.DocProto;
import org.docarray.spark.format.proto.NdArrayProto;
import org.docarray.spark.format.proto.NodeProto;
import org.junit.jupiter.api.Test;

/** Schema inference over documents' bytes, without a Spark job or a file. */
class SchemaInferrerTest {
  private static NodeProto text(String s) {
    return NodeProto.newBuilder().setText(s).build();
  }

  private static NodeProto tensor(String dtype, int... shape) {
    DenseNdArrayProto.Builder d = DenseNdArrayProto.newBuilder().setDtype(dtype);
    int n = 1;
    for (int s : shape) {
      d.addShape(s);
      n *= s;
    }
    d.setBuffer(ByteString.copyFrom(new byte[n * Integer.parseInt(dtype.substring(2))]));
    return NodeProto.newBuilder()
        .setNdarray(NdArrayProto.newBuilder().setDense(d))
        .setType("ndarray")
        .build();
  }

  private static StructType infer(boolean binary, DocProto... docs) {
    SchemaInferrer inferrer = new SchemaInferrer(Limits.defaults());
    for (DocProto d : docs) {
      byte[] b = d.toByteArray();
      inferrer.add(b, 0, b.length);
    }
    return new SparkSchemaMapper(binary).toSpark(inferrer.result());
  }

  @Test
  void fieldsAcrossDocumentsNestedAndTensors() {
    DocProto a =
        DocProto.newBuilder()
            .putData("id", text("1"))
            .putData("n", NodeProto.newBuilder().setInteger(3).build())
            .putData("emb", tensor("<f4", 4))
            .putData(
                "kids",
                NodeProto.newBuilder()
                    .setDocArray(
                        DocListProto.newBuilder()
                            .addDocs(DocProto.newBuilder().putData("name", text("x"))))
                    .build())
            .build();
    DocProto b =
        DocProto.newBuilder()
            .putData("id", text("2"))
            .putData("extra", NodeProto.newBuilder().setFloat(1.5).build())
            .putData("emb", tensor("<f4", 4))
            .build();
    StructType s = infer(false, a, b);
    assertEquals(DataTypes.StringType, s.apply("id").dataType());
    assertEquals(
        DataTypes.DoubleType,
        s.apply("extra").dataType(),
        "a field of only some documents is kept");
    assertTrue(
        s.apply("n").dataType() == DataTypes.IntegerType
            || s.apply("n").dataType() == DataTypes.LongType,
        s.apply("n").dataType().simpleString());
    StructType emb = (StructType) s.apply("emb").dataType();
    assertTrue(TensorTypes.holdsTensor(emb), emb.simpleString());
    assertEquals(
        DataTypes.createArrayType(DataTypes.FloatType, false),
        emb.apply(TensorTypes.DATA).dataType());
    assertEquals("array<struct<name:string>>", s.apply("kids").dataType().simpleString());
    StructType binary = infer(true, a);
    assertEquals(TensorTypes.binary(), binary.apply("emb").dataType(), "tensorMode=binary");
  }

  @Test
  void dtypesThatDisagreeKeepEachDocumentsDtype() {
    DocProto a = DocProto.newBuilder().putData("t", tensor("<i4", 2)).build();
    DocProto b = DocProto.newBuilder().putData("t", tensor("<f8", 2)).build();
    StructType t = (StructType) infer(false, a, b).apply("t").dataType();
    assertTrue(
        TensorTypes.hasField(t, TensorTypes.DTYPE),
        "per-document dtype column: " + t.simpleString());
    assertEquals(
        DataTypes.createArrayType(DataTypes.DoubleType, false),
        t.apply(TensorTypes.DATA).dataType());
  }

  @Test
  void aMalformedDocumentIsAnError() {
    SchemaInferrer inferrer = new SchemaInferrer(Limits.defaults());
    byte[] junk = {0x0a, 0x7f, 0x01};
    assertThrows(RuntimeException.class, () -> inferrer.add(junk, 0, junk.length));
  }
}
