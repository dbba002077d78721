package org.docarray.spark.read;

import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.types.StructType;
import org.docarray.spark.DocArrayOptions;

/** Shipped to executors: everything a reader needs, compiled into a plan there. */
public final class DocArrayReaderFactory implements PartitionReaderFactory {
  private static final long serialVersionUID = 1L;
  final Broadcast<SerializableConfiguration> conf;
  final DocArrayOptions options;
  final StructType dataSchema;
  final int[] dataIndex;
  final int[] partIndex;
  final boolean ignoreCorruptFiles;
  final boolean ignoreMissingFiles;

  DocArrayReaderFactory(Broadcast<SerializableConfiguration> conf, DocArrayOptions options, StructType dataSchema,
      int[] dataIndex, int[] partIndex, boolean ignoreCorruptFiles, boolean ignoreMissingFiles) {
    this.conf = conf;
    this.options = options;
    this.dataSchema = dataSchema;
    this.dataIndex = dataIndex;
    this.partIndex = partIndex;
    this.ignoreCorruptFiles = ignoreCorruptFiles;
    this.ignoreMissingFiles = ignoreMissingFiles;
  }

  @Override
  public PartitionReader<InternalRow> createReader(InputPartition partition) {
    return new DocArrayPartitionReader(this, ((DocArrayInputPartition) partition).files);
  }
}
