package org.docarray.spark.loader;

import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.ArrowUtils;
import org.apache.spark.sql.vectorized.ArrowColumnVector;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.docarray.spark.read.ArrowBatchWriter;

/**
 * Fixed-size Arrow record batches over a stream of rows. One {@link VectorSchemaRoot} is refilled
 * for every batch (Arrow's usual contract): a batch is valid until the next {@code hasNext()} /
 * {@code next()}; copy what must outlive it. The last batch may be short unless {@code dropLast}.
 * Closing releases every Arrow buffer; it is safe to close early or twice.
 */
public final class BatchIterator implements Iterator<VectorSchemaRoot>, AutoCloseable {
  private final Iterator<InternalRow> rows;
  private final int batchSize;
  private final boolean dropLast;
  private final BufferAllocator allocator;
  private final VectorSchemaRoot root;
  private final ArrowBatchWriter writer;
  private boolean filled;
  private boolean closed;
  private long batches;

  BatchIterator(
      Iterator<InternalRow> rows,
      StructType schema,
      int batchSize,
      boolean dropLast,
      String timeZone,
      String name) {
    if (batchSize < 1)
      throw new IllegalArgumentException("batchSize must be at least 1, not " + batchSize);
    this.rows = rows;
    this.batchSize = batchSize;
    this.dropLast = dropLast;
    this.allocator = ArrowUtils.rootAllocator().newChildAllocator(name, 0, Long.MAX_VALUE);
    try {
      this.writer = new ArrowBatchWriter(schema, allocator, timeZone);
    } catch (RuntimeException | Error e) {
      allocator.close();
      throw e;
    }
    this.root = writer.root();
  }

  @Override
  public boolean hasNext() {
    if (closed) return false;
    if (filled) return true;
    writer.reset();
    int n = 0;
    try {
      while (n < batchSize && rows.hasNext()) {
        writer.write(rows.next());
        n++;
      }
      writer.finish();
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
    if (n == 0 || (dropLast && n < batchSize)) {
      close();
      return false;
    }
    filled = true;
    return true;
  }

  @Override
  public VectorSchemaRoot next() {
    if (!hasNext()) throw new NoSuchElementException();
    filled = false;
    batches++;
    return root;
  }

  /** The same batch as Spark's {@link ColumnarBatch} over {@link ArrowColumnVector}s (no copy). */
  public static ColumnarBatch columnar(VectorSchemaRoot batch) {
    ColumnVector[] cols = new ColumnVector[batch.getFieldVectors().size()];
    int i = 0;
    for (FieldVector v : batch.getFieldVectors()) cols[i++] = new ArrowColumnVector(v);
    return new ColumnarBatch(cols, batch.getRowCount());
  }

  /** Batches handed out so far. */
  public long batches() {
    return batches;
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    try {
      writer.close();
    } finally {
      allocator.close();
    }
  }
}
