package org.docarray.spark.read;

import org.apache.spark.sql.connector.read.InputPartition;

/** One task's work: one or more whole files (small files are packed together). */
public final class DocArrayInputPartition implements InputPartition {
  private static final long serialVersionUID = 1L;
  final DocArrayFileIndex.FileEntry[] files;

  DocArrayInputPartition(DocArrayFileIndex.FileEntry[] files) {
    this.files = files;
  }
}
