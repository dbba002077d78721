package org.docarray.spark.integration;

import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FSInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * The local file system under the scheme {@code faulty://}, whose connections drop: the next {@link
 * #readFailures} reads of a file whose path contains {@link #target} fail after {@link #afterBytes}
 * bytes, and the next {@link #writeFailures} files created under it fail after that many bytes
 * written, as a dropped connection to a store does. Static state: the tests run Spark in local
 * mode, in this JVM.
 */
public final class FaultyFileSystem extends RawLocalFileSystem {
  static volatile String target = "\u0000";
  static volatile long afterBytes = Long.MAX_VALUE;
  static final AtomicInteger readFailures = new AtomicInteger();
  static final AtomicInteger writeFailures = new AtomicInteger();
  static final AtomicInteger injected = new AtomicInteger();

  static void reset() {
    target = "\u0000";
    afterBytes = Long.MAX_VALUE;
    readFailures.set(0);
    writeFailures.set(0);
    injected.set(0);
  }

  @Override
  public URI getUri() {
    return URI.create("faulty:///");
  }

  @Override
  public String getScheme() {
    return "faulty";
  }

  @Override
  public FSDataInputStream open(Path f, int bufferSize) throws IOException {
    FSDataInputStream in = super.open(f, bufferSize);
    boolean fail = f.toString().contains(target) && readFailures.getAndDecrement() > 0;
    return fail ? new FSDataInputStream(new Dropping(in, afterBytes)) : in;
  }

  @Override
  public FSDataOutputStream create(
      Path f,
      FsPermission permission,
      boolean overwrite,
      int bufferSize,
      short replication,
      long blockSize,
      Progressable progress)
      throws IOException {
    return dropping(
        f, super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress));
  }

  @Override
  public FSDataOutputStream create(
      Path f,
      boolean overwrite,
      int bufferSize,
      short replication,
      long blockSize,
      Progressable progress)
      throws IOException {
    return dropping(f, super.create(f, overwrite, bufferSize, replication, blockSize, progress));
  }

  @Override
  public FileStatus getFileStatus(Path f) throws IOException {
    return plain(super.getFileStatus(f));
  }

  @Override
  public FileStatus[] listStatus(Path f) throws IOException {
    FileStatus[] s = super.listStatus(f);
    for (int i = 0; i < s.length; i++) s[i] = plain(s[i]);
    return s;
  }

  /**
   * The status without the local file system's lazy permission lookup (which insists on file:
   * URIs), as a store's status is.
   */
  private static FileStatus plain(FileStatus s) {
    return new FileStatus(
        s.getLen(), s.isDirectory(), 1, s.getBlockSize(), s.getModificationTime(), s.getPath());
  }

  private static FSDataOutputStream dropping(Path f, FSDataOutputStream out) {
    if (!f.toString().contains(target) || writeFailures.getAndDecrement() <= 0) return out;
    long limit = afterBytes;
    return new FSDataOutputStream(
        new OutputStream() {
          long written;

          @Override
          public void write(int b) throws IOException {
            check(1);
            out.write(b);
          }

          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            check(len);
            out.write(b, off, len);
          }

          private void check(int n) throws IOException {
            if (written + n > limit) {
              injected.incrementAndGet();
              throw new IOException("injected: connection reset while writing " + f);
            }
            written += n;
          }

          @Override
          public void close() throws IOException {
            out.close();
          }
        },
        null);
  }

  /** A stream whose connection drops after {@code limit} bytes. */
  private static final class Dropping extends FSInputStream {
    private final FSDataInputStream in;
    private final long limit;

    Dropping(FSDataInputStream in, long limit) {
      this.in = in;
      this.limit = limit;
    }

    private void check() throws IOException {
      if (in.getPos() >= limit) {
        injected.incrementAndGet();
        throw new IOException("injected: connection reset at byte " + in.getPos());
      }
    }

    @Override
    public int read() throws IOException {
      check();
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      check();
      return in.read(b, off, (int) Math.max(1, Math.min(len, limit - in.getPos())));
    }

    @Override
    public void seek(long pos) throws IOException {
      if (pos < 0) throw new EOFException("negative seek");
      in.seek(pos);
    }

    @Override
    public long getPos() throws IOException {
      return in.getPos();
    }

    @Override
    public boolean seekToNewSource(long targetPos) {
      return false;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
