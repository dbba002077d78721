package org.docarray.spark.read;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
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

  /** Writes one non-null value of a getter into a vector position. */
  @FunctionalInterface
  private interface Setter {
    void set(SpecializedGetters in, int ordinal, int at);
  }

  private static class Field {
    final ValueVector vector;
    private final Setter setter;

    /** A field of an atomic type, written by {@code setter}. */
    Field(ValueVector vector, Setter setter) {
      this.vector = vector;
      this.setter = setter;
    }

    /** A nested field, whose subclass overrides {@link #set}. */
    Field(ValueVector vector) {
      this(vector, null);
    }

    /** Writes value {@code ordinal} of {@code in} at position {@code at}. */
    final void write(SpecializedGetters in, int ordinal, int at) {
      if (in.isNullAt(ordinal)) {
        setNull(at);
      } else {
        set(in, ordinal, at);
      }
    }

    void setNull(int at) {
      if (vector instanceof BaseFixedWidthVector) {
        ((BaseFixedWidthVector) vector).setNull(at); // grows as needed
      } else if (vector instanceof VarCharVector) {
        ((VarCharVector) vector).setNull(at);
      } else if (vector instanceof VarBinaryVector) {
        ((VarBinaryVector) vector).setNull(at);
      } else if (vector instanceof StructVector) {
        ((StructVector) vector).setNull(at);
      } else if (vector instanceof ListVector) {
        ((ListVector) vector).setNull(at);
      }
    }

    void set(SpecializedGetters in, int ordinal, int at) {
      setter.set(in, ordinal, at);
    }

    void finish(int count) {
      vector.setValueCount(count);
    }

    void reset() {
      vector.reset();
    }
  }

  private static Field field(DataType t, ValueVector v) {
    if (t == DataTypes.BooleanType)
      return new Field(v, (in, o, at) -> ((BitVector) v).setSafe(at, in.getBoolean(o) ? 1 : 0));
    if (t == DataTypes.ByteType)
      return new Field(v, (in, o, at) -> ((TinyIntVector) v).setSafe(at, in.getByte(o)));
    if (t == DataTypes.ShortType)
      return new Field(v, (in, o, at) -> ((SmallIntVector) v).setSafe(at, in.getShort(o)));
    if (t == DataTypes.IntegerType)
      return new Field(v, (in, o, at) -> ((IntVector) v).setSafe(at, in.getInt(o)));
    if (t == DataTypes.LongType)
      return new Field(v, (in, o, at) -> ((BigIntVector) v).setSafe(at, in.getLong(o)));
    if (t == DataTypes.FloatType)
      return new Field(v, (in, o, at) -> ((Float4Vector) v).setSafe(at, in.getFloat(o)));
    if (t == DataTypes.DoubleType)
      return new Field(v, (in, o, at) -> ((Float8Vector) v).setSafe(at, in.getDouble(o)));
    if (t == DataTypes.StringType) {
      return new Field(
          v,
          (in, o, at) -> {
            org.apache.spark.unsafe.types.UTF8String s = in.getUTF8String(o);
            if (s.getBaseObject() instanceof byte[]) {
              // the bytes where they lie (an UnsafeRow's buffer): no copy on the way
              ((VarCharVector) v)
                  .setSafe(
                      at,
                      (byte[]) s.getBaseObject(),
                      (int) (s.getBaseOffset() - Platform.BYTE_ARRAY_OFFSET),
                      s.numBytes());
            } else {
              byte[] b = s.getBytes();
              ((VarCharVector) v).setSafe(at, b, 0, b.length);
            }
          });
    }
    if (t == DataTypes.BinaryType) {
      return new Field(
          v,
          (in, o, at) -> {
            byte[] b = in.getBinary(o);
            ((VarBinaryVector) v).setSafe(at, b, 0, b.length);
          });
    }
    if (t instanceof StructType) return new StructField_((StructType) t, (StructVector) v);
    if (t instanceof ArrayType) return new ListField(((ArrayType) t).elementType(), (ListVector) v);
    throw new IllegalArgumentException("no columnar writer for " + t.simpleString());
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
      vector.reset();
    }
  }

  private static final class ListField extends Field {
    private final Field element;
    private final int width; // bytes per element for a bulk copy of a primitive array, or 0
    private int elements;

    ListField(DataType elementType, ListVector v) {
      super(v);
      this.element = field(elementType, v.getDataVector());
      boolean fixedWidth =
          elementType instanceof org.apache.spark.sql.types.NumericType
              && !(elementType instanceof org.apache.spark.sql.types.DecimalType);
      this.width = fixedWidth ? elementType.defaultSize() : 0;
    }

    @Override
    void set(SpecializedGetters in, int o, int at) {
      ArrayData a = in.getArray(o);
      ListVector lv = (ListVector) vector;
      int n = a.numElements();
      int start = lv.startNewValue(at);
      if (width > 0 && a instanceof UnsafeArrayData && !hasNulls((UnsafeArrayData) a, n)) {
        bulk((UnsafeArrayData) a, start, n);
      } else {
        for (int i = 0; i < n; i++) element.write(a, i, start + i);
      }
      lv.endValue(at, n);
      elements = start + n;
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
      BaseFixedWidthVector child = (BaseFixedWidthVector) ((ListVector) vector).getDataVector();
      while (child.getValueCapacity() < start + n) child.reAlloc();
      ArrowBuf data = child.getDataBuffer();
      long src = a.getBaseOffset() + UnsafeArrayData.calculateHeaderPortionInBytes(n);
      Platform.copyMemory(
          a.getBaseObject(),
          src,
          null,
          data.memoryAddress() + (long) start * width,
          (long) n * width);
      ArrowBuf validity = child.getValidityBuffer();
      int i = start;
      int end = start + n;
      for (; i < end && (i & 7) != 0; i++) BitVectorHelper.setBit(validity, i);
      int fullBytes = (end - i) >>> 3;
      if (fullBytes > 0) {
        validity.setOne(i >>> 3, fullBytes);
        i += fullBytes << 3;
      }
      for (; i < end; i++) BitVectorHelper.setBit(validity, i);
    }

    @Override
    void finish(int count) {
      element.finish(elements);
      ((ListVector) vector).setValueCount(count);
    }

    @Override
    void reset() {
      element.reset();
      vector.reset();
      elements = 0;
    }
  }
}
