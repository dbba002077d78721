package org.docarray.spark.format;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Document boundaries of a splittable file, found by walking the framing without decoding
 * (docarray-format.md §10, "Splitting"): length prefixes of a {@code protobuf} stream (uncompressed
 * or compressed per document), or tag and varint length of an uncompressed {@code protobuf-array}
 * DocList. The formats have no sync markers, so this walk is the only safe way to cut a file. A
 * file whose walk does not end exactly at its end (corrupt, truncated, trailing bytes) or that
 * holds a DocVec is not split: its single reader then reports the problem with full detail.
 */
public final class SplitIndex {
  /** A byte range [start, end) holding documents [firstIndex, firstIndex + count). */
  public static final class Range {
    public final long start;
    public final long end;
    public final long firstIndex;
    public final long count;

    Range(long start, long end, long firstIndex, long count) {
      this.start = start;
      this.end = end;
      this.firstIndex = firstIndex;
      this.count = count;
    }
  }

  private SplitIndex() {}

  /**
   * Walks the whole file and cuts it into ranges of about {@code targetBytes}; returns null when
   * the file should be read as one piece. The file is cut into {@code ceil(bytes / targetBytes)}
   * ranges of nearly equal size (each cut at the first document boundary at or after its share),
   * not into full ranges and a short tail: equal tasks finish together, so no core idles through a
   * last small wave.
   */
  public static List<Range> plan(
      InputStream raw, long fileLength, Protocol protocol, long targetBytes, Limits limits)
      throws IOException {
    InputStream in = new BufferedInputStream(raw, 1 << 16);
    try {
      return protocol == Protocol.PROTOBUF
          ? walkStream(in, fileLength, targetBytes, limits)
          : walkArray(in, fileLength, targetBytes, limits);
    } catch (EOFException e) {
      return null;
    }
  }

  private static List<Range> walkStream(InputStream in, long fileLength, long target, Limits limits)
      throws IOException {
    byte[] h = new byte[StreamFramingSource.HEADER_BYTES];
    if (readFully(in, h, h.length) < h.length || (h[0] & 0xff) != StreamFramingSource.VERSION)
      return null;
    long count = 0;
    for (int i = 1; i < 9; i++) count = (count << 8) | (h[i] & 0xff);
    if (count < 0 || count > (fileLength - 9) / 4) return null;
    List<Range> out = new ArrayList<>();
    long pos = 9, start = 9, first = 0;
    Cuts cuts = new Cuts(9, fileLength, target);
    byte[] lb = new byte[4];
    for (long i = 0; i < count; i++) {
      if (cuts.due(pos)) {
        out.add(new Range(start, pos, first, i - first));
        start = pos;
        first = i;
      }
      if (readFully(in, lb, 4) < 4) return null;
      long len =
          ((lb[0] & 0xffL) << 24)
              | ((lb[1] & 0xffL) << 16)
              | ((lb[2] & 0xffL) << 8)
              | (lb[3] & 0xffL);
      if (len > limits.maxDocumentBytes || pos + 4 + len > fileLength) return null;
      skipFully(in, len);
      pos += 4 + len;
    }
    if (pos != fileLength) return null; // trailing bytes: let the reader report them
    out.add(new Range(start, pos, first, count - first));
    return out;
  }

  private static List<Range> walkArray(InputStream in, long fileLength, long target, Limits limits)
      throws IOException {
    boolean docVec = ContainerSniffer.isDocVec(in);
    if (docVec) return null;
    List<Range> out = new ArrayList<>();
    long pos = 0, start = 0, first = 0, i = 0;
    Cuts cuts = new Cuts(0, fileLength, target);
    while (pos < fileLength) {
      if (cuts.due(pos)) {
        out.add(new Range(start, pos, first, i - first));
        start = pos;
        first = i;
      }
      int tag = in.read();
      if (tag != 0x0A) return null;
      long len = 0;
      int shift = 0, b, n = 1;
      do {
        b = in.read();
        if (b < 0 || shift > 35) return null;
        len |= (long) (b & 0x7f) << shift;
        shift += 7;
        n++;
      } while ((b & 0x80) != 0);
      if (len > limits.maxDocumentBytes || pos + n + len > fileLength) return null;
      skipFully(in, len);
      pos += n + len;
      i++;
    }
    out.add(new Range(start, pos, first, i - first));
    return out;
  }

  /** The ideal cut points of [from, to) into ceil(bytes / target) equal shares. */
  private static final class Cuts {
    private final long from;
    private final long bytes;
    private final long pieces;
    private long next = 1;

    Cuts(long from, long to, long target) {
      this.from = from;
      this.bytes = Math.max(0, to - from);
      this.pieces = Math.max(1, (bytes + target - 1) / Math.max(1, target));
    }

    /** True (once per cut) when a document boundary at pos is at or past the next share's end. */
    boolean due(long pos) {
      if (next >= pieces || pos - from < share(next)) return false;
      while (next < pieces && pos - from >= share(next))
        next++; // a huge document may span several shares
      return true;
    }

    private long share(long k) {
      return (long) ((double) bytes * k / pieces);
    }
  }

  private static int readFully(InputStream in, byte[] b, int len) throws IOException {
    int done = 0;
    while (done < len) {
      int n = in.read(b, done, len - done);
      if (n < 0) break;
      done += n;
    }
    return done;
  }

  private static void skipFully(InputStream in, long n) throws IOException {
    long left = n;
    while (left > 0) {
      long s = in.skip(left);
      if (s <= 0) {
        if (in.read() < 0) throw new EOFException();
        s = 1;
      }
      left -= s;
    }
  }
}
