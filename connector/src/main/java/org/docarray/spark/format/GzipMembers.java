package org.docarray.spark.format;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * A gzip file as Python's {@code gzip.decompress} (DocArray's) reads it: member after member (their data
 * concatenated), then optional zero padding. Any other bytes after a member are an error at their offset,
 * where {@link java.util.zip.GZIPInputStream} would silently end the stream there and drop them.
 */
final class GzipMembers extends InputStream {
  private final Positioned in;
  private GzipCompressorInputStream member;

  GzipMembers(InputStream raw) throws IOException {
    this.in = new Positioned(new BufferedInputStream(raw, 64 * 1024));
    this.member = new GzipCompressorInputStream(in, false); // leaves `in` right after the member's trailer
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
    while (true) {
      if (member == null) return -1;
      int n = member.read(b, off, len);
      if (n >= 0) return n;
      long end = in.position;
      in.mark(2);
      int b0 = in.read();
      int b1 = b0 < 0 ? -1 : in.read();
      if (b0 < 0) {
        member = null;
        return -1;
      }
      if (b0 == 0x1f && b1 == 0x8b) {
        in.reset();
        member = new GzipCompressorInputStream(in, false);
        continue;
      }
      if (b0 == 0 && b1 <= 0) { // zero padding to the end, as Python's gzip accepts
        int x = b1 < 0 ? -1 : in.read();
        while (x == 0) x = in.read();
        if (x < 0) {
          member = null;
          return -1;
        }
      }
      throw new TrailingBytesException("gzip", end);
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  /** Bytes after the end of a compressed stream that are not a further member of the same codec. */
  static final class TrailingBytesException extends IOException {
    private static final long serialVersionUID = 1L;
    final long offset;

    TrailingBytesException(String codec, long offset) {
      super("the " + codec + " stream ends at byte offset " + offset + " but the file goes on with bytes that are not "
          + "another " + codec + " member (trailing garbage)");
      this.offset = offset;
    }
  }

  /** A markable stream that knows its position (reset included). */
  private static final class Positioned extends FilterInputStream {
    long position;
    private long marked;

    Positioned(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) position++;
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) position += n;
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long s = in.skip(n);
      if (s > 0) position += s;
      return s;
    }

    @Override
    public synchronized void mark(int limit) {
      in.mark(limit);
      marked = position;
    }

    @Override
    public synchronized void reset() throws IOException {
      in.reset();
      position = marked;
    }
  }
}
