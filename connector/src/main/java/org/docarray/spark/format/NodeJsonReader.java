package org.docarray.spark.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import org.docarray.spark.format.proto.DenseNdArrayProto;
import org.docarray.spark.format.proto.DictOfAnyProto;
import org.docarray.spark.format.proto.DocListProto;
import org.docarray.spark.format.proto.DocProto;
import org.docarray.spark.format.proto.ListOfAnyProto;
import org.docarray.spark.format.proto.NdArrayProto;
import org.docarray.spark.format.proto.NodeProto;

/** The inverse of {@link NodeJsonWriter}: canonical node-form JSON back into the same NodeProto. */
public final class NodeJsonReader {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private NodeJsonReader() {}

  /** Parses node-form JSON; {@code null} JSON (or a null string) is an empty (None) node. */
  public static NodeProto parse(String json) {
    if (json == null) return NodeProto.getDefaultInstance();
    try {
      return node(MAPPER.readTree(json));
    } catch (IOException e) {
      throw new IllegalArgumentException("not node-form JSON: " + e.getMessage(), e);
    }
  }

  static NodeProto node(JsonNode n) {
    if (n == null || n.isNull()) return NodeProto.getDefaultInstance();
    if (!n.isObject())
      throw new IllegalArgumentException("a node must be a JSON object or null, not " + n);
    NodeProto.Builder b = NodeProto.newBuilder();
    if (n.has("type")) b.setType(n.get("type").asText());
    if (n.has("text")) return b.setText(n.get("text").asText()).build();
    if (n.has("integer")) return b.setInteger(n.get("integer").intValue()).build();
    if (n.has("float")) return b.setFloat(number(n.get("float"))).build();
    if (n.has("boolean")) return b.setBoolean(n.get("boolean").asBoolean()).build();
    if (n.has("blob_b64"))
      return b.setBlob(ByteString.copyFrom(Base64.getDecoder().decode(n.get("blob_b64").asText())))
          .build();
    if (n.has("ndarray")) return b.setNdarray(tensor(n.get("ndarray"))).build();
    if (n.has("doc")) return b.setDoc(doc(n.get("doc"))).build();
    if (n.has("doc_array")) {
      DocListProto.Builder l = DocListProto.newBuilder();
      for (JsonNode d : n.get("doc_array")) l.addDocs(doc(d));
      return b.setDocArray(l).build();
    }
    if (n.has("dict")) {
      DictOfAnyProto.Builder d = DictOfAnyProto.newBuilder();
      for (Iterator<Map.Entry<String, JsonNode>> it = n.get("dict").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        d.putData(e.getKey(), node(e.getValue()));
      }
      return b.setDict(d).build();
    }
    for (String kind : new String[] {"list", "tuple", "set"}) {
      if (n.has(kind)) {
        ListOfAnyProto.Builder l = ListOfAnyProto.newBuilder();
        for (JsonNode x : n.get(kind)) l.addData(node(x));
        if (kind.equals("list")) b.setList(l);
        else if (kind.equals("tuple")) b.setTuple(l);
        else b.setSet(l);
        return b.build();
      }
    }
    throw new IllegalArgumentException("unknown node kind in " + n);
  }

  static DocProto doc(JsonNode fields) {
    DocProto.Builder d = DocProto.newBuilder();
    for (Iterator<Map.Entry<String, JsonNode>> it = fields.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      d.putData(e.getKey(), node(e.getValue()));
    }
    return d.build();
  }

  private static double number(JsonNode x) {
    if (x.isTextual()) {
      switch (x.asText()) {
        case "NaN":
          return Double.NaN;
        case "Infinity":
          return Double.POSITIVE_INFINITY;
        case "-Infinity":
          return Double.NEGATIVE_INFINITY;
        default:
          return Double.parseDouble(x.asText());
      }
    }
    return x.doubleValue();
  }

  private static NdArrayProto tensor(JsonNode t) {
    DType d = DType.parse(t.get("dtype").asText());
    DenseNdArrayProto.Builder b = DenseNdArrayProto.newBuilder().setDtype(t.get("dtype").asText());
    for (JsonNode s : t.get("shape")) b.addShape((int) s.asLong());
    if (t.has("buffer_b64")) {
      b.setBuffer(ByteString.copyFrom(Base64.getDecoder().decode(t.get("buffer_b64").asText())));
    } else {
      JsonNode values = t.get("values");
      ByteBuffer bb = ByteBuffer.allocate(values.size() * d.itemSize()).order(d.byteOrder());
      for (JsonNode v : values) {
        switch (d.kind()) {
          case FLOAT:
            {
              double x = number(v);
              if (d.itemSize() == 2) bb.putShort(Half.fromFloat((float) x));
              else if (d.itemSize() == 4) bb.putFloat((float) x);
              else bb.putDouble(x);
              break;
            }
          case BOOL:
            bb.put((byte) (v.asBoolean() ? 1 : 0));
            break;
          default:
            {
              long l = v.bigIntegerValue().longValue();
              if (d.itemSize() == 1) bb.put((byte) l);
              else if (d.itemSize() == 2) bb.putShort((short) l);
              else if (d.itemSize() == 4) bb.putInt((int) l);
              else bb.putLong(l);
            }
        }
      }
      b.setBuffer(ByteString.copyFrom(bb.array()));
    }
    return NdArrayProto.newBuilder().setDense(b).build();
  }
}
