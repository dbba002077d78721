package org.docarray.spark.read;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.SpecializedGetters;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.ArrowUtils;
import org.apache.spark.sql.vectorized.ArrowColumnVector;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.apache.spark.unsafe.Platform;

/**
 * The connector's one way from rows to Arrow vectors, used by the columnar scan and by the batch
 * loader. Arrays of primitives (tensor data and shapes), held by the decoder in Spark's contiguous
 * layout, are copied into the Arrow buffers with one memory copy each; scalars and strings are set
 * directly. A schema with a type outside {@link #supports} (maps, timestamps, decimals...) is
 * filled by Spark's own {@code ArrowWriter} instead, whole. One writer fills one batch at a time
 * and owns its vectors until {@link #close}.
 */
public final class ArrowBatchWriter implements AutoCloseable {
  private final VectorSchemaRoot root;

  /** The per-column fillers, or null when Spark's ArrowWriter fills the batch. */
  private final Field[] fields;

  private final org.apache.spark.sql.execution.arrow.ArrowWriter general;
  private final ColumnarBatch batch;
  private int rows;

  /** A writer of {@code schema} (timestamps in UTC, as the columnar scan hands them to Spark). */
  public ArrowBatchWriter(StructType schema, BufferAllocator allocator) {
    this(schema, allocator, "UTC");
  }

  /** A writer of {@code schema}; {@code timeZone}: the session's, for timestamp columns. */
  public ArrowBatchWriter(StructType schema, BufferAllocator allocator, String timeZone) {
    this.root =
        VectorSchemaRoot.create(ArrowUtils.toArrowSchema(schema, timeZone, true, false), allocator);
    try {
      StructField[] sf = schema.fields();
      ColumnVector[] cols = new ColumnVector[sf.length];
      if (supports(schema)) {
        fields = new Field[sf.length];
        for (int i = 0; i < sf.length; i++) {
          FieldVector v = root.getVector(i);
          v.allocateNew();
          fields[i] = field(sf[i].dataType(), v);
        }
        general = null;
      } else {
        fields = null;
        general = org.apache.spark.sql.execution.arrow.ArrowWriter.create(root);
      }
      for (int i = 0; i < sf.length; i++) cols[i] = new OwnedArrowColumnVector(root.getVector(i));
      batch = new ColumnarBatch(cols);
    } catch (RuntimeException | Error e) {
      root.close();
      throw e;
    }
  }

  /** The vectors this writer fills (valid until the next reset). */
  public VectorSchemaRoot root() {
    return root;
  }

  /**
   * Whether every column has a type this writer fills (primitives, strings, binary, structs,
   * arrays).
   */
  public static boolean supports(DataType t) {
    if (t instanceof StructType) {
      for (StructField f : ((StructType) t).fields()) if (!supports(f.dataType())) return false;
      return true;
    }
    if (t instanceof ArrayType) return supports(((ArrayType) t).elementType());
    return t == DataTypes.BooleanType
        || t == DataTypes.ByteType
        || t == DataTypes.ShortType
        || t == DataTypes.IntegerType
        || t == DataTypes.LongType
        || t == DataTypes.FloatType
        || t == DataTypes.DoubleType
        || t == DataTypes.StringType
        || t == DataTypes.BinaryType;
  }

  public void write(InternalRow row) {
    if (general != null) general.write(row);
    else for (int i = 0; i < fields.length; i++) fields[i].write(row, i, rows);
    rows++;
  }

  public int rows() {
    return rows;
  }

  /** The batch of the rows written since the last reset; valid until the next reset. */
  public ColumnarBatch finish() {
    if (general != null) general.finish();
    else for (Field f : fields) f.finish(rows);
    root.setRowCount(rows);
    batch.setNumRows(rows);
    return batch;
  }

  public void reset() {
    if (general != null) general.reset();
    else for (Field f : fields) f.reset();
    rows = 0;
  }

  @Override
  public void close() {
    root.close();
  }

  /**
   * The vectors belong to this writer, which reuses them batch after batch and releases them in
   * {@link #close}: a consumer that closes a batch (Spark does, when a task ends early) must not
   * tear a struct vector's children out from under the writer, or what is written next leaks.
   */
  private static final class OwnedArrowColumnVector extends ArrowColumnVector {
    OwnedArrowColumnVector(ValueVector v) {
      super(v);
    }

    @Override
    public void close() {}
  }

  // ---------------------------------------------------------------- per-type fillers
  //
  // Every filler sees its positions in order (0, 1, 2... within a batch: each row writes every
  // column, null or not, and list elements follow each other), so offsets are kept by the filler
  // and values go straight to the buffers' memory, capacity checked once per value; Arrow's own
  // setters check bounds and reference counts on every access, which cost more than the decode.

  private static void setBit(long validity, int at) {
    long a = validity + (at >>> 3);
    Platform.putByte(null, a, (byte) (Platform.getByte(null, a) | (1 << (at & 7))));
  }

  private static void clearBit(long validity, int at) {
    long a = validity + (at >>> 3);
    Platform.putByte(null, a, (byte) (Platform.getByte(null, a) & ~(1 << (at & 7))));
  }

  /** Sets the validity bits [from, to) (whole bytes at once in the middle). */
  private static void setBits(ArrowBuf validity, int from, int to) {
    int i = from;
    for (; i < to && (i & 7) != 0; i++) BitVectorHelper.setBit(validity, i);
    int fullBytes = (to - i) >>> 3;
    if (fullBytes > 0) {
      validity.setOne(i >>> 3, fullBytes);
      i += fullBytes << 3;
    }
    for (; i < to; i++) BitVectorHelper.setBit(validity, i);
  }

  private abstract static class Field {
    final ValueVector vector;

    Field(ValueVector vector) {
      this.vector = vector;
    }

    /** Writes value {@code ordinal} of {@code in} at position {@code at}. */
    final void write(SpecializedGetters in, int ordinal, int at) {
      if (in.isNullAt(ordinal)) {
        setNull(at);
      } else {
        set(in, ordinal, at);
      }
    }

    abstract void set(SpecializedGetters in, int ordinal, int at);

    abstract void setNull(int at);

    abstract void finish(int count);

    abstract void reset();

    /** Re-reads the buffers' addresses after something grew them (a list grows its child). */
    abstract void buffersMoved();
  }

  private static Field field(DataType t, ValueVector v) {
    if (t instanceof StructType) return new StructField_((StructType) t, (StructVector) v);
    if (t instanceof ArrayType) return new ListField(((ArrayType) t).elementType(), (ListVector) v);
    if (t == DataTypes.StringType || t == DataTypes.BinaryType)
      return new VarWidthField(t, (org.apache.arrow.vector.BaseVariableWidthVector) v);
    if (t == DataTypes.BooleanType
        || t == DataTypes.ByteType
        || t == DataTypes.ShortType
        || t == DataTypes.IntegerType
        || t == DataTypes.LongType
        || t == DataTypes.FloatType
        || t == DataTypes.DoubleType) return new FixedWidthField(t, (BaseFixedWidthVector) v);
    throw new IllegalArgumentException("no columnar writer for " + t.simpleString());
  }

  /** Booleans, integers and floating point numbers: a validity bit and a value per position. */
  private static final class FixedWidthField extends Field {
    private final BaseFixedWidthVector v;
    private final DataType type;
    private int capacity;
    private long validity, data;

    FixedWidthField(DataType type, BaseFixedWidthVector v) {
      super(v);
      this.v = v;
      this.type = type;
      refresh();
    }

    private void refresh() {
      capacity = v.getValueCapacity();
      validity = v.getValidityBufferAddress();
      data = v.getDataBufferAddress();
    }

    @Override
    void buffersMoved() {
      refresh();
    }

    /** Room for positions up to {@code last} (the vector doubles, zeroing its new validity). */
    void ensure(int last) {
      if (last >= capacity) {
        while (v.getValueCapacity() <= last) v.reAlloc();
        refresh();
      }
    }

    @Override
    void set(SpecializedGetters in, int o, int at) {
      ensure(at);
      setBit(validity, at);
      if (type == DataTypes.IntegerType) Platform.putInt(null, data + 4L * at, in.getInt(o));
      else if (type == DataTypes.LongType) Platform.putLong(null, data + 8L * at, in.getLong(o));
      else if (type == DataTypes.FloatType) Platform.putFloat(null, data + 4L * at, in.getFloat(o));
      else if (type == DataTypes.DoubleType)
        Platform.putDouble(null, data + 8L * at, in.getDouble(o));
      else if (type == DataTypes.ShortType) Platform.putShort(null, data + 2L * at, in.getShort(o));
      else if (type == DataTypes.ByteType) Platform.putByte(null, data + at, in.getByte(o));
      else if (in.getBoolean(o)) setBit(data, at);
      else clearBit(data, at);
    }

    @Override
    void setNull(int at) {
      ensure(at);
      clearBit(validity, at);
    }

    @Override
    void finish(int count) {
      v.setValueCount(count);
    }

    /** Only the validity bits are cleared: the values of null positions are undefined in Arrow. */
    @Override
    void reset() {
      v.getValidityBuffer().setZero(0, v.getValidityBuffer().capacity());
      v.setValueCount(0);
      refresh();
    }
  }

  /** Strings and bytes: offsets kept here, the bytes copied from where they lie. */
  private static final class VarWidthField extends Field {
    private final org.apache.arrow.vector.BaseVariableWidthVector v;
    private final boolean string;
    private int capacity;
    private long validity, offsets, data, dataCapacity;
    private int end; // bytes of data written in this batch

    VarWidthField(DataType type, org.apache.arrow.vector.BaseVariableWidthVector v) {
      super(v);
      this.v = v;
      this.string = type == DataTypes.StringType;
      refresh();
    }

    private void refresh() {
      capacity = v.getValueCapacity();
      validity = v.getValidityBufferAddress();
      offsets = v.getOffsetBufferAddress();
      data = v.getDataBufferAddress();
      dataCapacity = v.getDataBuffer().capacity();
    }

    @Override
    void buffersMoved() {
      refresh();
    }

    private void ensure(int at, int bytes) {
      if (at >= capacity || end + (long) bytes > dataCapacity) {
        while (v.getValueCapacity() <= at) v.reallocValidityAndOffsetBuffers();
        while (v.getDataBuffer().capacity() < end + (long) bytes) v.reallocDataBuffer();
        refresh();
      }
    }

    @Override
    void set(SpecializedGetters in, int o, int at) {
      Object base;
      long offset;
      int n;
      if (string) {
        org.apache.spark.unsafe.types.UTF8String s = in.getUTF8String(o);
        base = s.getBaseObject();
        offset = s.getBaseOffset();
        n = s.numBytes();
      } else {
        byte[] b = in.getBinary(o);
        base = b;
        offset = Platform.BYTE_ARRAY_OFFSET;
        n = b.length;
      }
      ensure(at, n);
      Platform.copyMemory(base, offset, null, data + end, n);
      end += n;
      Platform.putInt(null, offsets + 4L * (at + 1), end);
      setBit(validity, at);
    }

    @Override
    void setNull(int at) {
      ensure(at, 0);
      Platform.putInt(null, offsets + 4L * (at + 1), end);
      clearBit(validity, at);
    }

    @Override
    void finish(int count) {
      v.setLastSet(count - 1);
      v.setValueCount(count);
    }

    @Override
    void reset() {
      v.getValidityBuffer().setZero(0, v.getValidityBuffer().capacity());
      Platform.putInt(null, offsets, 0);
      end = 0;
      v.setLastSet(-1);
      v.setValueCount(0);
      refresh();
    }
  }

  private static final class StructField_ extends Field {
    private final Field[] children;

    StructField_(StructType t, StructVector v) {
      super(v);
      StructField[] fs = t.fields();
      children = new Field[fs.length];
      for (int i = 0; i < fs.length; i++)
        children[i] = field(fs[i].dataType(), v.getChildByOrdinal(i));
    }

    @Override
    void set(SpecializedGetters in, int o, int at) {
      InternalRow r = in.getStruct(o, children.length);
      ((StructVector) vector).setIndexDefined(at); // grows its validity buffer as needed
      for (int i = 0; i < children.length; i++) children[i].write(r, i, at);
    }

    @Override
    void setNull(int at) {
      ((StructVector) vector).setNull(at);
      for (Field c : children) c.setNull(at); // keep the children aligned
    }

    @Override
    void finish(int count) {
      for (Field c : children) c.finish(count);
      vector.setValueCount(count);
    }

    @Override
    void reset() {
      for (Field c : children) c.reset();
      ArrowBuf validity = ((StructVector) vector).getValidityBuffer();
      validity.setZero(0, validity.capacity());
      vector.setValueCount(0);
    }

    @Override
    void buffersMoved() {
      for (Field c : children) c.buffersMoved();
    }
  }

  /** Arrays: offsets kept here; arrays of numbers without nulls in one copy each. */
  private static final class ListField extends Field {
    private final ListVector lv;
    private final Field element;
    private final int width; // bytes per element for a bulk copy of a primitive array, or 0
    private int elements;
    private int capacity;
    private long validity, offsets;

    ListField(DataType elementType, ListVector v) {
      super(v);
      this.lv = v;
      this.element = field(elementType, v.getDataVector());
      boolean fixedWidth =
          elementType instanceof org.apache.spark.sql.types.NumericType
              && !(elementType instanceof org.apache.spark.sql.types.DecimalType);
      this.width = fixedWidth ? elementType.defaultSize() : 0;
      refresh();
    }

    private void refresh() {
      capacity = lv.getValueCapacity();
      validity = lv.getValidityBufferAddress();
      offsets = lv.getOffsetBufferAddress();
    }

    @Override
    void buffersMoved() {
      refresh();
      element.buffersMoved();
    }

    private void ensure(int at) {
      if (at >= capacity) {
        while (lv.getValueCapacity() <= at) lv.reAlloc();
        refresh();
        element.buffersMoved(); // a list's reAlloc grows its child too
      }
    }

    @Override
    void set(SpecializedGetters in, int o, int at) {
      ensure(at);
      ArrayData a = in.getArray(o);
      int n = a.numElements();
      int start = elements;
      if (width > 0 && a instanceof UnsafeArrayData && !hasNulls((UnsafeArrayData) a, n)) {
        bulk((UnsafeArrayData) a, start, n);
      } else {
        for (int i = 0; i < n; i++) element.write(a, i, start + i);
      }
      elements = start + n;
      Platform.putInt(null, offsets + 4L * (at + 1), elements);
      setBit(validity, at);
    }

    @Override
    void setNull(int at) {
      ensure(at);
      Platform.putInt(null, offsets + 4L * (at + 1), elements);
      clearBit(validity, at);
    }

    /** Any bit set in the array's null bitmap (a word at a time). */
    private static boolean hasNulls(UnsafeArrayData a, int n) {
      long words = (n + 63) >>> 6;
      for (long w = 0; w < words; w++) {
        if (Platform.getLong(a.getBaseObject(), a.getBaseOffset() + 8 + w * 8) != 0) return true;
      }
      return false;
    }

    /**
     * One memory copy of the array's values into the child's data buffer, and its validity bits
     * set.
     */
    private void bulk(UnsafeArrayData a, int start, int n) {
      FixedWidthField f = (FixedWidthField) element;
      f.ensure(start + n - 1);
      long src = a.getBaseOffset() + UnsafeArrayData.calculateHeaderPortionInBytes(n);
      Platform.copyMemory(
          a.getBaseObject(), src, null, f.data + (long) start * width, (long) n * width);
      setBits(f.v.getValidityBuffer(), start, start + n);
    }

    @Override
    void finish(int count) {
      element.finish(elements);
      lv.setLastSet(count - 1);
      lv.setValueCount(count);
    }

    @Override
    void reset() {
      elements = 0;
      element.reset();
      lv.getValidityBuffer().setZero(0, lv.getValidityBuffer().capacity());
      Platform.putInt(null, lv.getOffsetBufferAddress(), 0);
      lv.setLastSet(-1);
      lv.setValueCount(0);
      refresh();
    }
  }
}
