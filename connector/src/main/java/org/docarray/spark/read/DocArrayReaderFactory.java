package org.docarray.spark.read;

import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;

/** Shipped to executors: everything a reader needs, compiled into a plan there. */
public final class DocArrayReaderFactory implements PartitionReaderFactory {
  private static final long serialVersionUID = 1L;
  final Broadcast<SerializableConfiguration> conf;
  final DocumentRowReader.Settings settings;
  final int[] dataIndex;
  final int[] partIndex;
  final long limit;

  DocArrayReaderFactory(Broadcast<SerializableConfiguration> conf, DocumentRowReader.Settings settings, int[] dataIndex,
      int[] partIndex, long limit) {
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
}
