package org.docarray.spark.read;

import java.io.IOException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.ArrowUtils;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * The columnar reader of one partition: documents decoded by the partition's row reader are put
 * into Arrow vectors, {@code columnarBatchSize} at a time, and handed to Spark as a {@link
 * ColumnarBatch} (the vectors are reused from batch to batch). Vectors and their allocator are
 * released on close, also after a failure.
 */
final class DocArrayColumnarReader implements PartitionReader<ColumnarBatch> {
  private final DocArrayPartitionReader rows;
  private final BufferAllocator allocator;
  private final ArrowBatchWriter writer;
  private final int batchSize;
  private ColumnarBatch current;

  /**
   * The first row of the next file, held back so that a batch never mixes files
   * (input_file_name()).
   */
  private org.apache.spark.sql.catalyst.InternalRow pending;

  private int pendingSplit = -1;

  DocArrayColumnarReader(
      DocArrayReaderFactory factory,
      DocArrayFileSplit[] splits,
      StructType readSchema,
      int batchSize) {
    this.batchSize = batchSize;
    this.allocator =
        ArrowUtils.rootAllocator().newChildAllocator("docarray-columnar-read", 0, Long.MAX_VALUE);
    ArrowBatchWriter w = null;
    DocArrayPartitionReader r = null;
    try {
      w = new ArrowBatchWriter(readSchema, allocator);
      r = new DocArrayPartitionReader(factory, splits);
    } catch (RuntimeException | Error e) {
      if (w != null) w.close();
      allocator.close();
      throw e;
    }
    this.writer = w;
    this.rows = r;
    // documents go straight from the wire into the vectors when every column has a filler
    this.direct = w.fields() != null;
    if (direct) r.decodeInto(w);
  }

  /** Decoding straight into the vectors (else rows are decoded, then copied into them). */
  private final boolean direct;

  @Override
  public boolean next() throws IOException {
    writer.reset();
    if (direct) {
      // ends at the end of a file too: the batch holds one file's rows (input_file_name())
      int split = -1;
      while (writer.rows() < batchSize && rows.next()) {
        writer.rowWritten();
        split = rows.currentSplit();
      }
      if (writer.rows() == 0) return false;
      rows.markFile(split);
      current = writer.finish();
      return true;
    }
    int batchSplit = -1;
    if (pending != null) {
      writer.write(pending);
      batchSplit = pendingSplit;
      rows.markFile(batchSplit);
      pending = null;
    }
    while (writer.rows() < batchSize && rows.next()) {
      int split = rows.currentSplit();
      if (writer.rows() > 0 && split != batchSplit) {
        pending = rows.get();
        pendingSplit = split;
        rows.markFile(batchSplit);
        break;
      }
      batchSplit = split;
      writer.write(rows.get());
    }
    if (writer.rows() == 0) return false;
    current = writer.finish();
    return true;
  }

  @Override
  public ColumnarBatch get() {
    return current;
  }

  @Override
  public CustomTaskMetric[] currentMetricsValues() {
    return rows.currentMetricsValues();
  }

  @Override
  public void close() throws IOException {
    try {
      rows.close();
    } finally {
      try {
        writer.close();
      } finally {
        allocator.close();
      }
    }
  }
}
