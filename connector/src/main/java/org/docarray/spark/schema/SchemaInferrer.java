package org.docarray.spark.schema;

import com.google.protobuf.CodedInputStream;
import java.io.IOException;
import org.docarray.spark.format.Limits;
import org.docarray.spark.format.MalformedDocumentException;
import org.docarray.spark.format.TensorView;
import org.docarray.spark.format.Wire;
import org.docarray.spark.schema.InferredType.Kind;

/**
 * Learns the union type of documents from their {@code DocProto} bytes. Files carry no class name,
 * so the schema is the union of the keys seen (docarray-format.md §11).
 */
public final class SchemaInferrer {
  private final Limits limits;
  private final TensorView tensor = new TensorView();
  private InferredType root = InferredType.of(Kind.DOC);
  private long documents;

  public SchemaInferrer(Limits limits) {
    this.limits = limits;
  }

  /** Merges one document. */
  /**
   * Where the next documents come from ("file F, document N"), named by errors about what they
   * hold.
   */
  private String source;

  public void source(String where) {
    this.source = where;
  }

  public void add(byte[] buf, int off, int len) {
    root = InferredType.merge(root, doc(buf, off, len, 0));
    documents++;
  }

  public InferredType result() {
    return root;
  }

  public long documents() {
    return documents;
  }

  private InferredType doc(byte[] buf, int off, int len, int depth) {
    if (depth > limits.maxNestingDepth) {
      throw new MalformedDocumentException(
          "documents nest deeper than maxNestingDepth (" + limits.maxNestingDepth + ")", off);
    }
    InferredType t = InferredType.of(Kind.DOC);
    Wire.Entry e = new Wire.Entry();
    try {
      Wire.forEachRecord(
          buf,
          off,
          len,
          "DocProto",
          (s, l) -> {
            Wire.entry(buf, s, l, e);
            String key = e.key(buf);
            InferredType value =
                e.valueStart < 0
                    ? InferredType.of(Kind.NULL)
                    : node(buf, e.valueStart, e.valueLength, depth + 1);
            t.fields.put(key, InferredType.merge(t.fields.get(key), value));
          });
    } catch (IOException ex) {
      throw new MalformedDocumentException("not a DocProto: " + ex.getMessage(), off, ex);
    }
    return t;
  }

  /** Type of one NodeProto. */
  InferredType node(byte[] buf, int off, int len, int depth) throws IOException {
    if (depth > limits.maxNestingDepth) {
      throw new MalformedDocumentException(
          "nodes nest deeper than maxNestingDepth (" + limits.maxNestingDepth + ")", off);
    }
    CodedInputStream in = CodedInputStream.newInstance(buf, off, len);
    InferredType t = null;
    String typeTag = null;
    while (true) {
      int tag = in.readTag();
      if (tag == 0) break;
      int field = Wire.checkNodeField(tag, off + in.getTotalBytesRead());
      int wt = tag & 7;
      if (t != null && field != Wire.NODE_TYPE) {
        throw new MalformedDocumentException(
            "NodeProto sets two content fields of one oneof", off + in.getTotalBytesRead());
      }
      switch (field) {
        case Wire.NODE_TEXT:
          in.skipField(tag);
          t = InferredType.of(Kind.TEXT);
          break;
        case Wire.NODE_INTEGER:
          in.skipField(tag);
          t = InferredType.of(Kind.INTEGER);
          break;
        case Wire.NODE_FLOAT:
          in.skipField(tag);
          t = InferredType.of(Kind.FLOAT);
          break;
        case Wire.NODE_BOOLEAN:
          in.skipField(tag);
          t = InferredType.of(Kind.BOOLEAN);
          break;
        case Wire.NODE_BLOB:
          in.skipField(tag);
          t = InferredType.of(Kind.BLOB);
          break;
        case Wire.NODE_TYPE:
          if (wt != Wire.WT_LEN)
            throw new MalformedDocumentException("NodeProto.type has wire type " + wt, off);
          typeTag = in.readStringRequireUtf8();
          break;
        case Wire.NODE_NDARRAY:
        case Wire.NODE_DOC:
        case Wire.NODE_DOC_ARRAY:
        case Wire.NODE_LIST:
        case Wire.NODE_SET:
        case Wire.NODE_TUPLE:
        case Wire.NODE_DICT:
          {
            if (wt != Wire.WT_LEN) {
              throw new MalformedDocumentException(
                  "NodeProto field " + field + " has wire type " + wt + ", expected a message",
                  off);
            }
            int l = in.readRawVarint32();
            int s = off + in.getTotalBytesRead();
            Wire.checkLength(l, len - in.getTotalBytesRead(), s);
            t = content(field, buf, s, l, depth);
            in.skipRawBytes(l);
            break;
          }
        default:
          in.skipField(tag);
      }
    }
    if (t == null) return InferredType.of(Kind.NULL);
    if (typeTag != null && t.tag == null) t.tag = typeTag;
    return t;
  }

  private InferredType content(int field, byte[] buf, int s, int l, int depth) throws IOException {
    switch (field) {
      case Wire.NODE_NDARRAY:
        {
          tensor.parse(buf, s, l, limits, false);
          InferredType t = InferredType.tensor(tensor.dtypeText, source);
          t.fixedLength = tensor.shape.length == 1 ? Integer.toUnsignedLong(tensor.shape[0]) : -1;
          return t;
        }
      case Wire.NODE_DOC:
        return doc(buf, s, l, depth + 1);
      case Wire.NODE_DOC_ARRAY:
        {
          InferredType t = InferredType.of(Kind.DOC_ARRAY);
          Wire.forEachRecord(
              buf,
              s,
              l,
              "DocListProto",
              (ds, dl) -> {
                InferredType d = doc(buf, ds, dl, depth + 1);
                for (var e : d.fields.entrySet())
                  t.fields.put(
                      e.getKey(), InferredType.merge(t.fields.get(e.getKey()), e.getValue()));
              });
          return t;
        }
      case Wire.NODE_LIST:
      case Wire.NODE_SET:
      case Wire.NODE_TUPLE:
        {
          InferredType t = InferredType.of(Kind.LIST);
          t.container = Wire.contentName(field);
          Wire.forEachRecord(
              buf,
              s,
              l,
              "ListOfAnyProto",
              (es, el) -> {
                t.element = InferredType.merge(t.element, node(buf, es, el, depth + 1));
                if (t.element == null) t.element = InferredType.of(Kind.NULL);
              });
          if (t.element != null && t.element.kind == Kind.ANY) return InferredType.of(Kind.ANY);
          return t;
        }
      case Wire.NODE_DICT:
        {
          InferredType t = InferredType.of(Kind.DICT);
          InferredType asDoc = doc(buf, s, l, depth + 1);
          for (InferredType v : asDoc.fields.values()) {
            t.element = InferredType.merge(t.element, v);
          }
          if (t.element != null && t.element.kind == Kind.ANY) return InferredType.of(Kind.ANY);
          return t;
        }
      default:
        throw new AssertionError(field);
    }
  }
}
