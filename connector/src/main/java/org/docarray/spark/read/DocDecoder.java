package org.docarray.spark.read;

import com.google.protobuf.CodedInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.util.ArrayBasedMapData;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.docarray.spark.format.Limits;
import org.docarray.spark.format.MalformedDocumentException;
import org.docarray.spark.format.NodeJsonWriter;
import org.docarray.spark.format.TensorView;
import org.docarray.spark.format.Wire;
import org.docarray.spark.schema.DocArrayMetadata;
import org.docarray.spark.schema.TensorTypes;

/**
 * Decodes {@code DocProto} bytes into Spark rows of a required schema. The schema is compiled once
 * into a plan (field name to slot and converter); the per-document loop then only walks the wire:
 * keys the schema does not ask for are skipped by length without looking inside.
 */
public final class DocDecoder {
  private final DocPlan root;
  private final Limits limits;

  /**
   * Bytes of fields skipped without decoding (column pruning) and of tensor buffers decoded: for
   * the UI metrics.
   */
  private long skippedBytes;

  private long tensorBytes;

  public long skippedBytes() {
    return skippedBytes;
  }

  public long tensorBytes() {
    return tensorBytes;
  }

  /** Pushed filters over the top-level row, or null. */
  private DocumentFilter filter;

  /** Per top-level slot: does a pushed filter read it. */
  private boolean[] filtered;

  /** Which entries {@link #entry} decodes: all, only those the filters read, or only the others. */
  private static final int ALL = 0, FILTERED = 1, UNFILTERED = 2;

  /**
   * Judges documents by these filters before decoding the rest of them: the values the filters read
   * are decoded first (one walk over the keys, every other value skipped by length), and a rejected
   * document is abandoned there, so its text and tensors are never decoded; decode then returns
   * null.
   */
  DocDecoder filter(DocumentFilter f) {
    this.filter = f;
    this.filtered = new boolean[root.width];
    for (int i = 0; i < filtered.length; i++) filtered[i] = f != null && f.reads(i);
    return this;
  }

  /** Top-level keys the table declares (failOnUndeclaredFields), or null to skip unknown keys. */
  private java.util.Set<String> declared;

  private final TensorView tensor = new TensorView();
  private final NodeJsonWriter json;

  public DocDecoder(StructType schema, Limits limits) {
    this.limits = limits;
    this.json = new NodeJsonWriter(limits);
    this.root = new DocPlan("", schema);
  }

  /** Makes keys outside these top-level names an error instead of being skipped. */
  public DocDecoder failOnKeysOutside(java.util.Set<String> names) {
    this.declared = names;
    return this;
  }

  /**
   * Decodes one document into a new row of the schema's width; null when pushed filters reject it.
   */
  public InternalRow decode(byte[] buf, int off, int len) {
    if (presenceSeen != null) java.util.Arrays.fill(presenceSeen, false);
    return root.decode(this, buf, off, len, 0);
  }

  /**
   * Top-level names whose presence is tracked per document (whether or not the query reads them).
   */
  private byte[][] presenceNames;

  private String[] presenceText;
  private boolean[] presenceSeen;

  /** Tracks, per document, which of these top-level keys it has ({@link #absentRootFields}). */
  public void trackPresence(String[] names) {
    presenceText = names.clone();
    presenceNames = new byte[names.length][];
    for (int i = 0; i < names.length; i++)
      presenceNames[i] = names[i].getBytes(StandardCharsets.UTF_8);
    presenceSeen = new boolean[names.length];
  }

  /**
   * The tracked top-level names the last decoded document did not have as keys at all (absent, not
   * None).
   */
  public List<String> absentRootFields() {
    List<String> out = new ArrayList<>();
    if (presenceSeen == null) return out;
    for (int i = 0; i < presenceSeen.length; i++) if (!presenceSeen[i]) out.add(presenceText[i]);
    return out;
  }

  private void markPresent(byte[] buf, int off, int len) {
    for (int i = 0; i < presenceNames.length; i++) {
      byte[] n = presenceNames[i];
      if (n.length == len && java.util.Arrays.equals(n, 0, len, buf, off, off + len)) {
        presenceSeen[i] = true;
        return;
      }
    }
  }

  // ---------------------------------------------------------------- plans

  private enum Kind {
    STRING,
    JSON,
    INT,
    LONG,
    SHORT,
    BYTE,
    DOUBLE,
    FLOAT,
    DECIMAL,
    BOOLEAN,
    BINARY,
    STRUCT,
    ARRAY,
    MAP,
    VECTOR
  }

  /** How one Spark position is filled from a NodeProto. */
  private static final class Plan {
    final String path;
    final DataType type;
    final Kind kind;
    DocPlan doc; // STRUCT: a nested document or dict read as struct
    DataType tensorElement; // STRUCT typed tensor data, or ARRAY flat tensor data
    // STRUCT that can hold a tensor (possibly pruned to some of its fields): slots, or -1
    boolean tensorStruct;
    int shapeSlot = -1, dataSlot = -1, dtypeSlot = -1, bufferSlot = -1;
    Plan element; // ARRAY element, MAP value
    private Plan tensorElementPlan;

    /** Plan for one element of a tensor's data, for tensors written as plain number lists. */
    Plan tensorElementPlan() {
      if (tensorElementPlan == null)
        tensorElementPlan = new Plan(path + ".data[]", tensorElement, false);
      return tensorElementPlan;
    }

    Plan(String path, DataType type, boolean jsonText) {
      this.path = path;
      this.type = type;
      if (type == DataTypes.StringType) {
        kind = jsonText ? Kind.JSON : Kind.STRING;
      } else if (type == DataTypes.IntegerType) {
        kind = Kind.INT;
      } else if (type == DataTypes.LongType) {
        kind = Kind.LONG;
      } else if (type == DataTypes.ShortType) {
        kind = Kind.SHORT;
      } else if (type == DataTypes.ByteType) {
        kind = Kind.BYTE;
      } else if (type == DataTypes.DoubleType) {
        kind = Kind.DOUBLE;
      } else if (type == DataTypes.FloatType) {
        kind = Kind.FLOAT;
      } else if (type == DataTypes.BooleanType) {
        kind = Kind.BOOLEAN;
      } else if (type instanceof org.apache.spark.sql.types.DecimalType) {
        kind = Kind.DECIMAL;
      } else if (type == DataTypes.BinaryType) {
        kind = Kind.BINARY;
      } else if (type instanceof StructType) {
        kind = Kind.STRUCT;
        StructType s = (StructType) type;
        doc = new DocPlan(path, s);
        tensorStruct = TensorTypes.isTensorStruct(s);
        if (tensorStruct) {
          String[] names = s.fieldNames();
          for (int i = 0; i < names.length; i++) {
            switch (names[i]) {
              case TensorTypes.SHAPE:
                shapeSlot = i;
                break;
              case TensorTypes.DATA:
                dataSlot = i;
                tensorElement = ((ArrayType) s.fields()[i].dataType()).elementType();
                break;
              case TensorTypes.DTYPE:
                dtypeSlot = i;
                break;
              default:
                bufferSlot = i;
            }
          }
        }
      } else if (type instanceof ArrayType) {
        kind = Kind.ARRAY;
        DataType et = ((ArrayType) type).elementType();
        element = new Plan(path + "[]", et, false);
        if (TensorTypes.isTensorElement(et)) tensorElement = et;
      } else if (TensorTypes.isVector(type)) {
        kind = Kind.VECTOR;
      } else if (type instanceof MapType) {
        MapType m = (MapType) type;
        if (m.keyType() != DataTypes.StringType) {
          throw new IllegalArgumentException(
              "Column '"
                  + path
                  + "' is a map with key type "
                  + m.keyType().simpleString()
                  + "; DocArray dicts have string keys");
        }
        kind = Kind.MAP;
        element = new Plan(path + "{}", m.valueType(), false);
      } else {
        throw new IllegalArgumentException(
            "Column '"
                + path
                + "' has type "
                + type.simpleString()
                + ", which DocArray documents cannot hold");
      }
    }
  }

  /** A document (or dict read as a struct): key to slot. */
  private static final class DocPlan {
    final String path;
    final int width;
    final byte[][] names; // UTF-8 field names, matched against key bytes without making Strings
    final Plan[] plans;

    DocPlan(String path, StructType schema) {
      this.path = path;
      StructField[] fields = schema.fields();
      this.width = fields.length;
      this.plans = new Plan[fields.length];
      this.names = new byte[fields.length][];
      for (int i = 0; i < fields.length; i++) {
        StructField f = fields[i];
        names[i] = f.name().getBytes(StandardCharsets.UTF_8);
        String p = path.isEmpty() ? f.name() : path + "." + f.name();
        plans[i] =
            new Plan(p, f.dataType(), DocArrayMetadata.isKind(f, DocArrayMetadata.KIND_JSON));
      }
    }

    /**
     * Field names are short: a plain loop beats Arrays.equals' range checks and vectorised setup.
     */
    private static boolean sameBytes(byte[] name, byte[] buf, int off, int len) {
      if (len > 32) return java.util.Arrays.equals(name, 0, len, buf, off, off + len);
      for (int j = 0; j < len; j++) if (name[j] != buf[off + j]) return false;
      return true;
    }

    /** The slot of the field whose UTF-8 name is buf[off, off+len), or -1. */
    int slot(byte[] buf, int off, int len) {
      for (int i = 0; i < names.length; i++) {
        byte[] n = names[i];
        if (n.length == len && sameBytes(n, buf, off, len)) return i;
      }
      return -1;
    }

    InternalRow decode(DocDecoder d, byte[] buf, int off, int len, int depth) {
      if (depth > d.limits.maxNestingDepth) {
        throw new MalformedDocumentException(
            "documents nest deeper than maxNestingDepth ("
                + d.limits.maxNestingDepth
                + ") at '"
                + path
                + "'",
            off);
      }
      GenericInternalRow row = new GenericInternalRow(width);
      DocumentFilter filter = depth == 0 ? d.filter : null;
      try {
        if (filter == null) {
          Wire.forEachRecord(
              buf, off, len, "DocProto", (s, l) -> d.entry(this, row, buf, s, l, depth, ALL));
        } else {
          // the filtered values first; the rest only for a document the filters keep
          Wire.forEachRecord(
              buf, off, len, "DocProto", (s, l) -> d.entry(this, row, buf, s, l, depth, FILTERED));
          if (!filter.test(row)) return null;
          Wire.forEachRecord(
              buf,
              off,
              len,
              "DocProto",
              (s, l) -> d.entry(this, row, buf, s, l, depth, UNFILTERED));
        }
      } catch (IOException e) {
        throw new MalformedDocumentException(
            "'" + (path.isEmpty() ? "document" : path) + "' is not a DocProto: " + e.getMessage(),
            off,
            e);
      }
      return row;
    }
  }

  // ---------------------------------------------------------------- decoding

  /**
   * Decodes one map entry into the row (if {@code which} takes it); returns the slot it filled, or
   * -1.
   */
  private int entry(
      DocPlan plan, GenericInternalRow row, byte[] buf, int s, int l, int depth, int which)
      throws IOException {
    CodedInputStream e = CodedInputStream.newInstance(buf, s, l);
    int slot = -2;
    int vs = -1, vl = 0;
    while (true) {
      int et = e.readTag();
      if (et == 0) break;
      if (et == Wire.tag(Wire.ENTRY_KEY, Wire.WT_LEN)) {
        int kl = e.readRawVarint32();
        int ks = s + e.getTotalBytesRead();
        Wire.checkLength(kl, l - e.getTotalBytesRead(), ks);
        if (presenceSeen != null && plan == root) markPresent(buf, ks, kl);
        slot = plan.slot(buf, ks, kl);
        if (slot < 0) {
          if (declared != null && plan == root) {
            String key = new String(buf, ks, kl, StandardCharsets.UTF_8);
            if (!declared.contains(key)) {
              throw new MalformedDocumentException(
                  "the document has a field '"
                      + key
                      + "' that the schema does not declare (failOnUndeclaredFields)",
                  ks);
            }
          }
          if (which != UNFILTERED)
            skippedBytes += l; // counted once when a document is walked twice
          return -1; // a key the query does not need: skipped without decoding
        }
        e.skipRawBytes(kl);
      } else if (et == Wire.tag(Wire.ENTRY_VALUE, Wire.WT_LEN)) {
        vl = e.readRawVarint32();
        vs = s + e.getTotalBytesRead();
        Wire.checkLength(vl, l - e.getTotalBytesRead(), vs);
        e.skipRawBytes(vl);
      } else {
        throw Wire.unexpected("map entry", et, s + e.getTotalBytesRead());
      }
    }
    if (slot == -2) slot = plan.slot(buf, 0, 0); // proto3 leaves an empty key out
    if (slot < 0 || vs < 0) return -1;
    if (which != ALL && filtered[slot] != (which == FILTERED))
      return -1; // decoded in the other walk
    row.update(slot, node(plan.plans[slot], buf, vs, vl, depth + 1));
    return slot;
  }

  /** Converts one NodeProto to the plan's Spark value; null for None. */
  private Object node(Plan p, byte[] buf, int off, int len, int depth) throws IOException {
    if (p.kind == Kind.JSON) {
      String j = json.nodeToJson(buf, off, len);
      return j == null ? null : UTF8String.fromString(j);
    }
    CodedInputStream in = CodedInputStream.newInstance(buf, off, len);
    int field = 0;
    long scalar = 0;
    double dbl = 0;
    int cs = 0, cl = 0;
    while (true) {
      int tag = in.readTag();
      if (tag == 0) break;
      int f = Wire.checkNodeField(tag, off + in.getTotalBytesRead());
      if (f == Wire.NODE_TYPE) {
        in.skipField(tag);
        continue;
      }
      if (field != 0 && field != f) {
        throw new MalformedDocumentException(
            "'"
                + p.path
                + "': NodeProto sets both "
                + Wire.contentName(field)
                + " and "
                + Wire.contentName(f)
                + ", but they share one oneof",
            off + in.getTotalBytesRead());
      }
      field = f;
      if (f == Wire.NODE_INTEGER) {
        scalar = in.readInt32();
      } else if (f == Wire.NODE_BOOLEAN) {
        scalar = in.readBool() ? 1 : 0;
      } else if (f == Wire.NODE_FLOAT) {
        dbl = in.readDouble();
      } else {
        cl = in.readRawVarint32();
        cs = off + in.getTotalBytesRead();
        Wire.checkLength(cl, len - in.getTotalBytesRead(), cs);
        in.skipRawBytes(cl);
      }
    }
    if (field == 0) return null;
    switch (p.kind) {
      case STRING:
        if (field == Wire.NODE_TEXT) {
          if (!org.docarray.spark.format.Utf8Validation.isValid(buf, cs, cs + cl)) {
            throw new MalformedDocumentException("'" + p.path + "': text is not valid UTF-8", cs);
          }
          return UTF8String.fromBytes(java.util.Arrays.copyOfRange(buf, cs, cs + cl));
        }
        return UTF8String.fromString(json.nodeToJson(buf, off, len));
      case INT:
        if (field == Wire.NODE_INTEGER) return (int) scalar;
        break;
      case LONG:
        if (field == Wire.NODE_INTEGER) return scalar;
        break;
      case SHORT:
        if (field == Wire.NODE_INTEGER && scalar == (short) scalar) return (short) scalar;
        break;
      case BYTE:
        if (field == Wire.NODE_INTEGER && scalar == (byte) scalar) return (byte) scalar;
        break;
      case DOUBLE:
        if (field == Wire.NODE_FLOAT) return dbl;
        if (field == Wire.NODE_INTEGER) return (double) scalar;
        break;
      case FLOAT:
        if (field == Wire.NODE_FLOAT) return (float) dbl;
        if (field == Wire.NODE_INTEGER) return (float) scalar;
        break;
      case BOOLEAN:
        if (field == Wire.NODE_BOOLEAN) return scalar != 0;
        break;
      case DECIMAL:
        if (field == Wire.NODE_INTEGER) return org.apache.spark.sql.types.Decimal.apply(scalar);
        break;
      case BINARY:
        if (field == Wire.NODE_BLOB || field == Wire.NODE_TEXT)
          return java.util.Arrays.copyOfRange(buf, cs, cs + cl);
        break;
      case STRUCT:
        if (field == Wire.NODE_NDARRAY && p.tensorStruct) {
          return tensor(p, buf, cs, cl);
        }
        if ((field == Wire.NODE_LIST || field == Wire.NODE_TUPLE)
            && p.tensorStruct
            && (p.dtypeSlot >= 0 || p.bufferSlot >= 0)) {
          return numberListAsLosslessTensor(p, buf, cs, cl);
        }
        if ((field == Wire.NODE_LIST || field == Wire.NODE_TUPLE)
            && p.tensorStruct
            && p.dataSlot >= 0) {
          // a plain list of numbers in a tensor column is a 1-D tensor (DocArray converts it on
          // load too)
          org.apache.spark.sql.catalyst.util.ArrayData data =
              (org.apache.spark.sql.catalyst.util.ArrayData)
                  list(p.tensorElementPlan(), buf, cs, cl, depth);
          Object[] v = new Object[p.doc.width];
          if (p.shapeSlot >= 0)
            v[p.shapeSlot] = TensorConverter.shape(new int[] {data.numElements()});
          v[p.dataSlot] = data;
          return new GenericInternalRow(v);
        }
        if (field == Wire.NODE_DOC || field == Wire.NODE_DICT)
          return p.doc.decode(this, buf, cs, cl, depth + 1);
        break;
      case ARRAY:
        if (field == Wire.NODE_DOC_ARRAY && p.element.kind == Kind.STRUCT)
          return docArray(p.element, buf, cs, cl, depth);
        if (field == Wire.NODE_LIST || field == Wire.NODE_SET || field == Wire.NODE_TUPLE) {
          return list(p.element, buf, cs, cl, depth);
        }
        if (field == Wire.NODE_NDARRAY && p.tensorElement != null) {
          tensor.parse(buf, cs, cl, limits, true);
          if (tensor.isNoneMarker()) return null;
          return TensorConverter.data(tensor, p.tensorElement, p.path);
        }
        break;
      case MAP:
        if (field == Wire.NODE_DICT) return dict(p.element, buf, cs, cl, depth);
        break;
      case VECTOR:
        if (field == Wire.NODE_NDARRAY) {
          // Spark ML's dense vector: struct<type: 1, size: null, indices: null, values:
          // array<double>>
          tensor.parse(buf, cs, cl, limits, true);
          if (tensor.isNoneMarker()) return null;
          return new GenericInternalRow(
              new Object[] {
                (byte) 1, null, null, TensorConverter.data(tensor, DataTypes.DoubleType, p.path)
              });
        }
        break;
      default:
        break;
    }
    throw new MalformedDocumentException(
        "'"
            + p.path
            + "' holds a "
            + Wire.contentName(field)
            + " node, which does not convert to the column type "
            + p.type.simpleString(),
        off);
  }

  /**
   * Fills whichever of shape, data, dtype and buffer the (possibly pruned) tensor struct asks for.
   */
  private Object tensor(Plan p, byte[] buf, int off, int len) {
    TensorView t = tensor.parse(buf, off, len, limits, p.dataSlot >= 0);
    if (t.isNoneMarker()) return null;
    tensorBytes += t.bufferLength;
    Object[] v = new Object[p.doc.width];
    if (p.shapeSlot >= 0) v[p.shapeSlot] = TensorConverter.shape(t.shape);
    if (p.dtypeSlot >= 0) v[p.dtypeSlot] = UTF8String.fromString(t.dtypeText);
    if (p.bufferSlot >= 0) {
      v[p.bufferSlot] =
          java.util.Arrays.copyOfRange(t.data, t.bufferOffset, t.bufferOffset + t.bufferLength);
    }
    if (p.dataSlot >= 0) v[p.dataSlot] = TensorConverter.data(t, p.tensorElement, p.path);
    return new GenericInternalRow(v);
  }

  /**
   * A plain list of numbers in a lossless tensor column: int64 (all integers) or float64, as numpy
   * would make it.
   */
  private Object numberListAsLosslessTensor(Plan p, byte[] buf, int off, int len)
      throws IOException {
    List<Number> values = new ArrayList<>();
    boolean floats = false;
    CodedInputStream in = CodedInputStream.newInstance(buf, off, len);
    while (true) {
      int tag = in.readTag();
      if (tag == 0) break;
      if (tag != Wire.tag(Wire.REPEATED_FIELD, Wire.WT_LEN))
        throw Wire.unexpected("repeated message", tag, off);
      CodedInputStream e = in.readBytes().newCodedInput();
      int et = e.readTag();
      if (et == Wire.tag(Wire.NODE_INTEGER, Wire.WT_VARINT)) {
        values.add((long) e.readInt32());
      } else if (et == Wire.tag(Wire.NODE_FLOAT, Wire.WT_FIXED64)) {
        values.add(e.readDouble());
        floats = true;
      } else {
        throw new MalformedDocumentException(
            "'" + p.path + "' is a tensor column but holds a list of non-numbers", off);
      }
    }
    java.nio.ByteBuffer bb =
        java.nio.ByteBuffer.allocate(values.size() * 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (Number v : values) {
      if (floats) bb.putDouble(v.doubleValue());
      else bb.putLong(v.longValue());
    }
    Object[] v = new Object[p.doc.width];
    if (p.shapeSlot >= 0) v[p.shapeSlot] = TensorConverter.shape(new int[] {values.size()});
    if (p.dtypeSlot >= 0) v[p.dtypeSlot] = UTF8String.fromString(floats ? "<f8" : "<i8");
    if (p.bufferSlot >= 0) v[p.bufferSlot] = bb.array();
    if (p.dataSlot >= 0) {
      throw new MalformedDocumentException(
          "'" + p.path + "' mixes typed and lossless tensor fields", off);
    }
    return new GenericInternalRow(v);
  }

  private Object docArray(Plan element, byte[] buf, int off, int len, int depth)
      throws IOException {
    List<Object> out = new ArrayList<>();
    Wire.forEachRecord(
        buf,
        off,
        len,
        "DocListProto",
        (s, l) -> out.add(element.doc.decode(this, buf, s, l, depth + 1)));
    return new GenericArrayData(out.toArray());
  }

  private Object list(Plan element, byte[] buf, int off, int len, int depth) throws IOException {
    List<Object> out = new ArrayList<>();
    Wire.forEachRecord(
        buf, off, len, "ListOfAnyProto", (s, l) -> out.add(node(element, buf, s, l, depth + 1)));
    return new GenericArrayData(out.toArray());
  }

  private Object dict(Plan value, byte[] buf, int off, int len, int depth) throws IOException {
    List<Object> keys = new ArrayList<>();
    List<Object> values = new ArrayList<>();
    Wire.Entry e = new Wire.Entry();
    Wire.forEachRecord(
        buf,
        off,
        len,
        "DictOfAnyProto",
        (s, l) -> {
          Wire.entry(buf, s, l, e);
          keys.add(UTF8String.fromString(e.key(buf)));
          values.add(
              e.valueStart < 0 ? null : node(value, buf, e.valueStart, e.valueLength, depth + 1));
        });
    return new ArrayBasedMapData(
        new GenericArrayData(keys.toArray()), new GenericArrayData(values.toArray()));
  }
}
