package org.docarray.spark.read;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.catalyst.expressions.codegen.UnsafeArrayWriter;
import org.apache.spark.sql.catalyst.expressions.codegen.UnsafeRowWriter;
import org.apache.spark.sql.catalyst.expressions.codegen.UnsafeWriter;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Decimal;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.Platform;
import org.apache.spark.unsafe.types.UTF8String;
import org.docarray.spark.format.Limits;
import org.docarray.spark.format.MalformedDocumentException;
import org.docarray.spark.format.NodeJsonWriter;
import org.docarray.spark.format.TensorView;
import org.docarray.spark.format.Utf8Validation;
import org.docarray.spark.format.Wire;
import org.docarray.spark.schema.DocArrayMetadata;
import org.docarray.spark.schema.TensorTypes;

/**
 * Decodes {@code DocProto} bytes straight into Spark's {@link UnsafeRow} of a required schema: no
 * intermediate objects, no projection afterwards. The schema is compiled once into a plan (field
 * name to slot, one Spark writer per struct, array and map level, all sharing one buffer); the
 * per-document loop then only walks the wire: keys the schema does not ask for are skipped by
 * length without looking inside, scalars are written into their slot, strings and bytes are copied
 * once, and a tensor whose stored dtype is the column's element type is one memory copy from the
 * wire into the array's data region (both are runs of little-endian numbers).
 *
 * <p>The returned row is reused: it is valid until the next call (Spark's contract for scan rows;
 * copy it to keep it).
 */
public final class DocDecoder extends org.docarray.spark.format.WireReader {
  private static final VarHandle LE_LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final int TAG_RECORD = Wire.tag(Wire.REPEATED_FIELD, Wire.WT_LEN);
  private static final int TAG_KEY = Wire.tag(Wire.ENTRY_KEY, Wire.WT_LEN);
  private static final int TAG_VALUE = Wire.tag(Wire.ENTRY_VALUE, Wire.WT_LEN);

  private final DocPlan root;
  private final UnsafeRowWriter rowWriter;
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
  private Set<String> declared;

  private final TensorView tensor = new TensorView();
  private final NodeJsonWriter json;

  /** Spark's own projections, for the rare values built as objects first (see writeValue). */
  private final Map<DataType, UnsafeProjection> projections = new HashMap<>();

  public DocDecoder(StructType schema, Limits limits) {
    this.limits = limits;
    this.json = new NodeJsonWriter(limits);
    this.rowWriter = new UnsafeRowWriter(schema.size(), 1024);
    this.root = new DocPlan("", schema, rowWriter, rowWriter);
  }

  /** Makes keys outside these top-level names an error instead of being skipped. */
  public DocDecoder failOnKeysOutside(Set<String> names) {
    this.declared = names;
    return this;
  }

  /**
   * Decodes one document into the decoder's row of the schema (valid until the next call); null
   * when pushed filters reject it.
   */
  public InternalRow decode(byte[] buf, int off, int len) {
    if (presenceSeen != null) Arrays.fill(presenceSeen, false);
    rowWriter.reset();
    rowWriter.zeroOutNullBytes();
    if (!root.decodeFields(this, buf, off, len, 0)) return null;
    return rowWriter.getRow();
  }

  /** A row of the schema's width whose only non-null value is {@code text} at {@code slot}. */
  InternalRow rowWithText(int slot, String text) {
    rowWriter.reset();
    rowWriter.zeroOutNullBytes();
    for (int i = 0; i < root.width; i++) if (i != slot) rowWriter.setNullAt(i);
    if (slot >= 0) rowWriter.write(slot, UTF8String.fromString(text));
    return rowWriter.getRow();
  }

  /**
   * Binds the decoder to Arrow vectors, one filler per top-level column of its schema, for {@link
   * #decodeInto}. Only for schemas {@link ArrowBatchWriter#supports} (no maps, decimals, vectors).
   */
  void bind(ArrowFields.Field[] columns) {
    for (int i = 0; i < root.width; i++) root.plans[i].bind(columns[i]);
  }

  /**
   * Decodes one document straight into position {@code at} of the bound Arrow vectors (every column
   * written, null or not); false when pushed filters reject it (then nothing is written). A failure
   * part way leaves position {@code at} to be written again.
   */
  boolean decodeInto(int at, byte[] buf, int off, int len) {
    if (presenceSeen != null) Arrays.fill(presenceSeen, false);
    if (filter != null) {
      // the filtered values into the row first, the document judged there
      rowWriter.reset();
      rowWriter.zeroOutNullBytes();
      Arrays.fill(root.written, false);
      root.walk(this, buf, off, len, 0, FILTERED, -1);
      root.nullUnwritten(this, FILTERED);
      if (!filter.test(rowWriter.getRow())) return false;
      long skipped = skippedBytes; // the filtered walk counted the skipped keys already
      root.decodeFieldsInto(this, buf, off, len, 0, at);
      skippedBytes = skipped;
      return true;
    }
    root.decodeFieldsInto(this, buf, off, len, 0, at);
    return true;
  }

  private ArrowBatchWriter boundWriter;

  /**
   * Decodes one document straight into the next row of {@code w}'s vectors, whose schema must be
   * this decoder's (and one {@link ArrowBatchWriter#supports}); false when pushed filters reject
   * it. A document that fails part way leaves no row.
   */
  public boolean decodeInto(ArrowBatchWriter w, byte[] buf, int off, int len) {
    if (boundWriter != w) {
      if (w.fields() == null || w.fields().length != root.width)
        throw new IllegalArgumentException("the writer's schema is not one this decoder fills");
      bind(w.fields());
      boundWriter = w;
    }
    if (!decodeInto(w.rows(), buf, off, len)) return false;
    w.rowWritten();
    return true;
  }

  /** Position {@code at} of the bound vectors: nulls, and {@code text} in column {@code slot}. */
  void nullsInto(int at, int slot, String text) {
    for (int i = 0; i < root.width; i++) {
      if (i == slot) {
        ((ArrowFields.VarWidthField) root.plans[i].arrow)
            .put(at, text.getBytes(StandardCharsets.UTF_8));
      } else {
        root.plans[i].arrow.setNull(at);
      }
    }
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
      if (n.length == len && Arrays.equals(n, 0, len, buf, off, off + len)) {
        presenceSeen[i] = true;
        return;
      }
    }
  }

  // ---------------------------------------------------------------- the wire

  /**
   * Reads the header of one field-1 record of a repeated-message or map message at {@code p};
   * returns its length and leaves its start in {@link #next}.
   */
  private int record(byte[] b, int p, int end, String message) {
    int tag = varint32(b, p, end);
    if (tag != TAG_RECORD) throw Wire.unexpected(message, tag, p);
    int q = next;
    int l = varint32(b, q, end);
    Wire.checkLength(l, end - next, next);
    return l;
  }

  private int countRecords(byte[] b, int off, int len, String message) {
    int n = 0;
    for (int p = off, end = off + len; p < end; n++) {
      int l = record(b, p, end, message);
      p = next + l;
    }
    return n;
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

  /** Bytes of one element of this type in an {@code UnsafeArrayData} (Spark's element size). */
  private static int elementSize(DataType t) {
    if (t == DataTypes.BooleanType || t == DataTypes.ByteType) return 1;
    if (t == DataTypes.ShortType) return 2;
    if (t == DataTypes.IntegerType || t == DataTypes.FloatType || t == DataTypes.DateType) return 4;
    return 8;
  }

  /** How one Spark position is filled from a NodeProto. */
  private static final class Plan {
    final String path;
    final DataType type;
    final Kind kind;
    final int size; // bytes of this value as an array element
    DocPlan doc; // STRUCT: a nested document or dict read as struct
    DataType tensorElement; // STRUCT typed tensor data, or ARRAY flat tensor data
    // STRUCT that can hold a tensor (possibly pruned to some of its fields): slots, or -1
    boolean tensorStruct;
    int shapeSlot = -1, dataSlot = -1, dtypeSlot = -1, bufferSlot = -1;
    Plan element; // ARRAY element, MAP value
    UnsafeArrayWriter array; // ARRAY elements, MAP values
    UnsafeArrayWriter keys; // MAP keys
    UnsafeRowWriter vector; // VECTOR: Spark ML's struct
    ArrowFields.Field arrow; // the filler of this value's Arrow vector, when bound

    /** The null-bit bytes of the row this value is a field of (-1: an array element). */
    int rowBits = -1;

    int precision, scale; // DECIMAL
    private final UnsafeWriter shared;
    private Plan tensorElementPlan;

    /** Plan for one element of a tensor's data, for tensors written as plain number lists. */
    Plan tensorElementPlan() {
      if (tensorElementPlan == null)
        tensorElementPlan = new Plan(path + ".data[]", tensorElement, false, shared);
      return tensorElementPlan;
    }

    /** Binds this plan (and the plans below it) to the filler of its Arrow vector. */
    void bind(ArrowFields.Field f) {
      arrow = f;
      if (kind == Kind.STRUCT) {
        ArrowFields.StructField_ s = (ArrowFields.StructField_) f;
        for (int i = 0; i < doc.plans.length; i++) doc.plans[i].bind(s.child(i));
      } else if (kind == Kind.ARRAY) {
        element.bind(((ArrowFields.ListField) f).element());
      }
    }

    void setNull(UnsafeWriter w, int ordinal) {
      switch (size) {
        case 1:
          w.setNull1Bytes(ordinal);
          break;
        case 2:
          w.setNull2Bytes(ordinal);
          break;
        case 4:
          w.setNull4Bytes(ordinal);
          break;
        default:
          w.setNull8Bytes(ordinal);
      }
    }

    Plan(String path, DataType type, boolean jsonText, UnsafeWriter shared) {
      this.path = path;
      this.type = type;
      this.shared = shared;
      this.size = elementSize(type);
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
      } else if (type instanceof DecimalType) {
        kind = Kind.DECIMAL;
        precision = ((DecimalType) type).precision();
        scale = ((DecimalType) type).scale();
      } else if (type == DataTypes.BinaryType) {
        kind = Kind.BINARY;
      } else if (type instanceof StructType) {
        kind = Kind.STRUCT;
        StructType s = (StructType) type;
        doc = new DocPlan(path, s, shared, null);
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
        element = new Plan(path + "[]", et, false, shared);
        array = new UnsafeArrayWriter(shared, element.size);
        if (TensorTypes.isTensorElement(et)) tensorElement = et;
      } else if (TensorTypes.isVector(type)) {
        kind = Kind.VECTOR;
        vector = new UnsafeRowWriter(shared, 4);
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
        element = new Plan(path + "{}", m.valueType(), false, shared);
        keys = new UnsafeArrayWriter(shared, 8);
        array = new UnsafeArrayWriter(shared, element.size);
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

  /** A document (or dict read as a struct): key to slot, and the writer of its rows. */
  private static final class DocPlan {
    final String path;
    final int width;
    final byte[][] names; // UTF-8 field names, matched against key bytes without making Strings
    final Plan[] plans;
    final UnsafeRowWriter writer;

    /** Per slot: did the document being decoded give it a value (the others become null). */
    final boolean[] written;

    DocPlan(String path, StructType schema, UnsafeWriter shared, UnsafeRowWriter own) {
      this.path = path;
      StructField[] fields = schema.fields();
      this.width = fields.length;
      this.plans = new Plan[fields.length];
      this.names = new byte[fields.length][];
      this.written = new boolean[fields.length];
      this.writer = own != null ? own : new UnsafeRowWriter(shared, fields.length);
      for (int i = 0; i < fields.length; i++) {
        StructField f = fields[i];
        names[i] = f.name().getBytes(StandardCharsets.UTF_8);
        String p = path.isEmpty() ? f.name() : path + "." + f.name();
        plans[i] =
            new Plan(
                p, f.dataType(), DocArrayMetadata.isKind(f, DocArrayMetadata.KIND_JSON), shared);
        plans[i].rowBits = UnsafeRow.calculateBitSetWidthInBytes(fields.length);
      }
    }

    /**
     * Field names are short: a plain loop beats Arrays.equals' range checks and vectorised setup.
     */
    private static boolean sameBytes(byte[] name, byte[] buf, int off, int len) {
      if (len > 32) return Arrays.equals(name, 0, len, buf, off, off + len);
      for (int j = 0; j < len; j++) if (name[j] != buf[off + j]) return false;
      return true;
    }

    /** The slot after the last one matched: documents of a file write their keys in one order. */
    private int guess;

    /** The slot of the field whose UTF-8 name is buf[off, off+len), or -1. */
    int slot(byte[] buf, int off, int len) {
      int g = guess;
      if (g < names.length) {
        byte[] n = names[g];
        if (n.length == len && sameBytes(n, buf, off, len)) {
          guess = g + 1 == names.length ? 0 : g + 1;
          return g;
        }
      }
      for (int i = 0; i < names.length; i++) {
        byte[] n = names[i];
        if (n.length == len && sameBytes(n, buf, off, len)) {
          guess = i + 1 == names.length ? 0 : i + 1;
          return i;
        }
      }
      return -1;
    }

    private void checkDepth(DocDecoder d, int depth, int off) {
      if (depth > d.limits.maxNestingDepth) {
        throw new MalformedDocumentException(
            "documents nest deeper than maxNestingDepth ("
                + d.limits.maxNestingDepth
                + ") at '"
                + path
                + "'",
            off);
      }
    }

    /** Slots of {@code which} entries that no key filled become null. */
    private void nullUnwritten(DocDecoder d, int which) {
      for (int i = 0; i < width; i++) {
        if (written[i]) continue;
        if (which != ALL && d.filtered[i] != (which == FILTERED)) continue;
        writer.setNullAt(i);
      }
    }

    /**
     * Decodes the map entries of a DocProto into this level's row writer (already positioned);
     * false when the pushed filters reject the document.
     */
    boolean decodeFields(DocDecoder d, byte[] buf, int off, int len, int depth) {
      checkDepth(d, depth, off);
      Arrays.fill(written, false);
      if (depth != 0 || d.filter == null) {
        walk(d, buf, off, len, depth, ALL, -1);
        nullUnwritten(d, ALL);
        return true;
      }
      // the filtered values first; the rest only for a document the filters keep
      walk(d, buf, off, len, depth, FILTERED, -1);
      nullUnwritten(d, FILTERED);
      if (!d.filter.test(writer.getRow())) return false;
      walk(d, buf, off, len, depth, UNFILTERED, -1);
      nullUnwritten(d, UNFILTERED);
      return true;
    }

    /** Decodes the map entries of a DocProto into position {@code at} of this level's vectors. */
    void decodeFieldsInto(DocDecoder d, byte[] buf, int off, int len, int depth, int at) {
      checkDepth(d, depth, off);
      Arrays.fill(written, false);
      walk(d, buf, off, len, depth, ALL, at);
      for (int i = 0; i < width; i++) if (!written[i]) plans[i].arrow.setNull(at);
    }

    private void walk(DocDecoder d, byte[] buf, int off, int len, int depth, int which, int at) {
      for (int p = off, end = off + len; p < end; ) {
        int l = d.record(buf, p, end, "DocProto");
        int s = d.next;
        d.entry(this, buf, s, l, depth, which, at);
        p = s + l;
      }
    }
  }

  // ---------------------------------------------------------------- decoding

  /**
   * Decodes one map entry into its plan's row (or, for a position {@code at} >= 0, its Arrow
   * vectors), if {@code which} takes it.
   */
  private void entry(DocPlan plan, byte[] buf, int s, int l, int depth, int which, int at) {
    int slot = -2;
    int vs = -1, vl = 0;
    for (int p = s, end = s + l; p < end; ) {
      int et = varint32(buf, p, end);
      if (et == TAG_KEY) {
        int kl = varint32(buf, next, end);
        int ks = next;
        Wire.checkLength(kl, end - ks, ks);
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
          return; // a key the query does not need: skipped without decoding
        }
        p = ks + kl;
      } else if (et == TAG_VALUE) {
        vl = varint32(buf, next, end);
        vs = next;
        Wire.checkLength(vl, end - vs, vs);
        p = vs + vl;
      } else {
        throw Wire.unexpected("map entry", et, p);
      }
    }
    if (slot == -2) slot = plan.slot(buf, 0, 0); // proto3 leaves an empty key out
    if (slot < 0 || vs < 0) return;
    if (which != ALL && filtered[slot] != (which == FILTERED)) return; // decoded in the other walk
    plan.written[slot] =
        at < 0
            ? write(plan.plans[slot], plan.writer, slot, buf, vs, vl, depth + 1)
            : arrow(plan.plans[slot], at, buf, vs, vl, depth + 1);
  }

  /**
   * Writes one NodeProto as the plan's Spark value at {@code ordinal} of {@code w} (a row or an
   * array); false for None (the caller makes it null).
   */
  private boolean write(
      Plan p, UnsafeWriter w, int ordinal, byte[] buf, int off, int len, int depth) {
    if (p.kind == Kind.JSON) {
      String j = json.nodeToJson(buf, off, len);
      if (j == null) return false;
      w.write(ordinal, UTF8String.fromString(j));
      return true;
    }
    int field = node(p, buf, off, len);
    if (field == 0) return false;
    long scalar = nodeScalar;
    double dbl = nodeDouble;
    int cs = nodeStart, cl = nodeLength;
    switch (p.kind) {
      case STRING:
        if (field == Wire.NODE_TEXT) {
          if (!Utf8Validation.isValid(buf, cs, cs + cl)) {
            throw new MalformedDocumentException("'" + p.path + "': text is not valid UTF-8", cs);
          }
          bytes(p, w, ordinal, buf, cs, cl);
          return true;
        }
        w.write(ordinal, UTF8String.fromString(json.nodeToJson(buf, off, len)));
        return true;
      case INT:
        if (field == Wire.NODE_INTEGER) {
          w.write(ordinal, (int) scalar);
          return true;
        }
        break;
      case LONG:
        if (field == Wire.NODE_INTEGER) {
          w.write(ordinal, scalar);
          return true;
        }
        break;
      case SHORT:
        if (field == Wire.NODE_INTEGER && scalar == (short) scalar) {
          w.write(ordinal, (short) scalar);
          return true;
        }
        break;
      case BYTE:
        if (field == Wire.NODE_INTEGER && scalar == (byte) scalar) {
          w.write(ordinal, (byte) scalar);
          return true;
        }
        break;
      case DOUBLE:
        if (field == Wire.NODE_FLOAT || field == Wire.NODE_INTEGER) {
          w.write(ordinal, field == Wire.NODE_FLOAT ? dbl : (double) scalar);
          return true;
        }
        break;
      case FLOAT:
        if (field == Wire.NODE_FLOAT || field == Wire.NODE_INTEGER) {
          w.write(ordinal, field == Wire.NODE_FLOAT ? (float) dbl : (float) scalar);
          return true;
        }
        break;
      case BOOLEAN:
        if (field == Wire.NODE_BOOLEAN) {
          w.write(ordinal, scalar != 0);
          return true;
        }
        break;
      case DECIMAL:
        if (field == Wire.NODE_INTEGER) {
          w.write(ordinal, Decimal.apply(scalar), p.precision, p.scale);
          return true;
        }
        break;
      case BINARY:
        if (field == Wire.NODE_BLOB || field == Wire.NODE_TEXT) {
          bytes(p, w, ordinal, buf, cs, cl);
          return true;
        }
        break;
      case STRUCT:
        if (field == Wire.NODE_NDARRAY && p.tensorStruct) return tensor(p, w, ordinal, buf, cs, cl);
        if ((field == Wire.NODE_LIST || field == Wire.NODE_TUPLE) && p.tensorStruct) {
          if (p.dtypeSlot >= 0 || p.bufferSlot >= 0) {
            numberListAsLosslessTensor(p, w, ordinal, buf, cs, cl);
            return true;
          }
          if (p.dataSlot >= 0) {
            numberListAsTensor(p, w, ordinal, buf, cs, cl, depth);
            return true;
          }
        }
        if (field == Wire.NODE_DOC || field == Wire.NODE_DICT) {
          int prev = w.cursor();
          p.doc.writer.resetRowWriter();
          p.doc.decodeFields(this, buf, cs, cl, depth + 1);
          w.setOffsetAndSizeFromPreviousCursor(ordinal, prev);
          return true;
        }
        break;
      case ARRAY:
        if (field == Wire.NODE_DOC_ARRAY && p.element.kind == Kind.STRUCT) {
          docArray(p, w, ordinal, buf, cs, cl, depth);
          return true;
        }
        if (field == Wire.NODE_LIST || field == Wire.NODE_SET || field == Wire.NODE_TUPLE) {
          elements(p.element, p.array, w, ordinal, buf, cs, cl, depth);
          return true;
        }
        if (field == Wire.NODE_NDARRAY && p.tensorElement != null) {
          tensor.parse(buf, cs, cl, limits, true);
          if (tensor.isNoneMarker()) return false;
          tensorBytes += tensor.bufferLength;
          tensorData(w, ordinal, tensor, p.tensorElement, p.path);
          return true;
        }
        break;
      case MAP:
        if (field == Wire.NODE_DICT) {
          dict(p, w, ordinal, buf, cs, cl, depth);
          return true;
        }
        break;
      case VECTOR:
        if (field == Wire.NODE_NDARRAY) {
          // Spark ML's dense vector: struct<type: 1, size: null, indices: null, values:
          // array<double>>
          tensor.parse(buf, cs, cl, limits, true);
          if (tensor.isNoneMarker()) return false;
          int prev = w.cursor();
          UnsafeRowWriter v = p.vector;
          v.resetRowWriter();
          v.write(0, (byte) 1);
          v.setNullAt(1);
          v.setNullAt(2);
          tensorData(v, 3, tensor, DataTypes.DoubleType, p.path);
          w.setOffsetAndSizeFromPreviousCursor(ordinal, prev);
          return true;
        }
        break;
      default:
        break;
    }
    throw notConvertible(p, field, off);
  }

  /** The last NodeProto read by {@link #node}: its scalar, double, or content bytes. */
  private long nodeScalar;

  private double nodeDouble;
  private int nodeStart, nodeLength;

  /**
   * Reads a NodeProto: returns its content field (0 for None) and leaves the value in the node
   * fields, to be copied before anything else is read.
   */
  private int node(Plan p, byte[] buf, int off, int len) {
    int field = 0;
    long scalar = 0;
    double dbl = 0;
    int cs = 0, cl = 0;
    for (int q = off, end = off + len; q < end; ) {
      int tag = varint32(buf, q, end);
      int f = Wire.checkNodeField(tag, q);
      q = next;
      if (f == Wire.NODE_TYPE) {
        int tl = varint32(buf, q, end);
        Wire.checkLength(tl, end - next, next);
        q = next + tl;
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
            q);
      }
      field = f;
      if (f == Wire.NODE_INTEGER) {
        scalar = (int) varint64(buf, q, end);
        q = next;
      } else if (f == Wire.NODE_BOOLEAN) {
        scalar = varint64(buf, q, end) != 0 ? 1 : 0;
        q = next;
      } else if (f == Wire.NODE_FLOAT) {
        if (end - q < 8) throw new MalformedDocumentException("a double runs past its node", q);
        dbl = Double.longBitsToDouble((long) LE_LONG.get(buf, q));
        q += 8;
      } else {
        cl = varint32(buf, q, end);
        cs = next;
        Wire.checkLength(cl, end - cs, cs);
        q = cs + cl;
      }
    }
    nodeScalar = scalar;
    nodeDouble = dbl;
    nodeStart = cs;
    nodeLength = cl;
    return field;
  }

  private MalformedDocumentException notConvertible(Plan p, int field, int off) {
    return new MalformedDocumentException(
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
  private boolean tensor(Plan p, UnsafeWriter w, int ordinal, byte[] buf, int off, int len) {
    TensorView t = tensor.parse(buf, off, len, limits, p.dataSlot >= 0);
    if (t.isNoneMarker()) return false;
    tensorBytes += t.bufferLength;
    int prev = w.cursor();
    UnsafeRowWriter s = p.doc.writer;
    s.resetRowWriter();
    if (p.shapeSlot >= 0) ints(s, p.shapeSlot, t.shape);
    if (p.dtypeSlot >= 0) s.write(p.dtypeSlot, t.dtypeBytes());
    if (p.bufferSlot >= 0) s.write(p.bufferSlot, t.data, t.bufferOffset, t.bufferLength);
    if (p.dataSlot >= 0) tensorData(s, p.dataSlot, t, p.tensorElement, p.path);
    w.setOffsetAndSizeFromPreviousCursor(ordinal, prev);
    return true;
  }

  /**
   * A tensor's elements as a Spark array: one copy when the stored dtype is the element type,
   * otherwise converted (widened, or an error rather than a lossy narrowing).
   */
  private void tensorData(UnsafeWriter w, int ordinal, TensorView t, DataType target, String path) {
    if (TensorConverter.sameLayout(t.dtype, target)) {
      primitiveArray(
          w,
          ordinal,
          t.data,
          Platform.BYTE_ARRAY_OFFSET + t.bufferOffset,
          (int) t.elementCount,
          t.dtype.itemSize());
    } else {
      writeValue(
          w, ordinal, DataTypes.createArrayType(target), TensorConverter.data(t, target, path));
    }
  }

  /**
   * Bytes from the wire as a string or binary value. A row's field is written here rather than by
   * Spark's writer, whose {@code Unsafe.copyMemory} checks its arguments on every call (a tenth of
   * the decode of short strings): the bytes go in with one array copy, the padding word is zeroed,
   * and the field's offset-and-size word is set as {@code UnsafeRow} lays it out (offset from the
   * row's start in the high half, size in the low half).
   */
  private static void bytes(Plan p, UnsafeWriter w, int ordinal, byte[] buf, int off, int n) {
    if (p.rowBits < 0 || !(w instanceof UnsafeRowWriter)) {
      w.write(ordinal, buf, off, n);
      return;
    }
    UnsafeRowWriter r = (UnsafeRowWriter) w;
    int rounded = (n + 7) & ~7;
    w.grow(rounded);
    int at = w.cursor();
    byte[] out = w.getBuffer();
    if (rounded > n) Platform.putLong(out, at + rounded - 8, 0L);
    System.arraycopy(buf, off, out, at - Platform.BYTE_ARRAY_OFFSET, n);
    long rowStart = r.getFieldOffset(0) - p.rowBits;
    r.write(ordinal, ((at - rowStart) << 32) | n);
    w.increaseCursor(rounded);
  }

  private static void ints(UnsafeWriter w, int ordinal, int[] values) {
    primitiveArray(w, ordinal, values, Platform.INT_ARRAY_OFFSET, values.length, 4);
  }

  /**
   * Writes {@code n} elements of {@code size} bytes from {@code base + offset} as an {@code
   * UnsafeArrayData} without nulls: its header, then the elements in one copy.
   */
  private static void primitiveArray(
      UnsafeWriter w, int ordinal, Object base, long offset, int n, int size) {
    int header = UnsafeArrayData.calculateHeaderPortionInBytes(n);
    long data = (long) n * size;
    long total = header + ((data + 7) & ~7L);
    if (total > Integer.MAX_VALUE - 16) {
      throw new MalformedDocumentException(
          "an array of " + n + " elements does not fit one Spark value", -1);
    }
    int prev = w.cursor();
    w.grow((int) total);
    byte[] out = w.getBuffer();
    Platform.putLong(out, prev, n);
    // the null bits (none) and the padding: a few words, where Unsafe.setMemory costs a native call
    for (int at = prev + 8; at < prev + header; at += 8) Platform.putLong(out, at, 0L);
    if (total > header + data) Platform.putLong(out, prev + total - 8, 0L);
    Platform.copyMemory(base, offset, out, prev + header, data);
    w.increaseCursor((int) total);
    w.setOffsetAndSizeFromPreviousCursor(ordinal, prev);
  }

  /**
   * Writes a value built as Spark objects (conversions of rare dtypes, decimals): through the
   * UnsafeArrayData it already is, or Spark's own projection for its type.
   */
  private void writeValue(UnsafeWriter w, int ordinal, DataType type, Object value) {
    if (value instanceof UnsafeArrayData) {
      int prev = w.cursor();
      w.write((UnsafeArrayData) value);
      w.setOffsetAndSizeFromPreviousCursor(ordinal, prev);
      return;
    }
    UnsafeProjection proj =
        projections.computeIfAbsent(
            type, t -> UnsafeProjection.create(new StructType().add("value", t)));
    UnsafeRow r = proj.apply(new GenericInternalRow(new Object[] {value}));
    if (type instanceof StructType) {
      w.write(ordinal, r.getStruct(0, ((StructType) type).size()));
    } else if (type instanceof MapType) {
      w.write(ordinal, r.getMap(0));
    } else {
      writeValue(w, ordinal, type, r.getArray(0));
    }
  }

  /** Whether the last {@link #losslessBytes} held a float (then every value is float64). */
  private boolean losslessFloats;

  /**
   * A plain list of numbers as numpy would make it a tensor: int64 when all are integers, else
   * float64; little-endian bytes.
   */
  private byte[] losslessBytes(Plan p, byte[] buf, int off, int len) {
    int n = countRecords(buf, off, len, "ListOfAnyProto");
    long[] bits = new long[n];
    boolean[] integer = new boolean[n];
    boolean floats = false;
    int i = 0;
    for (int q = off, end = off + len; q < end; i++) {
      int l = record(buf, q, end, "ListOfAnyProto");
      int s = next;
      q = s + l;
      int et = l == 0 ? 0 : varint32(buf, s, q);
      if (et == Wire.tag(Wire.NODE_INTEGER, Wire.WT_VARINT)) {
        bits[i] = (int) varint64(buf, next, q);
        integer[i] = true;
      } else if (et == Wire.tag(Wire.NODE_FLOAT, Wire.WT_FIXED64) && q - next >= 8) {
        bits[i] = (long) LE_LONG.get(buf, next);
        floats = true;
      } else {
        throw new MalformedDocumentException(
            "'" + p.path + "' is a tensor column but holds a list of non-numbers", off);
      }
    }
    // integers among floats become float64, as numpy.asarray makes them
    if (floats)
      for (int j = 0; j < n; j++)
        if (integer[j]) bits[j] = Double.doubleToRawLongBits((double) bits[j]);
    byte[] bytes = new byte[n * 8];
    for (int j = 0; j < n; j++) LE_LONG.set(bytes, j * 8, bits[j]);
    losslessFloats = floats;
    return bytes;
  }

  /**
   * A plain list of numbers in a lossless tensor column: int64 (all integers) or float64, as numpy
   * would make it.
   */
  private void numberListAsLosslessTensor(
      Plan p, UnsafeWriter w, int ordinal, byte[] buf, int off, int len) {
    if (p.dataSlot >= 0) {
      throw new MalformedDocumentException(
          "'" + p.path + "' mixes typed and lossless tensor fields", off);
    }
    byte[] bytes = losslessBytes(p, buf, off, len);
    int n = bytes.length / 8;
    boolean floats = losslessFloats;
    int prev = w.cursor();
    UnsafeRowWriter s = p.doc.writer;
    s.resetRowWriter();
    if (p.shapeSlot >= 0) ints(s, p.shapeSlot, new int[] {n});
    if (p.dtypeSlot >= 0) s.write(p.dtypeSlot, floats ? F8 : I8);
    if (p.bufferSlot >= 0) s.write(p.bufferSlot, bytes);
    w.setOffsetAndSizeFromPreviousCursor(ordinal, prev);
  }

  /**
   * A plain list of numbers in a typed tensor column is a 1-D tensor (DocArray converts it on load
   * too).
   */
  private void numberListAsTensor(
      Plan p, UnsafeWriter w, int ordinal, byte[] buf, int off, int len, int depth) {
    int n = countRecords(buf, off, len, "ListOfAnyProto");
    int prev = w.cursor();
    UnsafeRowWriter s = p.doc.writer;
    s.resetRowWriter();
    if (p.shapeSlot >= 0) ints(s, p.shapeSlot, new int[] {n});
    Plan e = p.tensorElementPlan();
    if (e.array == null) e.array = new UnsafeArrayWriter(rowWriter, e.size);
    elements(e, e.array, s, p.dataSlot, buf, off, len, depth);
    w.setOffsetAndSizeFromPreviousCursor(ordinal, prev);
  }

  // ---------------------------------------------------------------- straight into Arrow

  /**
   * Writes one NodeProto as the plan's value at position {@code at} of its Arrow vector; false for
   * None (the caller makes it null). The same conversions as {@link #write}, into the vectors.
   */
  private boolean arrow(Plan p, int at, byte[] buf, int off, int len, int depth) {
    if (p.kind == Kind.JSON) {
      String j = json.nodeToJson(buf, off, len);
      if (j == null) return false;
      ((ArrowFields.VarWidthField) p.arrow).put(at, j.getBytes(StandardCharsets.UTF_8));
      return true;
    }
    int field = node(p, buf, off, len);
    if (field == 0) return false;
    long scalar = nodeScalar;
    double dbl = nodeDouble;
    int cs = nodeStart, cl = nodeLength;
    switch (p.kind) {
      case STRING:
        if (field == Wire.NODE_TEXT) {
          if (!Utf8Validation.isValid(buf, cs, cs + cl)) {
            throw new MalformedDocumentException("'" + p.path + "': text is not valid UTF-8", cs);
          }
          ((ArrowFields.VarWidthField) p.arrow).put(at, buf, Platform.BYTE_ARRAY_OFFSET + cs, cl);
          return true;
        }
        ((ArrowFields.VarWidthField) p.arrow)
            .put(at, json.nodeToJson(buf, off, len).getBytes(StandardCharsets.UTF_8));
        return true;
      case INT:
        if (field == Wire.NODE_INTEGER) {
          ((ArrowFields.FixedWidthField) p.arrow).putInt(at, (int) scalar);
          return true;
        }
        break;
      case LONG:
        if (field == Wire.NODE_INTEGER) {
          ((ArrowFields.FixedWidthField) p.arrow).putLong(at, scalar);
          return true;
        }
        break;
      case SHORT:
        if (field == Wire.NODE_INTEGER && scalar == (short) scalar) {
          ((ArrowFields.FixedWidthField) p.arrow).putShort(at, (short) scalar);
          return true;
        }
        break;
      case BYTE:
        if (field == Wire.NODE_INTEGER && scalar == (byte) scalar) {
          ((ArrowFields.FixedWidthField) p.arrow).putByte(at, (byte) scalar);
          return true;
        }
        break;
      case DOUBLE:
        if (field == Wire.NODE_FLOAT || field == Wire.NODE_INTEGER) {
          ((ArrowFields.FixedWidthField) p.arrow)
              .putDouble(at, field == Wire.NODE_FLOAT ? dbl : (double) scalar);
          return true;
        }
        break;
      case FLOAT:
        if (field == Wire.NODE_FLOAT || field == Wire.NODE_INTEGER) {
          ((ArrowFields.FixedWidthField) p.arrow)
              .putFloat(at, field == Wire.NODE_FLOAT ? (float) dbl : (float) scalar);
          return true;
        }
        break;
      case BOOLEAN:
        if (field == Wire.NODE_BOOLEAN) {
          ((ArrowFields.FixedWidthField) p.arrow).putBoolean(at, scalar != 0);
          return true;
        }
        break;
      case BINARY:
        if (field == Wire.NODE_BLOB || field == Wire.NODE_TEXT) {
          ((ArrowFields.VarWidthField) p.arrow).put(at, buf, Platform.BYTE_ARRAY_OFFSET + cs, cl);
          return true;
        }
        break;
      case STRUCT:
        if (field == Wire.NODE_NDARRAY && p.tensorStruct) return tensorInto(p, at, buf, cs, cl);
        if ((field == Wire.NODE_LIST || field == Wire.NODE_TUPLE) && p.tensorStruct) {
          if (p.dtypeSlot >= 0 || p.bufferSlot >= 0) {
            losslessTensorInto(p, at, buf, cs, cl);
            return true;
          }
          if (p.dataSlot >= 0) {
            numberListAsTensorInto(p, at, buf, cs, cl, depth);
            return true;
          }
        }
        if (field == Wire.NODE_DOC || field == Wire.NODE_DICT) {
          ((ArrowFields.StructField_) p.arrow).define(at);
          p.doc.decodeFieldsInto(this, buf, cs, cl, depth + 1, at);
          return true;
        }
        break;
      case ARRAY:
        if (field == Wire.NODE_DOC_ARRAY && p.element.kind == Kind.STRUCT) {
          docArrayInto(p, at, buf, cs, cl, depth);
          return true;
        }
        if (field == Wire.NODE_LIST || field == Wire.NODE_SET || field == Wire.NODE_TUPLE) {
          elementsInto(p.element, (ArrowFields.ListField) p.arrow, at, buf, cs, cl, depth);
          return true;
        }
        if (field == Wire.NODE_NDARRAY && p.tensorElement != null) {
          tensor.parse(buf, cs, cl, limits, true);
          if (tensor.isNoneMarker()) return false;
          tensorBytes += tensor.bufferLength;
          tensorDataInto((ArrowFields.ListField) p.arrow, at, tensor, p.tensorElement, p.path);
          return true;
        }
        break;
      default:
        // maps, decimals and ML vectors are never bound: such schemas are read through rows
        break;
    }
    throw notConvertible(p, field, off);
  }

  private static final byte[] F8 = "<f8".getBytes(StandardCharsets.UTF_8);
  private static final byte[] I8 = "<i8".getBytes(StandardCharsets.UTF_8);

  private boolean tensorInto(Plan p, int at, byte[] buf, int off, int len) {
    TensorView t = tensor.parse(buf, off, len, limits, p.dataSlot >= 0);
    if (t.isNoneMarker()) return false;
    tensorBytes += t.bufferLength;
    ArrowFields.StructField_ s = (ArrowFields.StructField_) p.arrow;
    s.define(at);
    if (p.shapeSlot >= 0) {
      ((ArrowFields.ListField) s.child(p.shapeSlot))
          .putAll(at, t.shape, Platform.INT_ARRAY_OFFSET, t.shape.length);
    }
    if (p.dtypeSlot >= 0)
      ((ArrowFields.VarWidthField) s.child(p.dtypeSlot)).put(at, t.dtypeBytes());
    if (p.bufferSlot >= 0) {
      ((ArrowFields.VarWidthField) s.child(p.bufferSlot))
          .put(at, t.data, Platform.BYTE_ARRAY_OFFSET + t.bufferOffset, t.bufferLength);
    }
    if (p.dataSlot >= 0) {
      tensorDataInto((ArrowFields.ListField) s.child(p.dataSlot), at, t, p.tensorElement, p.path);
    }
    return true;
  }

  /** A tensor's elements: one copy from the wire when stored in the column's element type. */
  private void tensorDataInto(
      ArrowFields.ListField l, int at, TensorView t, DataType target, String path) {
    if (TensorConverter.sameLayout(t.dtype, target) && l.width() == t.dtype.itemSize()) {
      l.putAll(at, t.data, Platform.BYTE_ARRAY_OFFSET + t.bufferOffset, (int) t.elementCount);
    } else {
      l.putArray(at, TensorConverter.data(t, target, path));
    }
  }

  private void losslessTensorInto(Plan p, int at, byte[] buf, int off, int len) {
    if (p.dataSlot >= 0) {
      throw new MalformedDocumentException(
          "'" + p.path + "' mixes typed and lossless tensor fields", off);
    }
    byte[] bytes = losslessBytes(p, buf, off, len);
    ArrowFields.StructField_ s = (ArrowFields.StructField_) p.arrow;
    s.define(at);
    if (p.shapeSlot >= 0) {
      ((ArrowFields.ListField) s.child(p.shapeSlot))
          .putAll(at, new int[] {bytes.length / 8}, Platform.INT_ARRAY_OFFSET, 1);
    }
    if (p.dtypeSlot >= 0) {
      ((ArrowFields.VarWidthField) s.child(p.dtypeSlot)).put(at, losslessFloats ? F8 : I8);
    }
    if (p.bufferSlot >= 0) ((ArrowFields.VarWidthField) s.child(p.bufferSlot)).put(at, bytes);
  }

  private void numberListAsTensorInto(Plan p, int at, byte[] buf, int off, int len, int depth) {
    int n = countRecords(buf, off, len, "ListOfAnyProto");
    ArrowFields.StructField_ s = (ArrowFields.StructField_) p.arrow;
    s.define(at);
    if (p.shapeSlot >= 0) {
      ((ArrowFields.ListField) s.child(p.shapeSlot))
          .putAll(at, new int[] {n}, Platform.INT_ARRAY_OFFSET, 1);
    }
    ArrowFields.ListField data = (ArrowFields.ListField) s.child(p.dataSlot);
    Plan e = p.tensorElementPlan();
    if (e.arrow == null) e.bind(data.element());
    elementsInto(e, data, at, buf, off, len, depth);
  }

  private void docArrayInto(Plan p, int at, byte[] buf, int off, int len, int depth) {
    ArrowFields.ListField l = (ArrowFields.ListField) p.arrow;
    ArrowFields.StructField_ e = (ArrowFields.StructField_) p.element.arrow;
    DocPlan doc = p.element.doc;
    int start = l.begin(at);
    int i = 0;
    for (int q = off, end = off + len; q < end; i++) {
      int rl = record(buf, q, end, "DocListProto");
      int s = next;
      e.define(start + i);
      doc.decodeFieldsInto(this, buf, s, rl, depth + 1, start + i);
      q = s + rl;
    }
    l.end(at, i);
  }

  /** A ListOfAnyProto's nodes as the array at position {@code at}. */
  private void elementsInto(
      Plan element, ArrowFields.ListField l, int at, byte[] buf, int off, int len, int depth) {
    int start = l.begin(at);
    int i = 0;
    for (int q = off, end = off + len; q < end; i++) {
      int rl = record(buf, q, end, "ListOfAnyProto");
      int s = next;
      if (!arrow(element, start + i, buf, s, rl, depth + 1)) element.arrow.setNull(start + i);
      q = s + rl;
    }
    l.end(at, i);
  }

  private void docArray(
      Plan p, UnsafeWriter w, int ordinal, byte[] buf, int off, int len, int depth) {
    int n = countRecords(buf, off, len, "DocListProto");
    int prev = w.cursor();
    UnsafeArrayWriter a = p.array;
    a.initialize(n);
    DocPlan doc = p.element.doc;
    int i = 0;
    for (int q = off, end = off + len; q < end; i++) {
      int l = record(buf, q, end, "DocListProto");
      int s = next;
      int at = a.cursor();
      doc.writer.resetRowWriter();
      doc.decodeFields(this, buf, s, l, depth + 1);
      a.setOffsetAndSizeFromPreviousCursor(i, at);
      q = s + l;
    }
    w.setOffsetAndSizeFromPreviousCursor(ordinal, prev);
  }

  /** A ListOfAnyProto's nodes as an array of {@code element} values, written with {@code a}. */
  private void elements(
      Plan element,
      UnsafeArrayWriter a,
      UnsafeWriter w,
      int ordinal,
      byte[] buf,
      int off,
      int len,
      int depth) {
    int n = countRecords(buf, off, len, "ListOfAnyProto");
    int prev = w.cursor();
    a.initialize(n);
    int i = 0;
    for (int q = off, end = off + len; q < end; i++) {
      int l = record(buf, q, end, "ListOfAnyProto");
      int s = next;
      if (!write(element, a, i, buf, s, l, depth + 1)) element.setNull(a, i);
      q = s + l;
    }
    w.setOffsetAndSizeFromPreviousCursor(ordinal, prev);
  }

  private void dict(Plan p, UnsafeWriter w, int ordinal, byte[] buf, int off, int len, int depth) {
    int n = countRecords(buf, off, len, "DictOfAnyProto");
    Wire.Entry e = new Wire.Entry();
    int prev = w.cursor();
    // an UnsafeMapData: the key array's size in bytes, the key array, the value array
    w.grow(8);
    w.increaseCursor(8);
    int keysAt = w.cursor();
    p.keys.initialize(n);
    try {
      int i = 0;
      for (int q = off, end = off + len; q < end; i++) {
        int l = record(buf, q, end, "DictOfAnyProto");
        int s = next;
        Wire.entry(buf, s, l, e);
        p.keys.write(i, UTF8String.fromString(e.key(buf)));
        q = s + l;
      }
      Platform.putLong(w.getBuffer(), prev, w.cursor() - keysAt);
      p.array.initialize(n);
      i = 0;
      for (int q = off, end = off + len; q < end; i++) {
        int l = record(buf, q, end, "DictOfAnyProto");
        int s = next;
        Wire.entry(buf, s, l, e);
        if (e.valueStart < 0
            || !write(p.element, p.array, i, buf, e.valueStart, e.valueLength, depth + 1)) {
          p.element.setNull(p.array, i);
        }
        q = s + l;
      }
    } catch (java.io.IOException ex) {
      throw new MalformedDocumentException(
          "'" + p.path + "' is not a DictOfAnyProto: " + ex.getMessage(), off, ex);
    }
    w.setOffsetAndSizeFromPreviousCursor(ordinal, prev);
  }
}
