package org.docarray.spark.format;

/**
 * UTF-8 well-formedness (RFC 3629: no overlongs, no surrogates, max U+10FFFF), as protobuf requires
 * of strings.
 */
public final class Utf8Validation {
  private Utf8Validation() {}

  private static final java.lang.invoke.VarHandle LONGS =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
          long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

  public static boolean isValid(byte[] b, int from, int to) {
    int i = from;
    // ASCII runs eight bytes at a time
    while (i + 8 <= to && ((long) LONGS.get(b, i) & 0x8080808080808080L) == 0) i += 8;
    while (i < to) {
      int c = b[i] & 0xff;
      if (c < 0x80) {
        i++;
        continue;
      }
      int n;
      int min;
      if (c >= 0xc2 && c <= 0xdf) {
        n = 1;
        min = 0x80;
      } else if (c >= 0xe0 && c <= 0xef) {
        n = 2;
        min = 0x800;
      } else if (c >= 0xf0 && c <= 0xf4) {
        n = 3;
        min = 0x10000;
      } else {
        return false;
      }
      if (i + n >= to) return false;
      int cp = c & (0x3f >> n);
      for (int k = 1; k <= n; k++) {
        int cc = b[i + k] & 0xff;
        if ((cc & 0xc0) != 0x80) return false;
        cp = (cp << 6) | (cc & 0x3f);
      }
      if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
      i += n + 1;
    }
    return true;
  }
}
