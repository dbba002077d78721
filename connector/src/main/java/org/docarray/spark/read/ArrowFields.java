package org.docarray.spark.read;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.ValueVector;
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
import org.apache.spark.unsafe.Platform;

/**
 * The fillers of Arrow vectors, one per column and nested level: from a Spark row ({@link
 * Field#write}, used by {@link ArrowBatchWriter}) or value by value from the wire (the put methods,
 * used by {@link DocDecoder} when it decodes straight into vectors).
 */
final class ArrowFields {
  private ArrowFields() {}

  // ---------------------------------------------------------------- per-type fillers
  //
  // Every filler sees its positions in order (0, 1, 2... within a batch: each row writes every
  // column, null or not, and list elements follow each other), so offsets are kept by the filler
  // and values go straight to the buffers' memory, capacity checked once per value; Arrow's own
  // setters check bounds and reference counts on every access, which cost more than the decode.

  static void setBit(long validity, int at) {
    long a = validity + (at >>> 3);
    Platform.putByte(null, a, (byte) (Platform.getByte(null, a) | (1 << (at & 7))));
  }

  static void clearBit(long validity, int at) {
    long a = validity + (at >>> 3);
    Platform.putByte(null, a, (byte) (Platform.getByte(null, a) & ~(1 << (at & 7))));
  }

  /** Sets the validity bits [from, to) (whole bytes at once in the middle). */
  static void setBits(ArrowBuf validity, int from, int to) {
    int i = from;
    for (; i < to && (i & 7) != 0; i++) BitVectorHelper.setBit(validity, i);
    int fullBytes = (to - i) >>> 3;
    if (fullBytes > 0) {
      validity.setOne(i >>> 3, fullBytes);
      i += fullBytes << 3;
    }
    for (; i < to; i++) BitVectorHelper.setBit(validity, i);
  }

  abstract static class Field {
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

  static Field field(DataType t, ValueVector v) {
    if (t instanceof StructType) return new StructField_((StructType) t, (StructVector) v);
    if (t instanceof ArrayType) return new ListField(((ArrayType) t).elementType(), (ListVector) v);
    if (t == DataTypes.StringType || t == DataTypes.BinaryType)
      return new VarWidthField(t, (BaseVariableWidthVector) v);
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
  static final class FixedWidthField extends Field {
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

    void putInt(int at, int x) {
      ensure(at);
      setBit(validity, at);
      Platform.putInt(null, data + 4L * at, x);
    }

    void putLong(int at, long x) {
      ensure(at);
      setBit(validity, at);
      Platform.putLong(null, data + 8L * at, x);
    }

    void putShort(int at, short x) {
      ensure(at);
      setBit(validity, at);
      Platform.putShort(null, data + 2L * at, x);
    }

    void putByte(int at, byte x) {
      ensure(at);
      setBit(validity, at);
      Platform.putByte(null, data + at, x);
    }

    void putFloat(int at, float x) {
      ensure(at);
      setBit(validity, at);
      Platform.putFloat(null, data + 4L * at, x);
    }

    void putDouble(int at, double x) {
      ensure(at);
      setBit(validity, at);
      Platform.putDouble(null, data + 8L * at, x);
    }

    void putBoolean(int at, boolean x) {
      ensure(at);
      setBit(validity, at);
      if (x) setBit(data, at);
      else clearBit(data, at);
    }

    /** Elements [start, start+n) from memory in this vector's layout, all valid: one copy. */
    void putAll(int start, Object base, long offset, int n, int width) {
      if (n == 0) return;
      ensure(start + n - 1);
      Platform.copyMemory(base, offset, null, data + (long) start * width, (long) n * width);
      setBits(v.getValidityBuffer(), start, start + n);
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
  static final class VarWidthField extends Field {
    private final BaseVariableWidthVector v;
    private final boolean string;
    private int capacity;
    private long validity, offsets, data, dataCapacity;
    private int end; // bytes of data written in this batch

    VarWidthField(DataType type, BaseVariableWidthVector v) {
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

    /** The last position written: a position written again (a duplicate key) is rewritten. */
    private int lastAt = -1;

    private void rewind(int at) {
      if (at <= lastAt) end = Platform.getInt(null, offsets + 4L * at);
      lastAt = at;
    }

    /** {@code n} bytes from memory at position {@code at}. */
    void put(int at, Object base, long offset, int n) {
      rewind(at);
      ensure(at, n);
      Platform.copyMemory(base, offset, null, data + end, n);
      end += n;
      Platform.putInt(null, offsets + 4L * (at + 1), end);
      setBit(validity, at);
    }

    void put(int at, byte[] bytes) {
      put(at, bytes, Platform.BYTE_ARRAY_OFFSET, bytes.length);
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
      put(at, base, offset, n);
    }

    @Override
    void setNull(int at) {
      rewind(at);
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
      lastAt = -1;
      v.setLastSet(-1);
      v.setValueCount(0);
      refresh();
    }
  }

  static final class StructField_ extends Field {
    private final Field[] children;

    StructField_(StructType t, StructVector v) {
      super(v);
      StructField[] fs = t.fields();
      children = new Field[fs.length];
      for (int i = 0; i < fs.length; i++)
        children[i] = field(fs[i].dataType(), v.getChildByOrdinal(i));
    }

    /** Marks position {@code at} non-null; the caller writes every child there. */
    void define(int at) {
      ((StructVector) vector).setIndexDefined(at);
    }

    Field child(int i) {
      return children[i];
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
  static final class ListField extends Field {
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

    /** The last position written: a position written again (a duplicate key) is rewritten. */
    private int lastAt = -1;

    /**
     * Starts the array at position {@code at}: returns the position of its first element in the
     * element vector; {@link #end} closes it.
     */
    int begin(int at) {
      ensure(at);
      if (at <= lastAt) elements = Platform.getInt(null, offsets + 4L * at);
      lastAt = at;
      return elements;
    }

    /** Closes the array begun at {@code at} with {@code n} elements. */
    void end(int at, int n) {
      elements += n;
      Platform.putInt(null, offsets + 4L * (at + 1), elements);
      setBit(validity, at);
    }

    Field element() {
      return element;
    }

    /** Whether the elements are numbers that {@link #putAll} copies in one go. */
    int width() {
      return width;
    }

    /**
     * An array of {@code n} numbers at position {@code at}, from memory in the element vector's
     * layout: one copy.
     */
    void putAll(int at, Object base, long offset, int n) {
      int start = begin(at);
      ((FixedWidthField) element).putAll(start, base, offset, n, width);
      end(at, n);
    }

    @Override
    void set(SpecializedGetters in, int o, int at) {
      putArray(at, in.getArray(o));
    }

    /** A Spark array at position {@code at}: one copy when it is numbers without nulls. */
    void putArray(int at, ArrayData a) {
      int n = a.numElements();
      if (width > 0 && a instanceof UnsafeArrayData && !hasNulls((UnsafeArrayData) a, n)) {
        UnsafeArrayData u = (UnsafeArrayData) a;
        putAll(
            at,
            u.getBaseObject(),
            u.getBaseOffset() + UnsafeArrayData.calculateHeaderPortionInBytes(n),
            n);
        return;
      }
      int start = begin(at);
      for (int i = 0; i < n; i++) element.write(a, i, start + i);
      end(at, n);
    }

    @Override
    void setNull(int at) {
      begin(at);
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

    @Override
    void finish(int count) {
      // the elements of the first count arrays (a document abandoned after them wrote more)
      element.finish(count == 0 ? 0 : Platform.getInt(null, offsets + 4L * count));
      lv.setLastSet(count - 1);
      lv.setValueCount(count);
    }

    @Override
    void reset() {
      elements = 0;
      lastAt = -1;
      element.reset();
      lv.getValidityBuffer().setZero(0, lv.getValidityBuffer().capacity());
      Platform.putInt(null, lv.getOffsetBufferAddress(), 0);
      lv.setLastSet(-1);
      lv.setValueCount(0);
      refresh();
    }
  }
}
