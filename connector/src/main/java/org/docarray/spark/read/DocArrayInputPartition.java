package org.docarray.spark.read;

import org.apache.spark.sql.connector.read.InputPartition;

/** One task's work: ranges of big files, or several small files packed together. */
public final class DocArrayInputPartition implements InputPartition {
  private static final long serialVersionUID = 1L;
  final DocArrayFileSplit[] splits;

  public DocArrayInputPartition(DocArrayFileSplit[] splits) {
    this.splits = splits;
  }
}
