package org.docarray.spark.read;

import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/** Shipped to executors: everything a reader needs, compiled into a plan there. */
public final class DocArrayReaderFactory implements PartitionReaderFactory {
  private static final long serialVersionUID = 1L;
  final Broadcast<SerializableConfiguration> conf;
  final DocumentRowReader.Settings settings;
  final int[] dataIndex;
  final int[] partIndex;
  final long limit;

  /** partIndex of the {@code _metadata} column (neither a data nor a partition column). */
  public static final int METADATA = -2;

  /**
   * The fields of {@code _metadata} the query reads (Spark prunes the struct), when it reads it.
   */
  final String[] metadataFields;

  /** The schema of the rows handed to Spark (data and partition columns), for columnar batches. */
  final StructType readSchema;

  public DocArrayReaderFactory(
      Broadcast<SerializableConfiguration> conf,
      DocumentRowReader.Settings settings,
      int[] dataIndex,
      int[] partIndex,
      long limit,
      StructType readSchema,
      String[] metadataFields) {
    this.readSchema = readSchema;
    this.metadataFields = metadataFields;
    this.limit = limit;
    this.conf = conf;
    this.settings = settings;
    this.dataIndex = dataIndex;
    this.partIndex = partIndex;
  }

  @Override
  public PartitionReader<InternalRow> createReader(InputPartition partition) {
    return new DocArrayPartitionReader(this, ((DocArrayInputPartition) partition).splits);
  }

  /**
   * Columnar when asked for (option columnar, default false) and every column has an Arrow filler.
   */
  @Override
  public boolean supportColumnarReads(InputPartition partition) {
    for (int p : partIndex) if (p == METADATA) return false; // _metadata: the row reader fills it
    return settings.options.columnar
        && readSchema.size() > 0
        && ArrowBatchWriter.supports(readSchema);
  }

  @Override
  public PartitionReader<ColumnarBatch> createColumnarReader(InputPartition partition) {
    return new DocArrayColumnarReader(
        this,
        ((DocArrayInputPartition) partition).splits,
        readSchema,
        settings.options.columnarBatchSize);
  }
}
