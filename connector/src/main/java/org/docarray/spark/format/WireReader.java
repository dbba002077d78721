package org.docarray.spark.format;

/**
 * Reads protobuf varints from a byte array without allocating: each read returns the value and
 * leaves where it ended in {@link #next}. The readers of DocArray's messages (the document decoder,
 * {@link TensorView}) extend it and walk the wire with plain offsets.
 */
public abstract class WireReader {
  /** Where the last varint read ended. */
  protected int next;

  /** A varint at {@code p} (before {@code end}) as an int (protobuf keeps its low 32 bits). */
  protected final int varint32(byte[] b, int p, int end) {
    if (p + 1 < end) {
      byte x = b[p];
      if (x >= 0) {
        next = p + 1;
        return x;
      }
      byte y = b[p + 1];
      if (y >= 0) { // two bytes: the lengths of tensors and of longer strings
        next = p + 2;
        return (x & 0x7f) | (y << 7);
      }
    } else if (p < end && b[p] >= 0) {
      next = p + 1;
      return b[p];
    }
    return (int) varintSlow(b, p, end);
  }

  /** A varint at {@code p} (before {@code end}) as a long. */
  protected final long varint64(byte[] b, int p, int end) {
    if (p < end) {
      byte x = b[p];
      if (x >= 0) {
        next = p + 1;
        return x;
      }
    }
    return varintSlow(b, p, end);
  }

  private long varintSlow(byte[] b, int p, int end) {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p >= end) throw new MalformedDocumentException("a varint runs past its message", p);
      byte x = b[p++];
      v |= (long) (x & 0x7f) << shift;
      if (x >= 0) {
        next = p;
        return v;
      }
    }
    throw new MalformedDocumentException("malformed varint (more than 10 bytes)", p);
  }
}
