package org.docarray.spark.write;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.SpecializedGetters;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.catalyst.util.MapData;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.docarray.spark.config.DocArrayWriteConf;
import org.docarray.spark.format.DType;
import org.docarray.spark.format.Half;
import org.docarray.spark.format.NodeJsonReader;
import org.docarray.spark.format.proto.DenseNdArrayProto;
import org.docarray.spark.format.proto.DictOfAnyProto;
import org.docarray.spark.format.proto.DocListProto;
import org.docarray.spark.format.proto.DocProto;
import org.docarray.spark.format.proto.ListOfAnyProto;
import org.docarray.spark.format.proto.NdArrayProto;
import org.docarray.spark.format.proto.NodeProto;
import org.docarray.spark.schema.DocArrayMetadata;
import org.docarray.spark.schema.TensorTypes;

/**
 * Encodes Spark rows as {@code DocProto}s that real DocArray loads (docs/docarray-format.md §10,
 * "Writing"): every present value sets its oneof branch (falsy values and empty containers too),
 * null is an empty node, the root always has an {@code id}, tensors are little-endian C-order
 * buffers tagged {@code ndarray} (or the numpy tag kept in metadata).
 *
 * <p>The schema is compiled once into one {@link Converter} per field (the pattern of Spark's
 * {@code AvroSerializer}): each knows its Spark type, its DocArray tag and kind and its path, and
 * reads its value through Spark's {@link SpecializedGetters}, so the same converter serves a
 * struct's field and an array's element. Nothing is decided per value but what the data decides (a
 * null, a numeric array with a null in it, a per-document dtype). A value that cannot be written
 * fails with the column named.
 */
public final class DocEncoder {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private final StructType schema;
  private final DocArrayWriteConf options;

  /** The root document's fields, without the absentFieldsColumn. */
  private final DocConverter root;

  private final boolean hasId;

  /** The row position of the absentFieldsColumn option's column, or -1. */
  private final int absentSlot;

  public DocEncoder(StructType schema, DocArrayWriteConf options) {
    this.schema = schema;
    this.options = options;
    int absent = -1;
    if (options.absentFieldsColumn != null) {
      String[] names = schema.fieldNames();
      for (int i = 0; i < names.length; i++)
        if (names[i].equals(options.absentFieldsColumn)) absent = i;
      if (absent < 0) {
        throw new UnwritableValueException(
            "Option absentFieldsColumn names '"
                + options.absentFieldsColumn
                + "', which is not a column (select _metadata.absent_fields AS "
                + options.absentFieldsColumn
                + " when reading)");
      }
      DataType t = schema.fields()[absent].dataType();
      if (!(t instanceof ArrayType) || ((ArrayType) t).elementType() != DataTypes.StringType) {
        throw new UnwritableValueException(
            "Column '"
                + options.absentFieldsColumn
                + "' (absentFieldsColumn) has type "
                + t.simpleString()
                + "; it must be array<string>: the names of the fields a document did not have");
      }
    }
    this.absentSlot = absent;
    this.root = new DocConverter("", absent < 0 ? schema : without(schema, absent));
    boolean id = false;
    for (StructField f : schema.fields()) id |= f.name().equals("id");
    this.hasId = id;
  }

  /** The schema with one top-level column taken out. */
  private static StructType without(StructType s, int slot) {
    StructType out = new StructType();
    for (int i = 0; i < s.fields().length; i++) if (i != slot) out = out.add(s.fields()[i]);
    return out;
  }

  /** A column that cannot be written: names it and the way out. */
  public static final class UnwritableValueException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UnwritableValueException(String message) {
      super(message);
    }
  }

  /** The DocProto of one row. */
  public DocProto encode(InternalRow row) {
    DocProto.Builder d = DocProto.newBuilder();
    if (absentSlot < 0) {
      root.fill(d, row, null, -1);
    } else {
      java.util.Set<String> absent = new java.util.HashSet<>();
      if (!row.isNullAt(absentSlot)) {
        ArrayData a = row.getArray(absentSlot);
        for (int i = 0; i < a.numElements(); i++)
          if (!a.isNullAt(i)) absent.add(a.getUTF8String(i).toString());
      }
      root.fill(d, row, absent, absentSlot);
    }
    // a row without an id column gets a fresh one; an id column that is null stays None, as
    // DocArray had it
    if (!hasId) d.putData("id", NodeProto.newBuilder().setText(newId()).setType("id").build());
    return d.build();
  }

  /** 32 lowercase hex characters, as DocArray's own ids. */
  public static String newId() {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    char[] c = new char[32];
    for (int i = 0; i < 16; i++) {
      c[2 * i] = HEX[(b[i] >> 4) & 0xf];
      c[2 * i + 1] = HEX[b[i] & 0xf];
    }
    return new String(c);
  }

  public StructType schema() {
    return schema;
  }

  // ---------------------------------------------------------------- compiled converters

  /**
   * The node of the non-null value at {@code ordinal} of a struct row or an array (the caller
   * handles null).
   */
  @FunctionalInterface
  private interface Converter {
    NodeProto convert(SpecializedGetters in, int ordinal);
  }

  /** A document: one converter per field, written under the field names. */
  private final class DocConverter {
    final String[] names;
    final Converter[] converters;

    DocConverter(String path, StructType s) {
      StructField[] fs = s.fields();
      names = new String[fs.length];
      converters = new Converter[fs.length];
      for (int i = 0; i < fs.length; i++) {
        StructField f = fs[i];
        names[i] = f.name();
        converters[i] =
            converter(
                path.isEmpty() ? f.name() : path + "." + f.name(),
                f.dataType(),
                DocArrayMetadata.getString(f, DocArrayMetadata.TAG),
                DocArrayMetadata.getString(f, DocArrayMetadata.KIND),
                DocArrayMetadata.getString(f, DocArrayMetadata.DTYPE));
      }
    }

    /**
     * The fields of {@code row} into {@code d}; a null is None unless ignoreNullFields, or absent
     * when its name is in {@code absent}. {@code skip}: a row position that is not a field (the
     * absentFieldsColumn), or -1.
     */
    void fill(DocProto.Builder d, InternalRow row, java.util.Set<String> absent, int skip) {
      for (int i = 0, at = 0; i < names.length; i++, at++) {
        if (at == skip) at++;
        if (row.isNullAt(at)) {
          if (!options.ignoreNullFields && (absent == null || !absent.contains(names[i]))) {
            d.putData(names[i], NodeProto.getDefaultInstance());
          }
        } else {
          d.putData(names[i], converters[i].convert(row, at));
        }
      }
    }

    DocProto.Builder doc(InternalRow row) {
      DocProto.Builder d = DocProto.newBuilder();
      fill(d, row, null, -1);
      return d;
    }
  }

  /**
   * The converter of one field (or array element, or map value) of type {@code t}, built once per
   * schema.
   */
  private Converter converter(String path, DataType t, String tag, String kind, String dtype) {
    if (t == DataTypes.StringType) {
      if (DocArrayMetadata.KIND_JSON.equals(kind))
        return (in, i) -> json(path, in.getUTF8String(i).toString());
      return (in, i) -> tagged(tag).setText(in.getUTF8String(i).toString()).build();
    }
    if (t == DataTypes.IntegerType) return (in, i) -> tagged(tag).setInteger(in.getInt(i)).build();
    if (t == DataTypes.ShortType) return (in, i) -> tagged(tag).setInteger(in.getShort(i)).build();
    if (t == DataTypes.ByteType) return (in, i) -> tagged(tag).setInteger(in.getByte(i)).build();
    if (t == DataTypes.LongType) return (in, i) -> longValue(path, tag, in.getLong(i));
    if (t == DataTypes.DoubleType) return (in, i) -> tagged(tag).setFloat(in.getDouble(i)).build();
    if (t == DataTypes.FloatType) return (in, i) -> tagged(tag).setFloat(in.getFloat(i)).build();
    if (t == DataTypes.BooleanType)
      return (in, i) -> tagged(tag).setBoolean(in.getBoolean(i)).build();
    if (t == DataTypes.BinaryType)
      return (in, i) -> tagged(tag).setBlob(ByteString.copyFrom(in.getBinary(i))).build();
    if (t instanceof StructType) {
      StructType st = (StructType) t;
      int n = st.size();
      if (TensorTypes.holdsTensor(st)
          && (TensorTypes.hasField(st, TensorTypes.DATA)
              || TensorTypes.hasField(st, TensorTypes.BUFFER))) {
        TensorWriter w = new TensorWriter(path, st, dtype);
        String written = tensorTag(tag);
        return (in, i) ->
            NodeProto.newBuilder()
                .setNdarray(w.tensor(in.getStruct(i, n)))
                .setType(written)
                .build();
      }
      DocConverter doc = new DocConverter(path, st);
      return (in, i) -> NodeProto.newBuilder().setDoc(doc.doc(in.getStruct(i, n))).build();
    }
    if (t instanceof ArrayType) return arrayConverter(path, (ArrayType) t, tag, kind, dtype);
    if (t instanceof MapType) {
      MapType m = (MapType) t;
      if (m.keyType() != DataTypes.StringType) {
        throw new UnwritableValueException(
            "Column '"
                + path
                + "' is a map with "
                + m.keyType().simpleString()
                + " keys; DocArray dicts need string keys: cast the keys to string");
      }
      Converter value = converter(path + "{}", m.valueType(), null, null, null);
      return (in, i) -> {
        MapData md = in.getMap(i);
        ArrayData keys = md.keyArray();
        ArrayData values = md.valueArray();
        DictOfAnyProto.Builder d = DictOfAnyProto.newBuilder();
        for (int k = 0; k < md.numElements(); k++)
          d.putData(keys.getUTF8String(k).toString(), element(value, values, k));
        return NodeProto.newBuilder().setDict(d).build();
      };
    }
    if (TensorTypes.isVector(t)) {
      String written = tensorTag(tag);
      return (in, i) -> vector(in.getStruct(i, 4), written);
    }
    if (t == DataTypes.NullType) return (in, i) -> NodeProto.getDefaultInstance();
    if (t.equals(TensorTypes.UINT64)) {
      // an element of a uint64 tensor; a single uint64 value has no DocArray node: text, or fail
      // when one comes
      return (in, i) -> {
        if (options.unsupportedTypes == DocArrayWriteConf.Unsupported.TEXT) {
          return NodeProto.newBuilder().setText(String.valueOf(in.get(i, t))).build();
        }
        throw new UnwritableValueException(
            "Column '"
                + path
                + "' holds a uint64 value outside a tensor, which "
                + "DocArray's integer nodes cannot hold; cast it to double or string, or set option unsupportedTypes=text");
      };
    }
    if (options.unsupportedTypes == DocArrayWriteConf.Unsupported.TEXT) {
      return (in, i) -> NodeProto.newBuilder().setText(String.valueOf(in.get(i, t))).build();
    }
    throw new UnwritableValueException(
        "Column '"
            + path
            + "' has type "
            + t.simpleString()
            + ", which DocArray documents cannot hold; cast it (e.g. to string or double), "
            + "or set option unsupportedTypes=text to write its text form");
  }

  /**
   * Arrays: of documents a DocList; of numbers a 1-D tensor (an embedding), unless one element is
   * null (then a list, as DocArray would hold it); marked list/tuple/set (docarray.kind), or of
   * anything else, a list node.
   */
  private Converter arrayConverter(
      String path, ArrayType t, String tag, String kind, String dtype) {
    DataType et = t.elementType();
    boolean asList = "list".equals(kind) || "tuple".equals(kind) || "set".equals(kind);
    if (!asList && et instanceof StructType && !TensorTypes.holdsTensor((StructType) et)) {
      DocConverter doc = new DocConverter(path + "[]", (StructType) et);
      int n = ((StructType) et).size();
      return (in, i) -> {
        ArrayData a = in.getArray(i);
        DocListProto.Builder l = DocListProto.newBuilder();
        for (int k = 0; k < a.numElements(); k++) {
          if (a.isNullAt(k)) {
            throw new UnwritableValueException(
                "Column '"
                    + path
                    + "' is a DocList with a null element at "
                    + k
                    + "; DocLists hold documents only");
          }
          l.addDocs(doc.doc(a.getStruct(k, n)));
        }
        return NodeProto.newBuilder().setDocArray(l).build();
      };
    }
    Converter element = converter(path + "[]", et, null, null, null);
    Converter list =
        (in, i) -> {
          ArrayData a = in.getArray(i);
          ListOfAnyProto.Builder l = ListOfAnyProto.newBuilder();
          for (int k = 0; k < a.numElements(); k++) l.addData(element(element, a, k));
          NodeProto.Builder b = NodeProto.newBuilder();
          if ("set".equals(kind)) b.setSet(l);
          else if ("tuple".equals(kind)) b.setTuple(l);
          else b.setList(l);
          return b.build();
        };
    if (asList || !TensorTypes.isTensorElement(et)) return list;
    DType stored = dtypeFor(path, dtype, et);
    String written = tensorTag(tag);
    boolean mayHoldNull = t.containsNull();
    return (in, i) -> {
      ArrayData a = in.getArray(i);
      if (mayHoldNull && hasNull(a)) return list.convert(in, i);
      DenseNdArrayProto.Builder d =
          DenseNdArrayProto.newBuilder()
              .addShape(a.numElements())
              .setDtype(stored.littleEndianText())
              .setBuffer(buffer(path, a, et, stored));
      return NodeProto.newBuilder()
          .setNdarray(NdArrayProto.newBuilder().setDense(d))
          .setType(written)
          .build();
    };
  }

  private static NodeProto element(Converter c, ArrayData a, int k) {
    return a.isNullAt(k) ? NodeProto.getDefaultInstance() : c.convert(a, k);
  }

  private static boolean hasNull(ArrayData a) {
    for (int i = 0; i < a.numElements(); i++) if (a.isNullAt(i)) return true;
    return false;
  }

  private static NodeProto.Builder tagged(String tag) {
    NodeProto.Builder b = NodeProto.newBuilder();
    if (tag != null) b.setType(tag);
    return b;
  }

  private static NodeProto json(String path, String s) {
    try {
      return NodeJsonReader.parse(s);
    } catch (IllegalArgumentException e) {
      throw new UnwritableValueException(
          "Column '"
              + path
              + "' is marked docarray.kind=json but holds "
              + "something that is not node-form JSON: "
              + e.getMessage());
    }
  }

  private NodeProto longValue(String path, String tag, long v) {
    if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE)
      return tagged(tag).setInteger((int) v).build();
    if (options.unsupportedTypes == DocArrayWriteConf.Unsupported.TEXT) {
      return NodeProto.newBuilder().setText(Long.toString(v)).build();
    }
    throw new UnwritableValueException(
        "Column '"
            + path
            + "' holds "
            + v
            + ", outside the int32 range that "
            + "DocArray's integer nodes hold; cast it to double or string, or set option unsupportedTypes=text");
  }

  /** numpy tags survive; torch/TF/JAX tags become their numpy twins unless keepFrameworkTags. */
  private String tensorTag(String tag) {
    if (tag == null) return "ndarray";
    if (options.keepFrameworkTags) return tag;
    switch (tag) {
      case "torch_tensor":
      case "tensorflow_tensor":
      case "jaxarray":
        return "ndarray";
      case "image_torch_tensor":
      case "image_tensorflow_tensor":
      case "image_jaxarray":
        return "image_ndarray";
      case "audio_torch_tensor":
      case "audio_tensorflow_tensor":
      case "audio_jaxarray":
        return "audio_ndarray";
      case "video_torch_tensor":
      case "video_tensorflow_tensor":
      case "video_jaxarray":
        return "video_ndarray";
      case "torch_embedding":
      case "tensorflow_embedding":
      case "jaxarray_embedding":
        return "ndarray_embedding";
      default:
        return tag;
    }
  }

  // ---------------------------------------------------------------- tensors

  /**
   * A tensor struct (shape with data, or the binary form dtype/shape/buffer) as an NdArrayProto.
   */
  private static final class TensorWriter {
    final String path;
    final StructType st;
    final String metadataDtype;

    TensorWriter(String path, StructType st, String metadataDtype) {
      this.path = path;
      this.st = st;
      this.metadataDtype = metadataDtype;
    }

    NdArrayProto tensor(InternalRow r) {
      return DocEncoder.tensor(path, st, metadataDtype, r);
    }
  }

  private static NdArrayProto tensor(
      String path, StructType st, String metadataDtype, InternalRow r) {
    int shapeIdx = st.fieldIndex(TensorTypes.SHAPE);
    if (r.isNullAt(shapeIdx))
      throw new UnwritableValueException("Tensor column '" + path + "' has a null shape");
    ArrayData shapeData = r.getArray(shapeIdx);
    int[] shape = new int[shapeData.numElements()];
    long n = 1;
    for (int i = 0; i < shape.length; i++) {
      shape[i] = shapeData.getInt(i);
      if (shape[i] < 0)
        throw new UnwritableValueException("Tensor column '" + path + "' has a negative dimension");
      n = Math.multiplyExact(n, shape[i]);
    }
    DenseNdArrayProto.Builder d = DenseNdArrayProto.newBuilder();
    for (int s : shape) d.addShape(s);
    if (TensorTypes.hasField(st, TensorTypes.BUFFER)) {
      // lossless form: the bytes and dtype exactly as they were
      int bi = st.fieldIndex(TensorTypes.BUFFER);
      int di = st.fieldIndex(TensorTypes.DTYPE);
      String dtype = r.isNullAt(di) ? null : r.getUTF8String(di).toString();
      byte[] buf = r.isNullAt(bi) ? new byte[0] : r.getBinary(bi);
      if (dtype == null)
        throw new UnwritableValueException("Tensor column '" + path + "' has a null dtype");
      DType dt = DType.parse(dtype);
      if ((long) buf.length != n * dt.itemSize()) {
        throw new UnwritableValueException(
            "Tensor column '"
                + path
                + "' has "
                + buf.length
                + " buffer bytes but shape "
                + java.util.Arrays.toString(shape)
                + " x itemsize "
                + dt.itemSize()
                + " needs "
                + n * dt.itemSize());
      }
      return NdArrayProto.newBuilder()
          .setDense(d.setDtype(dtype).setBuffer(ByteString.copyFrom(buf)))
          .build();
    }
    int dataIdx = st.fieldIndex(TensorTypes.DATA);
    ArrayData data = r.isNullAt(dataIdx) ? null : r.getArray(dataIdx);
    int count = data == null ? 0 : data.numElements();
    if (count != n) {
      throw new UnwritableValueException(
          "Tensor column '"
              + path
              + "' has "
              + count
              + " elements but shape "
              + java.util.Arrays.toString(shape)
              + " needs "
              + n);
    }
    DataType et = ((ArrayType) st.apply(TensorTypes.DATA).dataType()).elementType();
    DType dtype = null;
    if (TensorTypes.hasField(st, TensorTypes.DTYPE)) {
      // a column whose documents disagreed on dtype: each document is written back in its own
      int di = st.fieldIndex(TensorTypes.DTYPE);
      if (!r.isNullAt(di)) {
        String text = r.getUTF8String(di).toString();
        try {
          dtype = DType.parse(text);
        } catch (IllegalArgumentException e) {
          throw new UnwritableValueException(
              "Tensor column '" + path + "' has dtype '" + text + "': " + e.getMessage());
        }
        if (!dtype.isNumeric() && dtype.kind() != DType.Kind.BOOL) {
          throw new UnwritableValueException(
              "Tensor column '"
                  + path
                  + "' has dtype '"
                  + text
                  + "', which a typed tensor column cannot hold; write it with the binary form struct<dtype, shape, buffer>");
        }
      }
    }
    if (dtype == null) dtype = dtypeFor(path, metadataDtype, et);
    d.setDtype(dtype.littleEndianText()).setBuffer(buffer(path, data, et, dtype));
    return NdArrayProto.newBuilder().setDense(d).build();
  }

  private static NodeProto vector(InternalRow v, String tag) {
    // Spark ML vectors: struct<type: tinyint, size: int, indices: array<int>, values:
    // array<double>>
    byte type = v.getByte(0);
    ArrayData values = v.getArray(3);
    double[] dense;
    if (type == 1) {
      dense = values.toDoubleArray();
    } else {
      dense = new double[v.getInt(1)];
      ArrayData idx = v.getArray(2);
      for (int i = 0; i < idx.numElements(); i++) dense[idx.getInt(i)] = values.getDouble(i);
    }
    ByteBuffer bb = ByteBuffer.allocate(dense.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (double x : dense) bb.putDouble(x);
    return NodeProto.newBuilder()
        .setNdarray(
            NdArrayProto.newBuilder()
                .setDense(
                    DenseNdArrayProto.newBuilder()
                        .addShape(dense.length)
                        .setDtype("<f8")
                        .setBuffer(ByteString.copyFrom(bb.array()))))
        .setType(tag)
        .build();
  }

  /**
   * The dtype to store: the one in metadata when the element type holds it exactly, else the
   * natural one.
   */
  private static DType dtypeFor(String path, String metadataDtype, DataType et) {
    if (metadataDtype != null) {
      try {
        DType d = DType.parse(metadataDtype);
        if (d.isNumeric() && compatible(d, et)) return d;
      } catch (IllegalArgumentException ignored) {
        // fall through to the natural dtype
      }
    }
    if (et == DataTypes.FloatType) return DType.parse("<f4");
    if (et == DataTypes.DoubleType) return DType.parse("<f8");
    if (et == DataTypes.ByteType) return DType.parse("|i1");
    if (et == DataTypes.ShortType) return DType.parse("<i2");
    if (et == DataTypes.IntegerType) return DType.parse("<i4");
    if (et == DataTypes.LongType) return DType.parse("<i8");
    if (et == DataTypes.BooleanType) return DType.parse("|b1");
    if (et.equals(TensorTypes.UINT64)) return DType.parse("<u8");
    throw new UnwritableValueException(
        "Tensor column '"
            + path
            + "' has elements of type "
            + et.simpleString()
            + "; tensors hold numbers or booleans");
  }

  /**
   * Whether the column's element type is the one the reader maps this dtype to (so values
   * round-trip).
   */
  private static boolean compatible(DType d, DataType et) {
    DataType natural = TensorTypes.elementType(d);
    return natural != null && natural.equals(et);
  }

  private static ByteString buffer(String path, ArrayData a, DataType et, DType d) {
    int n = a == null ? 0 : a.numElements();
    ByteBuffer bb = ByteBuffer.allocate(n * d.itemSize()).order(ByteOrder.LITTLE_ENDIAN);
    if (n > 0 && sameLayout(et, d)) {
      // the Spark array holds exactly the stored numbers: one bulk copy
      for (int i = 0; i < n; i++) {
        if (a.isNullAt(i))
          throw new UnwritableValueException(
              "Tensor column '" + path + "' has a null element at " + i);
      }
      if (et == DataTypes.FloatType) bb.asFloatBuffer().put(a.toFloatArray());
      else if (et == DataTypes.DoubleType) bb.asDoubleBuffer().put(a.toDoubleArray());
      else if (et == DataTypes.IntegerType) bb.asIntBuffer().put(a.toIntArray());
      else bb.asLongBuffer().put(a.toLongArray());
      return ByteString.copyFrom(bb.array());
    }
    for (int i = 0; i < n; i++) {
      if (a.isNullAt(i)) {
        throw new UnwritableValueException(
            "Tensor column '" + path + "' has a null element at " + i);
      }
      switch (d.kind()) {
        case FLOAT:
          {
            double x =
                et == DataTypes.FloatType
                    ? a.getFloat(i)
                    : et == DataTypes.DoubleType ? a.getDouble(i) : asLong(a, i, et);
            if (d.itemSize() == 2) bb.putShort(Half.fromFloat((float) x));
            else if (d.itemSize() == 4) bb.putFloat((float) x);
            else bb.putDouble(x);
            break;
          }
        case BOOL:
          {
            boolean b;
            if (et == DataTypes.BooleanType) {
              b = a.getBoolean(i);
            } else {
              double x =
                  et == DataTypes.FloatType
                      ? a.getFloat(i)
                      : et == DataTypes.DoubleType
                          ? a.getDouble(i)
                          : et instanceof DecimalType
                              ? a.getDecimal(i, 20, 0).toDouble()
                              : asLong(a, i, et);
              if (x != 0 && x != 1) throw outOfRange(path, i, Double.toString(x), d);
              b = x == 1;
            }
            bb.put((byte) (b ? 1 : 0));
            break;
          }
        default:
          {
            long v;
            if (et == DataTypes.FloatType || et == DataTypes.DoubleType) {
              // an integer dtype kept beside a float column: the value must be that integer exactly
              double x = et == DataTypes.FloatType ? a.getFloat(i) : a.getDouble(i);
              boolean u64 = d.kind() == DType.Kind.UINT && d.itemSize() == 8;
              if (x != Math.rint(x) || x < (u64 ? 0 : -0x1p63) || x >= (u64 ? 0x1p64 : 0x1p63)) {
                throw outOfRange(path, i, Double.toString(x), d);
              }
              v =
                  u64 && x >= 0x1p63
                      ? new java.math.BigDecimal(x).toBigInteger().longValue()
                      : (long) x;
              if (d.itemSize() < 8 && (v < d.minInteger() || v > d.maxInteger())) {
                throw outOfRange(path, i, Double.toString(x), d);
              }
            } else if (et instanceof DecimalType) {
              java.math.BigInteger big = a.getDecimal(i, 20, 0).toJavaBigDecimal().toBigInteger();
              if (big.signum() < 0 || big.bitLength() > 64)
                throw outOfRange(path, i, big.toString(), d);
              v = big.longValue();
            } else {
              v = asLong(a, i, et);
              if (d.itemSize() < 8 && (v < d.minInteger() || v > d.maxInteger())) {
                throw outOfRange(path, i, Long.toString(v), d);
              } else if (d.kind() == DType.Kind.UINT && v < 0) {
                throw outOfRange(path, i, Long.toString(v), d);
              }
            }
            switch (d.itemSize()) {
              case 1:
                bb.put((byte) v);
                break;
              case 2:
                bb.putShort((short) v);
                break;
              case 4:
                bb.putInt((int) v);
                break;
              default:
                bb.putLong(v);
            }
          }
      }
    }
    return ByteString.copyFrom(bb.array());
  }

  /**
   * Spark's element type and the stored dtype are the same little-endian numbers (float32, float64,
   * int32, int64).
   */
  private static boolean sameLayout(DataType et, DType d) {
    if (et == DataTypes.FloatType) return d.kind() == DType.Kind.FLOAT && d.itemSize() == 4;
    if (et == DataTypes.DoubleType) return d.kind() == DType.Kind.FLOAT && d.itemSize() == 8;
    if (et == DataTypes.IntegerType) return d.kind() == DType.Kind.INT && d.itemSize() == 4;
    if (et == DataTypes.LongType) return d.kind() == DType.Kind.INT && d.itemSize() == 8;
    return false;
  }

  private static UnwritableValueException outOfRange(String path, int i, String v, DType d) {
    return new UnwritableValueException(
        "Tensor column '"
            + path
            + "' element "
            + i
            + " = "
            + v
            + " does not fit its dtype "
            + d
            + " (from the dtype column or docarray.dtype metadata); fix the value");
  }

  private static long asLong(ArrayData a, int i, DataType et) {
    if (et == DataTypes.ByteType) return a.getByte(i);
    if (et == DataTypes.ShortType) return a.getShort(i);
    if (et == DataTypes.IntegerType) return a.getInt(i);
    if (et == DataTypes.LongType) return a.getLong(i);
    if (et == DataTypes.BooleanType) return a.getBoolean(i) ? 1 : 0;
    throw new IllegalStateException(et.simpleString());
  }
}
