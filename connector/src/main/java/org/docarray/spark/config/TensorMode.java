package org.docarray.spark.config;

/** Tensors as typed Spark arrays (with their shape), or as their raw bytes with dtype and shape. */
public enum TensorMode {
  TYPED,
  BINARY
}
