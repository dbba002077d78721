package org.docarray.spark.format;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipException;

/**
 * A gzip file as Python's {@code gzip.decompress} (DocArray's) reads it: member after member (their
 * data concatenated), then optional zero padding. Any other bytes after a member are an error at
 * their offset, where {@link java.util.zip.GZIPInputStream} silently ends the stream there and
 * drops them. Decompressed bytes are handed out as soon as they are inflated, so a file cut short
 * still yields everything before the cut (then an {@link EOFException}).
 */
final class GzipMembers extends InputStream {
  private static final int FHCRC = 2;
  private static final int FEXTRA = 4;
  private static final int FNAME = 8;
  private static final int FCOMMENT = 16;

  private final InputStream raw;
  private final byte[] buf = new byte[64 * 1024];
  private int pos;
  private int lim;

  /** File offset of buf[0]. */
  private long bufStart;

  private final Inflater inf = new Inflater(true);
  private final CRC32 crc = new CRC32();
  private boolean inMember;
  private boolean done;

  GzipMembers(InputStream raw) throws IOException {
    this.raw = raw;
    header(true);
    inMember = true;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) return 0;
    while (!done) {
      if (!inMember) {
        if (!header(false)) {
          done = true;
          break;
        }
        inMember = true;
      }
      if (inf.needsInput()) {
        if (!fill())
          throw new EOFException("unexpected end of the gzip stream (the file is cut short)");
        inf.setInput(buf, pos, lim - pos);
      }
      int n;
      try {
        n = inf.inflate(b, off, len);
      } catch (DataFormatException e) {
        throw new ZipException("corrupt deflate data in the gzip stream: " + e.getMessage());
      }
      pos = lim - inf.getRemaining();
      if (n > 0) {
        crc.update(b, off, n);
        return n;
      }
      if (inf.finished()) {
        trailer();
        inMember = false;
      } else if (inf.needsDictionary()) {
        throw new ZipException("corrupt gzip stream (a deflate dictionary is required)");
      }
    }
    return -1;
  }

  /** Reads a member header; false at a clean end (end of file or zero padding) after a member. */
  private boolean header(boolean first) throws IOException {
    long start = bufStart + pos;
    int b0 = readByte();
    if (b0 < 0) {
      if (first) throw new NotGzipException("not in gzip format (empty)");
      return false;
    }
    if (!first && b0 == 0) { // zero padding to the end, as Python's gzip accepts
      int x;
      while ((x = readByte()) == 0) {
        // padding
      }
      if (x < 0) return false;
      throw new TrailingBytesException("gzip", start);
    }
    int b1 = readByte();
    if (b0 != 0x1f || b1 != 0x8b) {
      if (first)
        throw new NotGzipException("not in gzip format (no gzip magic 1f 8b at the start)");
      throw new TrailingBytesException("gzip", start);
    }
    int method = need();
    int flags = need();
    if (method != 8) throw new ZipException("unsupported gzip compression method " + method);
    for (int i = 0; i < 6; i++) need(); // mtime, xfl, os
    if ((flags & FEXTRA) != 0) {
      int xlen = need() | (need() << 8);
      for (int i = 0; i < xlen; i++) need();
    }
    if ((flags & FNAME) != 0)
      while (need() != 0) {
        /* name */
      }
    if ((flags & FCOMMENT) != 0)
      while (need() != 0) {
        /* comment */
      }
    if ((flags & FHCRC) != 0) {
      need();
      need();
    }
    inf.reset();
    crc.reset();
    return true;
  }

  private void trailer() throws IOException {
    long expectedCrc = 0;
    for (int i = 0; i < 4; i++) expectedCrc |= ((long) need()) << (8 * i);
    long size = 0;
    for (int i = 0; i < 4; i++) size |= ((long) need()) << (8 * i);
    if (expectedCrc != crc.getValue())
      throw new ZipException("corrupt gzip trailer (CRC mismatch)");
    if (size != (inf.getBytesWritten() & 0xffffffffL))
      throw new ZipException("corrupt gzip trailer (size mismatch)");
  }

  private int need() throws IOException {
    int b = readByte();
    if (b < 0) throw new EOFException("unexpected end of the gzip stream (the file is cut short)");
    return b;
  }

  private int readByte() throws IOException {
    if (pos >= lim && !fill()) return -1;
    return buf[pos++] & 0xff;
  }

  /** More raw bytes in buf[pos, lim); false at end of input. */
  private boolean fill() throws IOException {
    if (pos < lim) return true;
    bufStart += lim;
    pos = 0;
    lim = 0;
    int n = raw.read(buf, 0, buf.length);
    if (n <= 0) return false;
    lim = n;
    return true;
  }

  @Override
  public void close() throws IOException {
    inf.end();
    raw.close();
  }

  /** The file does not start as gzip at all. */
  static final class NotGzipException extends ZipException {
    private static final long serialVersionUID = 1L;

    NotGzipException(String message) {
      super(message);
    }
  }

  /** Bytes after the end of a compressed stream that are not a further member of the same codec. */
  static final class TrailingBytesException extends IOException {
    private static final long serialVersionUID = 1L;
    final long offset;

    TrailingBytesException(String codec, long offset) {
      super(
          "the "
              + codec
              + " stream ends at byte offset "
              + offset
              + " but the file goes on with bytes that are not "
              + "another "
              + codec
              + " member (trailing garbage)");
      this.offset = offset;
    }
  }
}
