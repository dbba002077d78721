package org.docarray.spark.format;

import java.nio.charset.StandardCharsets;

/**
 * What a file that is not a DocArray file looks like, from its first bytes: the well-known magic
 * numbers (images, archives, columnar formats, compressed data, pickles) and plain text. Used by
 * the refusals of the framings, so that a CSV renamed {@code .protobuf} is called text, not
 * "version byte 0x69".
 */
public final class ForeignBytes {
  private ForeignBytes() {}

  /**
   * A phrase such as "a PNG image" or "text (starts "id,name")", or null when nothing is
   * recognised.
   */
  public static String describe(byte[] h, int n) {
    if (n <= 0) return null;
    if (starts(h, n, 0x89, 'P', 'N', 'G')) return "a PNG image";
    if (starts(h, n, 0xff, 0xd8, 0xff)) return "a JPEG image";
    if (starts(h, n, 'G', 'I', 'F', '8')) return "a GIF image";
    if (starts(h, n, 'R', 'I', 'F', 'F')) return "a RIFF file (WAV audio or WebP image)";
    if (starts(h, n, '%', 'P', 'D', 'F')) return "a PDF document";
    if (starts(h, n, 'P', 'K', 3, 4)) return "a zip archive (zip, jar, npz, docx...)";
    if (starts(h, n, 'P', 'A', 'R', '1')) return "a Parquet file";
    if (starts(h, n, 'O', 'b', 'j', 1)) return "an Avro file";
    if (starts(h, n, 'O', 'R', 'C')) return "an ORC file";
    if (starts(h, n, 0x93, 'N', 'U', 'M', 'P', 'Y')) return "a numpy .npy array";
    if (starts(h, n, 0x7f, 'E', 'L', 'F')) return "an executable (ELF)";
    if (starts(h, n, 0x1f, 0x8b)) return "gzip-compressed data";
    if (starts(h, n, 'B', 'Z', 'h')) return "bzip2-compressed data";
    if (starts(h, n, 0xfd, '7', 'z', 'X', 'Z')) return "xz (lzma) compressed data";
    if (starts(h, n, 0x04, 0x22, 0x4d, 0x18)) return "LZ4-compressed data";
    if (starts(h, n, 0x28, 0xb5, 0x2f, 0xfd)) return "zstd-compressed data";
    if (starts(h, n, 0x80) && n > 1 && (h[1] & 0xff) <= 5) return "a Python pickle";
    if (text(h, n)) {
      String s = new String(h, 0, n, StandardCharsets.UTF_8).replaceAll("[\\r\\n\\t]", " ").trim();
      char c = s.isEmpty() ? ' ' : s.charAt(0);
      String kind = c == '{' || c == '[' ? "JSON text" : c == '<' ? "XML or HTML text" : "text";
      return kind + " (it starts \"" + s + "\")";
    }
    return null;
  }

  private static boolean starts(byte[] h, int n, int... magic) {
    if (n < magic.length) return false;
    for (int i = 0; i < magic.length; i++) if ((h[i] & 0xff) != magic[i]) return false;
    return true;
  }

  /** Printable ASCII or UTF-8 (with line breaks and tabs) throughout. */
  private static boolean text(byte[] h, int n) {
    int i = 0;
    if (n >= 3 && (h[0] & 0xff) == 0xef && (h[1] & 0xff) == 0xbb && (h[2] & 0xff) == 0xbf)
      i = 3; // BOM
    for (; i < n; i++) {
      int b = h[i] & 0xff;
      if (b == '\n' || b == '\r' || b == '\t') continue;
      if (b < 0x20 || b == 0x7f) return false;
    }
    return true;
  }
}
