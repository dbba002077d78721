package org.docarray.spark.format;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Locale;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.InflaterInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorInputStream;
import org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;

/**
 * DocArray's compression names and their decoders/encoders (docarray-format.md §6.5). The same
 * codec is used per document ({@code protobuf}) or over the whole file (array protocols).
 */
public enum Codec {
  NONE("none"),
  LZ4("lz4"),
  BZ2("bz2"),
  LZMA("lzma"),
  ZLIB("zlib"),
  GZIP("gzip");

  private final String wireName;

  Codec(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  /** The codec with this exact suffix name ({@code none} excluded), or null. */
  public static Codec fromSuffix(String suffix) {
    for (Codec c : values()) {
      if (c != NONE && c.wireName.equals(suffix)) return c;
    }
    return null;
  }

  public static Codec parse(String name) {
    if (name == null) return NONE;
    String n = name.trim().toLowerCase(Locale.ROOT);
    if (n.isEmpty() || n.equals("none") || n.equals("uncompressed")) return NONE;
    for (Codec c : values()) {
      if (c.wireName.equals(n)) return c;
    }
    throw new IllegalArgumentException(
        "Unknown DocArray compression '"
            + name
            + "'; expected one of none, lz4, bz2, lzma, zlib, gzip");
  }

  /**
   * The codec DocArray actually applies to a whole-file (array) protocol with this compression
   * setting: zlib never is (DocArray writes and reads {@code .protobuf-array.zlib} and {@code
   * .json-array.zlib} files plain, docarray-format.md §6.5). The one place that rule is written.
   */
  public Codec onWholeFile() {
    return this == ZLIB ? NONE : this;
  }

  /** Wraps a compressed stream into a decompressing one (concatenated frames/members included). */
  public InputStream decompress(InputStream in) throws IOException {
    switch (this) {
      case NONE:
        return in;
      case LZ4:
        return new FramedLZ4CompressorInputStream(in, true);
      case BZ2:
        return new BZip2CompressorInputStream(in, true);
      case LZMA:
        return new XZCompressorInputStream(in, true);
      case ZLIB:
        return new InflaterInputStream(in);
      case GZIP:
        return new GzipMembers(in);
      default:
        throw new AssertionError(this);
    }
  }

  /** Wraps an output stream into a compressing one, as DocArray's writers configure them. */
  public OutputStream compress(OutputStream out, boolean wholeFile) throws IOException {
    switch (this) {
      case NONE:
        return out;
      case LZ4:
        // DocArray: per document, independent blocks + content size; whole file, linked blocks.
        return new FramedLZ4CompressorOutputStream(
            out,
            new FramedLZ4CompressorOutputStream.Parameters(
                FramedLZ4CompressorOutputStream.BlockSize.K64, false, false, wholeFile));
      case BZ2:
        return new BZip2CompressorOutputStream(out, 9);
      case LZMA:
        return new XZCompressorOutputStream(out);
      case ZLIB:
        return new DeflaterOutputStream(out);
      case GZIP:
        return new GZIPOutputStream(out, 64 * 1024);
      default:
        throw new AssertionError(this);
    }
  }

  /** One-shot compression of a document payload. */
  public byte[] compressBytes(byte[] data, int off, int len) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream(Math.max(64, len / 2));
    try (OutputStream os = compress(bos, false)) {
      os.write(data, off, len);
    }
    return bos.toByteArray();
  }
}
