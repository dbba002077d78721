package org.docarray.spark.format;

import java.io.IOException;
import java.io.InputStream;

/**
 * Tells a {@code DocListProto} from a {@code DocVecProto} in a {@code protobuf-array} file from its
 * first few bytes (the file itself does not say; docarray-format.md §6.3). Both start with field-1
 * records, but inside the first record a DocList has a map entry (which starts with tag 0x0A or
 * 0x12) while a DocVec's {@code tensor_columns} entry starts with its key, a Python identifier. A
 * top-level field 2, 3 or 4 is always a DocVec.
 */
public final class ContainerSniffer {
  private ContainerSniffer() {}

  /**
   * Bytes of lookahead {@link #isDocVec} needs; the stream must support mark/reset of that much.
   */
  public static final int LOOKAHEAD = 48;

  /** Peeks at a mark-supporting stream and resets it. Empty input is a (empty) DocList. */
  public static boolean isDocVec(InputStream in) throws IOException {
    in.mark(LOOKAHEAD);
    try {
      byte[] b = new byte[LOOKAHEAD];
      int n = 0;
      while (n < LOOKAHEAD) {
        int r = in.read(b, n, LOOKAHEAD - n);
        if (r < 0) break;
        n += r;
      }
      return isDocVec(b, n);
    } finally {
      in.reset();
    }
  }

  static boolean isDocVec(byte[] b, int n) {
    if (n == 0) return false;
    int pos = 0;
    int tag = b[pos++] & 0xff;
    if (tag == 0x12 || tag == 0x1a || tag == 0x22) return true;
    if (tag != 0x0a) return false;
    long[] v = new long[1];
    pos = varint(b, pos, n, v);
    if (pos < 0 || v[0] == 0) return false;
    if (pos >= n) return false;
    int inner = b[pos++] & 0xff;
    if (inner != 0x0a) return false;
    pos = varint(b, pos, n, v);
    if (pos < 0 || pos >= n || v[0] == 0) return false;
    int first = b[pos] & 0xff;
    return first != 0x0a && first != 0x12;
  }

  private static int varint(byte[] b, int pos, int n, long[] out) {
    long r = 0;
    int shift = 0;
    while (pos < n && shift < 64) {
      int x = b[pos++] & 0xff;
      r |= (long) (x & 0x7f) << shift;
      if ((x & 0x80) == 0) {
        out[0] = r;
        return pos;
      }
      shift += 7;
    }
    return -1;
  }
}
