package org.docarray.spark.read;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.ArrowUtils;
import org.apache.spark.sql.vectorized.ArrowColumnVector;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;

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
  private final ArrowFields.Field[] fields;

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
        fields = new ArrowFields.Field[sf.length];
        for (int i = 0; i < sf.length; i++) {
          FieldVector v = root.getVector(i);
          v.allocateNew();
          fields[i] = ArrowFields.field(sf[i].dataType(), v);
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

  /**
   * The fillers of the columns, for a decoder that writes documents straight into the vectors (null
   * when Spark's ArrowWriter fills this schema).
   */
  ArrowFields.Field[] fields() {
    return fields;
  }

  /** Counts a row whose columns a decoder wrote at position {@link #rows()} itself. */
  void rowWritten() {
    rows++;
  }

  /** The batch of the rows written since the last reset; valid until the next reset. */
  public ColumnarBatch finish() {
    if (general != null) general.finish();
    else for (ArrowFields.Field f : fields) f.finish(rows);
    root.setRowCount(rows);
    batch.setNumRows(rows);
    return batch;
  }

  public void reset() {
    if (general != null) general.reset();
    else for (ArrowFields.Field f : fields) f.reset();
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
}
