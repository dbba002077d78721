package org.docarray.spark.write;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.catalyst.util.MapData;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.UserDefinedType;
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
 * Encodes Spark rows as {@code DocProto}s that real DocArray loads (docarray-format.md §10,
 * "Writing"): every present value sets its oneof branch (falsy values and empty containers too),
 * null is an empty node, the root always has an {@code id}, tensors are little-endian C-order
 * buffers tagged {@code ndarray} (or the numpy tag kept in metadata). The schema is compiled once
 * into a plan; a value that cannot be written fails with the column named.
 */
public final class DocEncoder {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private final StructType schema;
  private final DocArrayWriteOptions options;
  private final Field[] fields;
  private final boolean hasId;
  /** The row position of the absentFieldsColumn option's column, or -1. */
  private final int absentSlot;

  public DocEncoder(StructType schema, DocArrayWriteOptions options) {
    this.schema = schema;
    this.options = options;
    int absent = -1;
    if (options.absentFieldsColumn != null) {
      String[] names = schema.fieldNames();
      for (int i = 0; i < names.length; i++) if (names[i].equals(options.absentFieldsColumn)) absent = i;
      if (absent < 0) {
        throw new UnwritableValueException("Option absentFieldsColumn names '" + options.absentFieldsColumn
            + "', which is not a column (select _metadata.absent_fields AS " + options.absentFieldsColumn + " when reading)");
      }
      DataType t = schema.fields()[absent].dataType();
      if (!(t instanceof ArrayType) || ((ArrayType) t).elementType() != DataTypes.StringType) {
        throw new UnwritableValueException("Column '" + options.absentFieldsColumn + "' (absentFieldsColumn) has type "
            + t.simpleString() + "; it must be array<string>: the names of the fields a document did not have");
      }
    }
    this.absentSlot = absent;
    this.fields = compile("", absent < 0 ? schema : without(schema, absent));
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

  /** How one Spark position becomes a NodeProto. */
  private static final class Field {
    final String name;
    final String path;
    final DataType type;
    final String tag;
    final String kind;
    final String dtype;
    Field[] children; // struct documents
    Field element; // arrays and maps
    boolean tensorStruct;

    Field(String name, String path, DataType type, String tag, String kind, String dtype) {
      this.name = name;
      this.path = path;
      this.type = type;
      this.tag = tag;
      this.kind = kind;
      this.dtype = dtype;
    }
  }

  private Field[] compile(String path, StructType s) {
    Field[] out = new Field[s.fields().length];
    for (int i = 0; i < out.length; i++) {
      StructField f = s.fields()[i];
      String p = path.isEmpty() ? f.name() : path + "." + f.name();
      out[i] = field(f.name(), p, f.dataType(), DocArrayMetadata.getString(f, DocArrayMetadata.TAG),
          DocArrayMetadata.getString(f, DocArrayMetadata.KIND), DocArrayMetadata.getString(f, DocArrayMetadata.DTYPE));
    }
    return out;
  }

  private Field field(String name, String path, DataType t, String tag, String kind, String dtype) {
    Field f = new Field(name, path, t, tag, kind, dtype);
    if (!writable(t) && options.unsupportedTypes == DocArrayWriteOptions.Unsupported.FAIL) {
      throw new UnwritableValueException("Column '" + path + "' has type " + t.simpleString()
          + ", which DocArray documents cannot hold; cast it (e.g. to string or double), "
          + "or set option unsupportedTypes=text to write its text form");
    }
    if (t instanceof StructType) {
      StructType st = (StructType) t;
      f.tensorStruct = TensorTypes.isTensorStruct(st) && TensorTypes.hasField(st, TensorTypes.SHAPE)
          && (TensorTypes.hasField(st, TensorTypes.DATA) || TensorTypes.hasField(st, TensorTypes.BUFFER));
      if (!f.tensorStruct) f.children = compile(path, st);
    } else if (t instanceof ArrayType) {
      f.element = field(name, path + "[]", ((ArrayType) t).elementType(), null, null, null);
    } else if (t instanceof MapType) {
      if (((MapType) t).keyType() != DataTypes.StringType) {
        throw new UnwritableValueException("Column '" + path + "' is a map with " + ((MapType) t).keyType().simpleString()
            + " keys; DocArray dicts need string keys: cast the keys to string");
      }
      f.element = field(name, path + "{}", ((MapType) t).valueType(), null, null, null);
    }
    return f;
  }

  private static boolean writable(DataType t) {
    return t == DataTypes.StringType || t == DataTypes.IntegerType || t == DataTypes.ShortType || t == DataTypes.ByteType
        || t == DataTypes.LongType || t == DataTypes.DoubleType || t == DataTypes.FloatType || t == DataTypes.BooleanType
        || t == DataTypes.BinaryType || t == DataTypes.NullType || t instanceof StructType || t instanceof ArrayType
        || t instanceof MapType || isVector(t) || t.equals(TensorTypes.UINT64);
  }

  /** The DocProto of one row. */
  public DocProto encode(InternalRow row) {
    DocProto.Builder d = absentSlot < 0 ? doc(fields, row) : withoutAbsent(row);
    // a row without an id column gets a fresh one; an id column that is null stays None, as DocArray had it
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

  /** The root document leaving out the fields the row's absentFieldsColumn lists (when they are null). */
  private DocProto.Builder withoutAbsent(InternalRow row) {
    java.util.Set<String> absent = new java.util.HashSet<>();
    if (!row.isNullAt(absentSlot)) {
      ArrayData a = row.getArray(absentSlot);
      for (int i = 0; i < a.numElements(); i++) if (!a.isNullAt(i)) absent.add(a.getUTF8String(i).toString());
    }
    DocProto.Builder d = DocProto.newBuilder();
    int j = 0;
    for (int i = 0; i < row.numFields(); i++) {
      if (i == absentSlot) continue;
      Field f = fields[j++];
      if (row.isNullAt(i)) {
        if (!options.ignoreNullFields && !absent.contains(f.name)) d.putData(f.name, NodeProto.getDefaultInstance());
      } else {
        d.putData(f.name, node(f, row, i));
      }
    }
    return d;
  }

  private DocProto.Builder doc(Field[] fs, InternalRow row) {
    DocProto.Builder d = DocProto.newBuilder();
    for (int i = 0; i < fs.length; i++) {
      if (row.isNullAt(i)) {
        if (!options.ignoreNullFields) d.putData(fs[i].name, NodeProto.getDefaultInstance());
      } else {
        d.putData(fs[i].name, node(fs[i], row, i));
      }
    }
    return d;
  }

  /** Value i of a struct row (the getters differ by type, so dispatch here). */
  private NodeProto node(Field f, InternalRow row, int i) {
    DataType t = f.type;
    if (t == DataTypes.StringType) return string(f, row.getUTF8String(i).toString());
    if (t == DataTypes.IntegerType) return tagged(f).setInteger(row.getInt(i)).build();
    if (t == DataTypes.ShortType) return tagged(f).setInteger(row.getShort(i)).build();
    if (t == DataTypes.ByteType) return tagged(f).setInteger(row.getByte(i)).build();
    if (t == DataTypes.LongType) return longValue(f, row.getLong(i));
    if (t == DataTypes.DoubleType) return tagged(f).setFloat(row.getDouble(i)).build();
    if (t == DataTypes.FloatType) return tagged(f).setFloat(row.getFloat(i)).build();
    if (t == DataTypes.BooleanType) return tagged(f).setBoolean(row.getBoolean(i)).build();
    if (t == DataTypes.BinaryType) return tagged(f).setBlob(ByteString.copyFrom(row.getBinary(i))).build();
    if (t instanceof StructType) return struct(f, row.getStruct(i, ((StructType) t).size()));
    if (t instanceof ArrayType) return array(f, row.getArray(i));
    if (t instanceof MapType) return map(f, row.getMap(i));
    if (isVector(t)) return vector(f, row.getStruct(i, 4));
    return unsupported(f, row.get(i, t));
  }

  /** Element i of an array (or map values). */
  private NodeProto element(Field f, ArrayData a, int i) {
    if (a.isNullAt(i)) return NodeProto.getDefaultInstance();
    DataType t = f.type;
    if (t == DataTypes.StringType) return string(f, a.getUTF8String(i).toString());
    if (t == DataTypes.IntegerType) return NodeProto.newBuilder().setInteger(a.getInt(i)).build();
    if (t == DataTypes.ShortType) return NodeProto.newBuilder().setInteger(a.getShort(i)).build();
    if (t == DataTypes.ByteType) return NodeProto.newBuilder().setInteger(a.getByte(i)).build();
    if (t == DataTypes.LongType) return longValue(f, a.getLong(i));
    if (t == DataTypes.DoubleType) return NodeProto.newBuilder().setFloat(a.getDouble(i)).build();
    if (t == DataTypes.FloatType) return NodeProto.newBuilder().setFloat(a.getFloat(i)).build();
    if (t == DataTypes.BooleanType) return NodeProto.newBuilder().setBoolean(a.getBoolean(i)).build();
    if (t == DataTypes.BinaryType) return NodeProto.newBuilder().setBlob(ByteString.copyFrom(a.getBinary(i))).build();
    if (t instanceof StructType) return struct(f, a.getStruct(i, ((StructType) t).size()));
    if (t instanceof ArrayType) return array(f, a.getArray(i));
    if (t instanceof MapType) return map(f, a.getMap(i));
    if (isVector(t)) return vector(f, a.getStruct(i, 4));
    return unsupported(f, a.get(i, t));
  }

  private NodeProto.Builder tagged(Field f) {
    NodeProto.Builder b = NodeProto.newBuilder();
    if (f.tag != null) b.setType(f.tag);
    return b;
  }

  private NodeProto string(Field f, String s) {
    if (DocArrayMetadata.KIND_JSON.equals(f.kind)) {
      try {
        return NodeJsonReader.parse(s);
      } catch (IllegalArgumentException e) {
        throw new UnwritableValueException("Column '" + f.path + "' is marked docarray.kind=json but holds "
            + "something that is not node-form JSON: " + e.getMessage());
      }
    }
    return tagged(f).setText(s).build();
  }

  private NodeProto longValue(Field f, long v) {
    if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) return tagged(f).setInteger((int) v).build();
    if (options.unsupportedTypes == DocArrayWriteOptions.Unsupported.TEXT) return NodeProto.newBuilder().setText(Long.toString(v)).build();
    throw new UnwritableValueException("Column '" + f.path + "' holds " + v + ", outside the int32 range that "
        + "DocArray's integer nodes hold; cast it to double or string, or set option unsupportedTypes=text");
  }

  private NodeProto unsupported(Field f, Object v) {
    if (options.unsupportedTypes == DocArrayWriteOptions.Unsupported.TEXT) {
      return NodeProto.newBuilder().setText(String.valueOf(v)).build();
    }
    throw new UnwritableValueException("Column '" + f.path + "' has type " + f.type.simpleString()
        + ", which DocArray documents cannot hold; cast it (e.g. to string or double), "
        + "or set option unsupportedTypes=text to write its text form");
  }

  private NodeProto struct(Field f, InternalRow r) {
    if (f.tensorStruct) return NodeProto.newBuilder().setNdarray(tensor(f, r)).setType(tensorTag(f.tag)).build();
    return NodeProto.newBuilder().setDoc(doc(f.children, r)).build();
  }

  private NodeProto array(Field f, ArrayData a) {
    Field e = f.element;
    boolean asList = "list".equals(f.kind) || "tuple".equals(f.kind) || "set".equals(f.kind);
    if (!asList && e.type instanceof StructType && !e.tensorStruct) {
      DocListProto.Builder l = DocListProto.newBuilder();
      for (int i = 0; i < a.numElements(); i++) {
        if (a.isNullAt(i)) {
          throw new UnwritableValueException("Column '" + f.path + "' is a DocList with a null element at " + i
              + "; DocLists hold documents only");
        }
        l.addDocs(doc(e.children, a.getStruct(i, ((StructType) e.type).size())));
      }
      return NodeProto.newBuilder().setDocArray(l).build();
    }
    if (!asList && isNumeric(e.type) && !hasNull(a)) {
      // a numeric array is a 1-D tensor (an embedding)
      return NodeProto.newBuilder().setNdarray(flatTensor(f, a, e.type)).setType(tensorTag(f.tag)).build();
    }
    ListOfAnyProto.Builder l = ListOfAnyProto.newBuilder();
    for (int i = 0; i < a.numElements(); i++) l.addData(element(e, a, i));
    NodeProto.Builder b = NodeProto.newBuilder();
    if ("set".equals(f.kind)) b.setSet(l);
    else if ("tuple".equals(f.kind)) b.setTuple(l);
    else b.setList(l);
    return b.build();
  }

  private static boolean hasNull(ArrayData a) {
    for (int i = 0; i < a.numElements(); i++) if (a.isNullAt(i)) return true;
    return false;
  }

  private NodeProto map(Field f, MapData m) {
    DictOfAnyProto.Builder d = DictOfAnyProto.newBuilder();
    ArrayData keys = m.keyArray();
    ArrayData values = m.valueArray();
    for (int i = 0; i < m.numElements(); i++) d.putData(keys.getUTF8String(i).toString(), element(f.element, values, i));
    return NodeProto.newBuilder().setDict(d).build();
  }

  private static boolean isNumeric(DataType t) {
    return t == DataTypes.FloatType || t == DataTypes.DoubleType || t == DataTypes.ByteType || t == DataTypes.ShortType
        || t == DataTypes.IntegerType || t == DataTypes.LongType || t == DataTypes.BooleanType || t instanceof DecimalType;
  }

  /** numpy tags survive; torch/TF/JAX tags become their numpy twins unless keepFrameworkTags. */
  private String tensorTag(String tag) {
    if (tag == null) return "ndarray";
    if (options.keepFrameworkTags) return tag;
    switch (tag) {
      case "torch_tensor": case "tensorflow_tensor": case "jaxarray": return "ndarray";
      case "image_torch_tensor": case "image_tensorflow_tensor": case "image_jaxarray": return "image_ndarray";
      case "audio_torch_tensor": case "audio_tensorflow_tensor": case "audio_jaxarray": return "audio_ndarray";
      case "video_torch_tensor": case "video_tensorflow_tensor": case "video_jaxarray": return "video_ndarray";
      case "torch_embedding": case "tensorflow_embedding": case "jaxarray_embedding": return "ndarray_embedding";
      default: return tag;
    }
  }

  // ---------------------------------------------------------------- tensors

  private NdArrayProto tensor(Field f, InternalRow r) {
    StructType st = (StructType) f.type;
    int shapeIdx = st.fieldIndex(TensorTypes.SHAPE);
    if (r.isNullAt(shapeIdx)) throw new UnwritableValueException("Tensor column '" + f.path + "' has a null shape");
    ArrayData shapeData = r.getArray(shapeIdx);
    int[] shape = new int[shapeData.numElements()];
    long n = 1;
    for (int i = 0; i < shape.length; i++) {
      shape[i] = shapeData.getInt(i);
      if (shape[i] < 0) throw new UnwritableValueException("Tensor column '" + f.path + "' has a negative dimension");
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
      if (dtype == null) throw new UnwritableValueException("Tensor column '" + f.path + "' has a null dtype");
      DType dt = DType.parse(dtype);
      if ((long) buf.length != n * dt.itemSize()) {
        throw new UnwritableValueException("Tensor column '" + f.path + "' has " + buf.length + " buffer bytes but shape "
            + java.util.Arrays.toString(shape) + " x itemsize " + dt.itemSize() + " needs " + n * dt.itemSize());
      }
      return NdArrayProto.newBuilder().setDense(d.setDtype(dtype).setBuffer(ByteString.copyFrom(buf))).build();
    }
    int dataIdx = st.fieldIndex(TensorTypes.DATA);
    ArrayData data = r.isNullAt(dataIdx) ? null : r.getArray(dataIdx);
    int count = data == null ? 0 : data.numElements();
    if (count != n) {
      throw new UnwritableValueException("Tensor column '" + f.path + "' has " + count + " elements but shape "
          + java.util.Arrays.toString(shape) + " needs " + n);
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
          throw new UnwritableValueException("Tensor column '" + f.path + "' has dtype '" + text + "': " + e.getMessage());
        }
        if (!dtype.isNumeric() && dtype.kind() != DType.Kind.BOOL) {
          throw new UnwritableValueException("Tensor column '" + f.path + "' has dtype '" + text
              + "', which a typed tensor column cannot hold; write it with the binary form struct<dtype, shape, buffer>");
        }
      }
    }
    if (dtype == null) dtype = dtypeFor(f, et);
    d.setDtype(dtype.littleEndianText()).setBuffer(buffer(f, data, et, dtype));
    return NdArrayProto.newBuilder().setDense(d).build();
  }

  private NdArrayProto flatTensor(Field f, ArrayData a, DataType et) {
    DType dtype = dtypeFor(f, et);
    DenseNdArrayProto.Builder d = DenseNdArrayProto.newBuilder().addShape(a.numElements())
        .setDtype(dtype.littleEndianText()).setBuffer(buffer(f, a, et, dtype));
    return NdArrayProto.newBuilder().setDense(d).build();
  }

  private NodeProto vector(Field f, InternalRow v) {
    // Spark ML vectors: struct<type: tinyint, size: int, indices: array<int>, values: array<double>>
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
    return NodeProto.newBuilder().setNdarray(NdArrayProto.newBuilder().setDense(DenseNdArrayProto.newBuilder()
        .addShape(dense.length).setDtype("<f8").setBuffer(ByteString.copyFrom(bb.array())))).setType(tensorTag(f.tag)).build();
  }

  /** The dtype to store: the one in metadata when the element type holds it exactly, else the natural one. */
  private static DType dtypeFor(Field f, DataType et) {
    if (f.dtype != null) {
      try {
        DType d = DType.parse(f.dtype);
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
    if (et instanceof DecimalType) return DType.parse("<u8");
    throw new UnwritableValueException("Tensor column '" + f.path + "' has elements of type " + et.simpleString()
        + "; tensors hold numbers or booleans");
  }

  /** Whether the column's element type is the one the reader maps this dtype to (so values round-trip). */
  private static boolean compatible(DType d, DataType et) {
    DataType natural = TensorTypes.elementType(d);
    return natural != null && natural.equals(et);
  }

  private static ByteString buffer(Field f, ArrayData a, DataType et, DType d) {
    int n = a == null ? 0 : a.numElements();
    ByteBuffer bb = ByteBuffer.allocate(n * d.itemSize()).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      if (a.isNullAt(i)) {
        throw new UnwritableValueException("Tensor column '" + f.path + "' has a null element at " + i);
      }
      switch (d.kind()) {
        case FLOAT: {
          double x = et == DataTypes.FloatType ? a.getFloat(i) : et == DataTypes.DoubleType ? a.getDouble(i) : asLong(a, i, et);
          if (d.itemSize() == 2) bb.putShort(Half.fromFloat((float) x));
          else if (d.itemSize() == 4) bb.putFloat((float) x);
          else bb.putDouble(x);
          break;
        }
        case BOOL: {
          boolean b;
          if (et == DataTypes.BooleanType) {
            b = a.getBoolean(i);
          } else {
            double x = et == DataTypes.FloatType ? a.getFloat(i) : et == DataTypes.DoubleType ? a.getDouble(i)
                : et instanceof DecimalType ? a.getDecimal(i, 20, 0).toDouble() : asLong(a, i, et);
            if (x != 0 && x != 1) throw outOfRange(f, i, Double.toString(x), d);
            b = x == 1;
          }
          bb.put((byte) (b ? 1 : 0));
          break;
        }
        default: {
          long v;
          if (et == DataTypes.FloatType || et == DataTypes.DoubleType) {
            // an integer dtype kept beside a float column: the value must be that integer exactly
            double x = et == DataTypes.FloatType ? a.getFloat(i) : a.getDouble(i);
            boolean u64 = d.kind() == DType.Kind.UINT && d.itemSize() == 8;
            if (x != Math.rint(x) || x < (u64 ? 0 : -0x1p63) || x >= (u64 ? 0x1p64 : 0x1p63)) {
              throw outOfRange(f, i, Double.toString(x), d);
            }
            v = u64 && x >= 0x1p63 ? new java.math.BigDecimal(x).toBigInteger().longValue() : (long) x;
            if (d.itemSize() < 8) {
              long min = d.kind() == DType.Kind.UINT ? 0 : -(1L << (d.itemSize() * 8 - 1));
              long max = d.kind() == DType.Kind.UINT ? (1L << (d.itemSize() * 8)) - 1 : (1L << (d.itemSize() * 8 - 1)) - 1;
              if (v < min || v > max) throw outOfRange(f, i, Double.toString(x), d);
            }
          } else if (et instanceof DecimalType) {
            java.math.BigInteger big = a.getDecimal(i, 20, 0).toJavaBigDecimal().toBigInteger();
            if (big.signum() < 0 || big.bitLength() > 64) throw outOfRange(f, i, big.toString(), d);
            v = big.longValue();
          } else {
            v = asLong(a, i, et);
            if (d.itemSize() < 8) {
              long min = d.kind() == DType.Kind.UINT ? 0 : -(1L << (d.itemSize() * 8 - 1));
              long max = d.kind() == DType.Kind.UINT ? (1L << (d.itemSize() * 8)) - 1 : (1L << (d.itemSize() * 8 - 1)) - 1;
              if (v < min || v > max) throw outOfRange(f, i, Long.toString(v), d);
            } else if (d.kind() == DType.Kind.UINT && v < 0) {
              throw outOfRange(f, i, Long.toString(v), d);
            }
          }
          switch (d.itemSize()) {
            case 1: bb.put((byte) v); break;
            case 2: bb.putShort((short) v); break;
            case 4: bb.putInt((int) v); break;
            default: bb.putLong(v);
          }
        }
      }
    }
    return ByteString.copyFrom(bb.array());
  }

  private static UnwritableValueException outOfRange(Field f, int i, String v, DType d) {
    return new UnwritableValueException("Tensor column '" + f.path + "' element " + i + " = " + v
        + " does not fit its dtype " + d + " (from the dtype column or docarray.dtype metadata); fix the value");
  }

  private static long asLong(ArrayData a, int i, DataType et) {
    if (et == DataTypes.ByteType) return a.getByte(i);
    if (et == DataTypes.ShortType) return a.getShort(i);
    if (et == DataTypes.IntegerType) return a.getInt(i);
    if (et == DataTypes.LongType) return a.getLong(i);
    if (et == DataTypes.BooleanType) return a.getBoolean(i) ? 1 : 0;
    throw new IllegalStateException(et.simpleString());
  }

  public StructType schema() {
    return schema;
  }

  /** Spark ML's VectorUDT, recognised without depending on spark-mllib. */
  static boolean isVector(DataType t) {
    return t instanceof UserDefinedType && t.getClass().getName().equals("org.apache.spark.ml.linalg.VectorUDT");
  }
}
