package org.docarray.spark.read;

import java.io.IOException;
import org.apache.spark.rdd.InputFileBlockHolder;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.docarray.spark.errors.SparkErrors;

/** Reads the files of one partition, document by document, into rows with partition values. */
final class DocArrayPartitionReader implements PartitionReader<InternalRow> {
  private final DocArrayReaderFactory f;
  private final DocArrayFileSplit[] splits;
  private final DocumentRowReader.Compiled compiled;
  private int fileIndex = -1;
  private DocumentRowReader reader;
  private DocArrayFile file;
  private InternalRow current;
  private long documents;
  private long bytes;
  private long decodeNanos;
  private long calls;
  private long opened;

  /**
   * The data row is the output row (no partition columns, same order): decided once, not per row.
   */
  private final boolean direct;

  /** The data columns' types, and the projection into an UnsafeRow of the output (not direct). */
  private final org.apache.spark.sql.types.DataType[] dataTypes;

  private final org.apache.spark.sql.catalyst.expressions.UnsafeProjection toUnsafe;

  DocArrayPartitionReader(DocArrayReaderFactory factory, DocArrayFileSplit[] splits) {
    this.f = factory;
    boolean d = true;
    for (int i = 0; i < factory.dataIndex.length && d; i++) d = factory.dataIndex[i] == i;
    this.direct = d;
    org.apache.spark.sql.types.StructField[] fields = factory.settings.dataSchema.fields();
    this.dataTypes = new org.apache.spark.sql.types.DataType[fields.length];
    for (int i = 0; i < fields.length; i++) dataTypes[i] = fields[i].dataType();
    this.toUnsafe =
        d
            ? null
            : org.apache.spark.sql.catalyst.expressions.UnsafeProjection.create(factory.readSchema);
    this.splits = splits;
    this.compiled = factory.settings.compile();
  }

  @Override
  public boolean next() throws IOException {
    try {
      return advance();
    } catch (IOException e) {
      throw SparkErrors.orSelf(e);
    } catch (RuntimeException e) {
      throw SparkErrors.orSelf(e);
    }
  }

  private boolean advance() throws IOException {
    if (f.limit >= 0 && documents >= f.limit)
      return false; // a pushed LIMIT: enough rows from this task
    while (true) {
      if (reader == null) {
        // columnar: a batch holds the rows of one file (input_file_name()), so stop before the next
        if (target != null && target.rows() > 0 && fileIndex + 1 < splits.length) return false;
        if (++fileIndex >= splits.length) return false;
        DocArrayFileSplit split = splits[fileIndex];
        file = split.file;
        reader = DocumentRowReader.open(compiled, split, f.conf.value().value());
        bytes += split.bytes();
        opened++;
        markFile(fileIndex); // input_file_name()
      }
      // the decode-time metric times one call in 16 (two clock reads per document cost as much as
      // decoding a small one) and counts it 16 times: an unbiased estimate
      boolean timed = (calls++ & 15) == 0;
      long t0 = timed ? System.nanoTime() : 0;
      boolean more = reader.next();
      if (timed) decodeNanos += (System.nanoTime() - t0) * 16;
      if (more) {
        documents++;
        if (target != null) partitionValuesInto(target.rows());
        else current = assemble(reader.get());
        return true;
      }
      reader.close();
      reader = null;
    }
  }

  /** Columnar reads decoded straight into Arrow vectors: the writer, or null. */
  private ArrowBatchWriter target;

  private ArrowFields.Field[] targetColumns;

  /**
   * Decodes documents straight into the writer's vectors (at its next position, which the caller
   * advances after each {@link #next}) instead of rows; {@link #next} then returns false at the end
   * of a file while the writer holds rows.
   */
  void decodeInto(ArrowBatchWriter w) {
    int[] di = f.dataIndex;
    int[] columnOfSlot = new int[dataTypes.length];
    for (int i = 0; i < di.length; i++) if (di[i] >= 0) columnOfSlot[di[i]] = i;
    compiled.decodeInto(w, columnOfSlot);
    target = w;
    targetColumns = w.fields();
  }

  private void partitionValuesInto(int at) {
    if (direct) return; // no partition columns
    int[] pi = f.partIndex;
    GenericInternalRow values = null;
    for (int i = 0; i < pi.length; i++) {
      if (f.dataIndex[i] >= 0) continue;
      if (values == null) values = new GenericInternalRow(file.partitionValues);
      targetColumns[i].write(values, pi[i], at);
    }
  }

  /** The split (file range) the current row came from. */
  int currentSplit() {
    return fileIndex;
  }

  /** Points input_file_name() at a split's file (a columnar batch holds rows of one file only). */
  void markFile(int splitIndex) {
    DocArrayFileSplit split = splits[splitIndex];
    InputFileBlockHolder.set(split.file.path, Math.max(0, split.start), split.bytes());
  }

  private InternalRow assemble(InternalRow data) {
    if (direct) return data;
    int[] di = f.dataIndex;
    int[] pi = f.partIndex;
    Object[] values = new Object[di.length];
    for (int i = 0; i < di.length; i++) {
      values[i] =
          di[i] >= 0
              ? data.get(di[i], dataTypes[di[i]])
              : pi[i] == DocArrayReaderFactory.METADATA
                  ? FileMetadata.of(
                      file,
                      reader.currentDocumentIndex(),
                      reader.currentAbsentFields(),
                      f.metadataFields)
                  : file.partitionValues[pi[i]];
    }
    return toUnsafe.apply(new GenericInternalRow(values));
  }

  @Override
  public org.apache.spark.sql.connector.metric.CustomTaskMetric[] currentMetricsValues() {
    return new org.apache.spark.sql.connector.metric.CustomTaskMetric[] {
      ScanMetrics.value(ScanMetrics.DOCUMENTS, documents),
      ScanMetrics.value(ScanMetrics.BYTES, bytes),
      ScanMetrics.value(ScanMetrics.DECODE_MS, decodeNanos / 1_000_000),
      ScanMetrics.value(ScanMetrics.FILES, opened),
      ScanMetrics.value(ScanMetrics.SKIPPED, compiled.decoder.skippedBytes()),
      ScanMetrics.value(ScanMetrics.TENSOR_BYTES, compiled.decoder.tensorBytes())
    };
  }

  @Override
  public InternalRow get() {
    return current;
  }

  @Override
  public void close() throws IOException {
    InputFileBlockHolder.unset();
    if (reader != null) reader.close();
  }
}
