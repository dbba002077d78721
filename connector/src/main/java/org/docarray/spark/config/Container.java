package org.docarray.spark.config;

/** How a file's documents are held: a DocList (one message per document) or a DocVec (columns). */
public enum Container {
  /** Reads only: whatever the file holds. */
  AUTO,
  DOCLIST,
  DOCVEC
}
