package org.docarray.spark.format;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.docarray.spark.format.proto.DenseNdArrayProto;
import org.docarray.spark.format.proto.DictOfAnyProto;
import org.docarray.spark.format.proto.DocListProto;
import org.docarray.spark.format.proto.DocProto;
import org.docarray.spark.format.proto.ListOfAnyProto;
import org.docarray.spark.format.proto.NdArrayProto;
import org.docarray.spark.format.proto.NodeProto;

/**
 * A {@code json-array} file ({@code DocList.to_json()}, docarray-format.md §8), streamed one
 * document object at a time with Jackson, each turned into the {@code DocProto} a binary file would
 * hold. Tensors are nested number arrays in row-major order (dtype from the hints, float32 by
 * default; {@code null} elements are NaN, as DocArray writes NaN and infinities); a columnar {@code
 * DocVec.to_json()} object is refused with a message.
 */
public final class JsonArraySource extends AbstractDocumentSource {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final JsonParser parser;
  private final JsonHints hints;
  private final Limits limits;
  private boolean done;

  public JsonArraySource(InputStream in, String fileName, Limits limits, JsonHints hints)
      throws IOException {
    super(fileName);
    this.limits = limits;
    this.hints = hints == null ? JsonHints.NONE : hints;
    JsonFactory f = MAPPER.getFactory();
    // DocArray writes UTF-8 only: no encoding detection, and malformed UTF-8 is an error, not
    // U+FFFD
    this.parser =
        f.createParser(
            new java.io.InputStreamReader(
                in,
                java.nio.charset.StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)));
    JsonToken t;
    try {
      t = parser.nextToken();
    } catch (JsonParseException e) {
      throw new DocArrayFormatException(
          fileName, -1, tokenOffset(), "not JSON: " + e.getOriginalMessage(), e);
    } catch (DocArrayFormatException e) {
      throw e;
    } catch (IOException e) {
      throw new DocArrayFormatException(fileName, -1, tokenOffset(), "not UTF-8 JSON: " + e, e);
    }
    if (t == null) {
      throw new DocArrayFormatException(
          fileName, -1, 0, "empty file; an empty json-array DocList is '[]'");
    }
    if (t == JsonToken.START_OBJECT) {
      throw new DocArrayFormatException(
          fileName,
          -1,
          tokenOffset(),
          "a JSON object, not an array: a columnar "
              + "DocVec.to_json() file is not supported; save the DocList with protocol='json-array' or 'protobuf'");
    }
    if (t != JsonToken.START_ARRAY) {
      throw new DocArrayFormatException(
          fileName, -1, tokenOffset(), "expected a JSON array of documents, found " + t);
    }
  }

  private long tokenOffset() {
    return parser.getTokenLocation().getByteOffset();
  }

  @Override
  public boolean next() throws IOException {
    if (done) return false;
    JsonToken t;
    try {
      t = parser.nextToken();
      position = tokenOffset();
      if (t == JsonToken.END_ARRAY) {
        done = true;
        if (parser.nextToken() != null) {
          throw new DocArrayFormatException(
              fileName, index + 1, tokenOffset(), "trailing data after the JSON array");
        }
        return false;
      }
      if (t != JsonToken.START_OBJECT) {
        throw new DocArrayFormatException(
            fileName,
            index + 1,
            position,
            t == null
                ? "file ends inside the JSON array"
                : "expected a document object, found " + t);
      }
      JsonNode doc = MAPPER.readTree(parser);
      index++;
      payloadError = null;
      try {
        current(doc(doc, "", 0).toByteArray());
      } catch (MalformedDocumentException e) {
        // the JSON object was read whole, so the next document is still reachable
        payloadError = e.getMessage();
        current(new byte[0]);
      }
      return true;
    } catch (JsonParseException e) {
      throw new DocArrayFormatException(
          fileName, index + 1, tokenOffset(), "malformed JSON: " + e.getOriginalMessage(), e);
    } catch (MalformedDocumentException e) {
      throw new DocArrayFormatException(fileName, index, position, e.getMessage(), e);
    } catch (DocArrayFormatException e) {
      throw e;
    } catch (IOException e) {
      throw new DocArrayFormatException(
          fileName, index + 1, tokenOffset(), "not UTF-8 JSON: " + e, e);
    }
  }

  private DocProto doc(JsonNode obj, String path, int depth) {
    depth(depth);
    DocProto.Builder b = DocProto.newBuilder();
    for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      b.putData(
          e.getKey(),
          node(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey(), depth + 1));
    }
    return b.build();
  }

  private NodeProto node(JsonNode v, String path, int depth) {
    depth(depth);
    if (v == null || v.isNull()) return NodeProto.getDefaultInstance();
    JsonHints.Kind hint = hints.kind(path);
    NodeProto.Builder b = NodeProto.newBuilder();
    if (hint == JsonHints.Kind.TENSOR && (v.isArray() || v.isNumber() || v.isBoolean())) {
      return b.setNdarray(tensor(v, path, hints.dtype(path))).build();
    }
    if (v.isTextual()) {
      if (hint == JsonHints.Kind.BLOB)
        return b.setBlob(ByteString.copyFromUtf8(v.asText())).build();
      return b.setText(v.asText()).build();
    }
    if (v.isBoolean()) return b.setBoolean(v.asBoolean()).build();
    if (v.isIntegralNumber()) {
      if (v.canConvertToInt()) return b.setInteger(v.intValue()).build();
      return b.setFloat(v.doubleValue()).build();
    }
    if (v.isNumber()) return b.setFloat(v.doubleValue()).build();
    if (v.isObject()) {
      if (hint == JsonHints.Kind.DICT) {
        DictOfAnyProto.Builder d = DictOfAnyProto.newBuilder();
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          d.putData(e.getKey(), node(e.getValue(), path + "{}", depth + 1));
        }
        return b.setDict(d).build();
      }
      return b.setDoc(doc(v, path, depth + 1)).build();
    }
    // an array
    boolean allObjects = v.size() > 0;
    for (JsonNode x : v) allObjects &= x.isObject();
    if (hint == JsonHints.Kind.DOC_ARRAY || (hint == null && allObjects)) {
      DocListProto.Builder l = DocListProto.newBuilder();
      for (JsonNode x : v) {
        if (!x.isObject()) {
          throw new MalformedDocumentException(
              "'" + path + "' is a DocList but holds " + x.getNodeType(), -1);
        }
        l.addDocs(doc(x, path + "[]", depth + 1));
      }
      return b.setDocArray(l).build();
    }
    if (hint == null && v.size() > 0 && isRectangularNumeric(v)) {
      return b.setNdarray(tensor(v, path, null)).build();
    }
    ListOfAnyProto.Builder l = ListOfAnyProto.newBuilder();
    for (JsonNode x : v) l.addData(node(x, path + "[]", depth + 1));
    return b.setList(l).build();
  }

  /** Numbers (or booleans), possibly nested, with every level of equal length; nulls allowed. */
  private static boolean isRectangularNumeric(JsonNode v) {
    List<Integer> shape = new ArrayList<>();
    return shapeOf(v, shape) && walk(v, shape, 0);
  }

  private static boolean shapeOf(JsonNode v, List<Integer> shape) {
    JsonNode x = v;
    while (x.isArray()) {
      shape.add(x.size());
      if (x.size() == 0) return true;
      x = x.get(0);
    }
    return x.isNumber() || x.isBoolean() || x.isNull();
  }

  private static boolean walk(JsonNode v, List<Integer> shape, int level) {
    if (level == shape.size()) return v.isNumber() || v.isBoolean() || v.isNull();
    if (!v.isArray() || v.size() != shape.get(level)) return false;
    for (JsonNode x : v) if (!walk(x, shape, level + 1)) return false;
    return true;
  }

  private NdArrayProto tensor(JsonNode v, String path, String dtypeText) {
    List<Integer> shape = new ArrayList<>();
    if (!shapeOf(v, shape) || !walk(v, shape, 0)) {
      throw new MalformedDocumentException(
          "'" + path + "' is not a rectangular number array, so not a tensor", -1);
    }
    List<JsonNode> flat = new ArrayList<>();
    flatten(v, flat);
    if (flat.size() > limits.maxTensorElements) {
      throw new MalformedDocumentException(
          "'" + path + "' has more than maxTensorElements elements", -1);
    }
    boolean bools = !flat.isEmpty() && flat.stream().allMatch(JsonNode::isBoolean);
    DType dtype = DType.parse(dtypeText != null ? dtypeText : bools ? "|b1" : "<f4");
    ByteBuffer bb =
        ByteBuffer.allocate(flat.size() * dtype.itemSize()).order(ByteOrder.LITTLE_ENDIAN);
    for (JsonNode x : flat) put(bb, dtype, x, path);
    DenseNdArrayProto.Builder d =
        DenseNdArrayProto.newBuilder()
            .setBuffer(ByteString.copyFrom(bb.array()))
            .setDtype(dtype.littleEndianText());
    for (int s : shape) d.addShape(s);
    return NdArrayProto.newBuilder().setDense(d).build();
  }

  private static void flatten(JsonNode v, List<JsonNode> out) {
    if (v.isArray()) {
      for (JsonNode x : v) flatten(x, out);
    } else {
      out.add(v);
    }
  }

  private static void put(ByteBuffer bb, DType d, JsonNode x, String path) {
    switch (d.kind()) {
      case FLOAT:
        {
          double val =
              x.isNull() ? Double.NaN : x.isBoolean() ? (x.asBoolean() ? 1 : 0) : x.doubleValue();
          if (d.itemSize() == 2) bb.putShort(Half.fromFloat((float) val));
          else if (d.itemSize() == 4) bb.putFloat((float) val);
          else bb.putDouble(val);
          return;
        }
      case BOOL:
        bb.put((byte) (x.asBoolean() || (x.isNumber() && x.doubleValue() != 0) ? 1 : 0));
        return;
      case INT:
      case UINT:
        {
          if (!(x.isIntegralNumber() || x.isBoolean())) {
            throw new MalformedDocumentException(
                "'" + path + "' holds " + x + ", which is not an integer of dtype " + d, -1);
          }
          long l = x.isBoolean() ? (x.asBoolean() ? 1 : 0) : x.bigIntegerValue().longValue();
          switch (d.itemSize()) {
            case 1:
              bb.put((byte) l);
              return;
            case 2:
              bb.putShort((short) l);
              return;
            case 4:
              bb.putInt((int) l);
              return;
            default:
              bb.putLong(l);
              return;
          }
        }
      default:
        throw new MalformedDocumentException(
            "'" + path + "': dtype " + d + " cannot be read from JSON", -1);
    }
  }

  private void depth(int depth) {
    if (depth > limits.maxNestingDepth * 2) {
      throw new MalformedDocumentException(
          "JSON nests deeper than maxNestingDepth (" + limits.maxNestingDepth + ")", -1);
    }
  }

  @Override
  public void close() throws IOException {
    parser.close();
  }
}
