package org.docarray.spark.format;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.google.protobuf.CodedInputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.util.Base64;

/**
 * Writes a {@code NodeProto} as canonical JSON in the node form the fixture sidecars use: {@code
 * {"text": s}}, {@code {"integer": n}}, {@code {"float": x}} (NaN and infinities as strings),
 * {@code {"boolean": b}}, {@code {"blob_b64": ...}}, {@code {"ndarray": {"dtype", "shape",
 * "values"}}}, {@code {"doc": {...}}}, {@code {"doc_array": [...]}}, {@code {"list"|"tuple"|"set":
 * [...]}}, {@code {"dict": {...}}}, each with {@code "type": tag} when the node has one, and {@code
 * null} for None. This is the lossless form of columns whose element types vary (untyped {@code
 * list}, {@code dict}, {@code Any}), and a writer can turn it back into the same node.
 */
public final class NodeJsonWriter {
  private static final JsonFactory FACTORY = new JsonFactory();
  private final Limits limits;
  private final TensorView tensor = new TensorView();

  public NodeJsonWriter(Limits limits) {
    this.limits = limits;
  }

  /** JSON of the node in buf[off, off+len), or null for an empty (None) node. */
  public String nodeToJson(byte[] buf, int off, int len) {
    StringWriter w = new StringWriter(Math.max(16, len * 2));
    try (JsonGenerator g = FACTORY.createGenerator(w)) {
      if (!node(g, buf, off, len, 0)) return null;
    } catch (IOException e) {
      throw new MalformedDocumentException("node does not decode: " + e.getMessage(), off, e);
    }
    return w.toString();
  }

  /** JSON object of a whole DocProto's fields. */
  public String docToJson(byte[] buf, int off, int len) {
    StringWriter w = new StringWriter(Math.max(16, len * 2));
    try (JsonGenerator g = FACTORY.createGenerator(w)) {
      map(g, buf, off, len, 0);
    } catch (IOException e) {
      throw new MalformedDocumentException("document does not decode: " + e.getMessage(), off, e);
    }
    return w.toString();
  }

  private boolean node(JsonGenerator g, byte[] buf, int off, int len, int depth)
      throws IOException {
    depth(depth, off);
    CodedInputStream in = CodedInputStream.newInstance(buf, off, len);
    int field = 0;
    long scalar = 0;
    double dbl = 0;
    int cs = 0, cl = 0;
    String type = null;
    while (true) {
      int tag = in.readTag();
      if (tag == 0) break;
      int f = Wire.checkNodeField(tag, off + in.getTotalBytesRead());
      int wt = tag & 7;
      if (f != Wire.NODE_TYPE && field != 0 && field != f) {
        throw new MalformedDocumentException(
            "NodeProto sets both "
                + Wire.contentName(field)
                + " and "
                + Wire.contentName(f)
                + ", but they share one oneof",
            off + in.getTotalBytesRead());
      }
      if (f == Wire.NODE_INTEGER && wt == Wire.WT_VARINT) {
        field = f;
        scalar = in.readInt32();
      } else if (f == Wire.NODE_BOOLEAN && wt == Wire.WT_VARINT) {
        field = f;
        scalar = in.readBool() ? 1 : 0;
      } else if (f == Wire.NODE_FLOAT && wt == Wire.WT_FIXED64) {
        field = f;
        dbl = in.readDouble();
      } else if (f == Wire.NODE_TYPE && wt == Wire.WT_LEN) {
        type = in.readStringRequireUtf8();
      } else if (f >= Wire.NODE_TEXT && f <= Wire.NODE_DICT && wt == Wire.WT_LEN) {
        field = f;
        cl = in.readRawVarint32();
        cs = off + in.getTotalBytesRead();
        if (cl < 0 || cl > len - in.getTotalBytesRead()) {
          throw new MalformedDocumentException("length runs past the end of its node", cs);
        }
        in.skipRawBytes(cl);
      } else {
        throw Wire.unexpected("NodeProto", tag, off + in.getTotalBytesRead());
      }
    }
    if (field == 0) {
      g.writeNull();
      return false;
    }
    g.writeStartObject();
    switch (field) {
      case Wire.NODE_TEXT:
        g.writeStringField(
            "text", new String(buf, cs, cl, java.nio.charset.StandardCharsets.UTF_8));
        break;
      case Wire.NODE_INTEGER:
        g.writeNumberField("integer", (int) scalar);
        break;
      case Wire.NODE_FLOAT:
        g.writeFieldName("float");
        writeDouble(g, dbl);
        break;
      case Wire.NODE_BOOLEAN:
        g.writeBooleanField("boolean", scalar != 0);
        break;
      case Wire.NODE_BLOB:
        g.writeStringField(
            "blob_b64",
            Base64.getEncoder().encodeToString(java.util.Arrays.copyOfRange(buf, cs, cs + cl)));
        break;
      case Wire.NODE_NDARRAY:
        g.writeFieldName("ndarray");
        tensor(g, buf, cs, cl);
        break;
      case Wire.NODE_DOC:
        g.writeFieldName("doc");
        map(g, buf, cs, cl, depth + 1);
        break;
      case Wire.NODE_DICT:
        g.writeFieldName("dict");
        map(g, buf, cs, cl, depth + 1);
        break;
      case Wire.NODE_DOC_ARRAY:
        g.writeArrayFieldStart("doc_array");
        Wire.forEachRecord(buf, cs, cl, "DocListProto", (s, l) -> map(g, buf, s, l, depth + 1));
        g.writeEndArray();
        break;
      default:
        g.writeArrayFieldStart(Wire.contentName(field));
        Wire.forEachRecord(buf, cs, cl, "ListOfAnyProto", (s, l) -> node(g, buf, s, l, depth + 1));
        g.writeEndArray();
    }
    if (type != null) g.writeStringField("type", type);
    g.writeEndObject();
    return true;
  }

  private void map(JsonGenerator g, byte[] buf, int off, int len, int depth) throws IOException {
    depth(depth, off);
    g.writeStartObject();
    Wire.Entry e = new Wire.Entry();
    Wire.forEachRecord(
        buf,
        off,
        len,
        "DocProto",
        (s, l) -> {
          Wire.entry(buf, s, l, e);
          g.writeFieldName(e.key(buf));
          if (e.valueStart < 0) g.writeNull();
          else node(g, buf, e.valueStart, e.valueLength, depth + 1);
        });
    g.writeEndObject();
  }

  private void tensor(JsonGenerator g, byte[] buf, int off, int len) throws IOException {
    TensorView t = tensor.parse(buf, off, len, limits, false);
    g.writeStartObject();
    g.writeStringField("dtype", t.dtypeText);
    g.writeArrayFieldStart("shape");
    for (int d : t.shape) g.writeNumber(Integer.toUnsignedLong(d));
    g.writeEndArray();
    if (t.dtype != null && t.dtype.isNumeric()) {
      g.writeArrayFieldStart("values");
      ByteBuffer bb =
          ByteBuffer.wrap(t.data, t.bufferOffset, t.bufferLength)
              .slice()
              .order(t.dtype.byteOrder());
      int n = (int) t.elementCount;
      int size = t.dtype.itemSize();
      for (int i = 0; i < n; i++) {
        int p = i * size;
        switch (t.dtype.kind()) {
          case FLOAT:
            writeDouble(
                g,
                size == 2
                    ? Half.toFloat(bb.getShort(p))
                    : size == 4 ? bb.getFloat(p) : bb.getDouble(p));
            break;
          case INT:
            g.writeNumber(
                size == 1
                    ? bb.get(p)
                    : size == 2 ? bb.getShort(p) : size == 4 ? bb.getInt(p) : bb.getLong(p));
            break;
          case UINT:
            if (size == 8)
              g.writeNumber(new java.math.BigInteger(Long.toUnsignedString(bb.getLong(p))));
            else
              g.writeNumber(
                  size == 1
                      ? bb.get(p) & 0xffL
                      : size == 2 ? bb.getShort(p) & 0xffffL : bb.getInt(p) & 0xffffffffL);
            break;
          default:
            g.writeBoolean(bb.get(p) != 0);
        }
      }
      g.writeEndArray();
    } else {
      g.writeStringField(
          "buffer_b64",
          Base64.getEncoder()
              .encodeToString(
                  java.util.Arrays.copyOfRange(
                      t.data, t.bufferOffset, t.bufferOffset + t.bufferLength)));
    }
    g.writeEndObject();
  }

  private static void writeDouble(JsonGenerator g, double d) throws IOException {
    if (Double.isNaN(d)) g.writeString("NaN");
    else if (d == Double.POSITIVE_INFINITY) g.writeString("Infinity");
    else if (d == Double.NEGATIVE_INFINITY) g.writeString("-Infinity");
    else g.writeNumber(d);
  }

  private void depth(int depth, int off) {
    if (depth > limits.maxNestingDepth) {
      throw new MalformedDocumentException(
          "nodes nest deeper than maxNestingDepth (" + limits.maxNestingDepth + ")", off);
    }
  }
}
