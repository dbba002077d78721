package org.docarray.spark.format;

import java.io.Serializable;

/**
 * Safety limits for untrusted input. Every length read from a file is checked against these and
 * against the remaining input before anything is allocated.
 */
public final class Limits implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final long DEFAULT_MAX_DOCUMENT_BYTES =
      64L << 20; // 64 MiB: a bomb stays far below a small heap
  public static final long DEFAULT_MAX_TENSOR_ELEMENTS = 1L << 28; // 268M elements
  public static final int DEFAULT_MAX_NESTING_DEPTH = 64;
  public static final long DEFAULT_MAX_DECOMPRESSED_FILE_BYTES = 64L << 30; // 64 GiB

  public final long maxDocumentBytes;
  public final long maxTensorElements;
  public final int maxNestingDepth;
  public final long maxDecompressedFileBytes;

  public Limits(
      long maxDocumentBytes,
      long maxTensorElements,
      int maxNestingDepth,
      long maxDecompressedFileBytes) {
    if (maxDocumentBytes <= 0 || maxDocumentBytes > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException(
          "maxDocumentBytes must be in 1.." + (Integer.MAX_VALUE - 16));
    }
    if (maxTensorElements <= 0)
      throw new IllegalArgumentException("maxTensorElements must be positive");
    if (maxNestingDepth <= 0)
      throw new IllegalArgumentException("maxNestingDepth must be positive");
    if (maxDecompressedFileBytes <= 0)
      throw new IllegalArgumentException("maxDecompressedFileBytes must be positive");
    this.maxDocumentBytes = maxDocumentBytes;
    this.maxTensorElements = maxTensorElements;
    this.maxNestingDepth = maxNestingDepth;
    this.maxDecompressedFileBytes = maxDecompressedFileBytes;
  }

  public static Limits defaults() {
    return new Limits(
        DEFAULT_MAX_DOCUMENT_BYTES,
        DEFAULT_MAX_TENSOR_ELEMENTS,
        DEFAULT_MAX_NESTING_DEPTH,
        DEFAULT_MAX_DECOMPRESSED_FILE_BYTES);
  }
}
