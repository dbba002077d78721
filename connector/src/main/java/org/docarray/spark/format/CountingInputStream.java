package org.docarray.spark.format;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Counts the bytes taken from a stream, caps the total, and reads exact byte counts. */
final class CountingInputStream extends FilterInputStream {
  private long position;
  private final long max;

  CountingInputStream(InputStream in, long startPosition, long max) {
    super(in);
    this.position = startPosition;
    this.max = max;
  }

  long position() {
    return position;
  }

  private void count(long n) throws IOException {
    position += n;
    if (position > max) {
      throw new LimitExceededException(position, max);
    }
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    if (b >= 0) count(1);
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = super.read(b, off, len);
    if (n > 0) count(n);
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    long s = super.skip(n);
    if (s > 0) count(s);
    return s;
  }

  private long marked;

  @Override
  public synchronized void mark(int readlimit) {
    super.mark(readlimit);
    marked = position;
  }

  @Override
  public synchronized void reset() throws IOException {
    super.reset();
    position = marked;
  }

  /** Reads exactly len bytes, or returns the number read before end of input. */
  int readFully(byte[] b, int off, int len) throws IOException {
    int done = 0;
    while (done < len) {
      int n = read(b, off + done, len - done);
      if (n < 0) break;
      done += n;
    }
    return done;
  }

  /** Skips exactly n bytes or throws EOFException. */
  void skipFully(long n) throws IOException {
    long left = n;
    byte[] scratch = null;
    while (left > 0) {
      long s = skip(left);
      if (s > 0) {
        left -= s;
        continue;
      }
      if (scratch == null) scratch = new byte[8192];
      int r = read(scratch, 0, (int) Math.min(scratch.length, left));
      if (r < 0) throw new EOFException();
      left -= r;
    }
  }

  /** Thrown when more than the allowed number of bytes come out of a (decompressed) stream. */
  static final class LimitExceededException extends IOException {
    private static final long serialVersionUID = 1L;
    final long limit;

    LimitExceededException(long position, long limit) {
      super("more than " + limit + " bytes");
      this.limit = limit;
    }
  }
}
