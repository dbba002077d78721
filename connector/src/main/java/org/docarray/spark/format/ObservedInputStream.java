package org.docarray.spark.format;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A stream that reports the bytes it hands out and lets a subclass replace the failures it passes
 * on.
 */
abstract class ObservedInputStream extends FilterInputStream {
  ObservedInputStream(InputStream in) {
    super(in);
  }

  /** n more bytes were read or skipped. */
  abstract void counted(long n);

  /** What to throw for a failure of the stream underneath. */
  abstract IOException failed(IOException e);

  @Override
  public int read() throws IOException {
    try {
      int b = super.read();
      if (b >= 0) counted(1);
      return b;
    } catch (IOException e) {
      throw failed(e);
    }
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    try {
      int n = super.read(b, off, len);
      if (n > 0) counted(n);
      return n;
    } catch (IOException e) {
      throw failed(e);
    }
  }

  @Override
  public long skip(long n) throws IOException {
    try {
      long s = super.skip(n);
      if (s > 0) counted(s);
      return s;
    } catch (IOException e) {
      throw failed(e);
    }
  }
}
