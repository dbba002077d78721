package org.docarray.spark.read;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.docarray.spark.config.Container;
import org.docarray.spark.config.DocArrayReadConf;
import org.docarray.spark.format.Codec;
import org.docarray.spark.format.FileFormatDetector;
import org.docarray.spark.format.Protocol;
import org.docarray.spark.format.SplitIndex;
import org.docarray.spark.util.BoundedCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The document-aligned byte ranges of one file, so that one file is read by many tasks. Only {@code
 * protobuf} files (plain or compressed per document) and plain {@code protobuf-array} DocList files
 * can be cut; whole-file compressed files, DocVec and json-array files stay whole. A walk reads the
 * file's length prefixes once and is remembered per (path, length, modification time, split size)
 * in this JVM: on the driver when it plans a scan, on an executor when Spark's file source hands it
 * byte ranges (catalog tables).
 */
public final class FileSplits {
  private static final Logger LOG = LoggerFactory.getLogger(FileSplits.class);
  private static final int CACHE_ENTRIES = 4096;
  private static final BoundedCache<String, List<SplitIndex.Range>> WALKS =
      new BoundedCache<>(CACHE_ENTRIES);

  private FileSplits() {}

  /** Whether files of this format and container can be cut at document boundaries. */
  public static boolean splittable(FileFormatDetector.Detected d, DocArrayReadConf o) {
    if (o.container == Container.DOCVEC) return false;
    if (d.protocol == Protocol.PROTOBUF) return true;
    return d.protocol == Protocol.PROTOBUF_ARRAY && d.codec.onWholeFile() == Codec.NONE;
  }

  /**
   * Whether {@link #of} would walk the file now (it is big, cuttable, and its walk is not
   * remembered).
   */
  public static boolean needsWalk(DocArrayFile f, DocArrayReadConf o, long maxSplitBytes) {
    return f.boundaries == null
        && f.length > maxSplitBytes
        && o.splitFiles
        && splittable(o.detect(f.path), o)
        && !WALKS.contains(key(f, maxSplitBytes), o.metadataCache);
  }

  private static String key(DocArrayFile f, long maxSplitBytes) {
    return f.path + "|" + f.length + "|" + f.modificationTime + "|" + maxSplitBytes;
  }

  /**
   * The splits of one file: ranges of about maxSplitBytes, or the whole file (also when its walk
   * fails).
   */
  public static List<DocArrayFileSplit> of(
      DocArrayFile f, DocArrayReadConf o, Configuration conf, long maxSplitBytes) {
    FileFormatDetector.Detected d = o.detect(f.path);
    List<DocArrayFileSplit> out = new ArrayList<>();
    if (f.length <= maxSplitBytes || !splittable(d, o) || !o.splitFiles) {
      out.add(DocArrayFileSplit.whole(f));
      return out;
    }
    if (f.boundaries != null) return fromBoundaries(f, maxSplitBytes);
    String key = key(f, maxSplitBytes);
    List<SplitIndex.Range> ranges = WALKS.get(key, o.metadataCache);
    if (ranges == null) {
      long t0 = System.nanoTime();
      try {
        Path p = new Path(f.path);
        FileSystem fs = p.getFileSystem(conf);
        try (FSDataInputStream in = fs.open(p, 1 << 16)) {
          WALKED.incrementAndGet();
          ranges =
              SplitIndex.plan(new SeekingSkips(in), f.length, d.protocol, maxSplitBytes, o.limits);
        }
      } catch (IOException e) {
        LOG.warn("Cannot walk {} to split it ({}); reading it whole", f.path, e.toString());
        ranges = null;
      }
      if (ranges == null) ranges = Collections.emptyList();
      WALKS.put(key, ranges, o.metadataCache);
      LOG.info(
          "Split {} ({} bytes) into {} ranges in {} ms",
          f.path,
          f.length,
          ranges.size(),
          (System.nanoTime() - t0) / 1_000_000);
    }
    if (ranges.isEmpty()) {
      out.add(DocArrayFileSplit.whole(f));
    } else {
      for (SplitIndex.Range r : ranges)
        out.add(new DocArrayFileSplit(f, r.start, r.end, r.firstIndex, r.count));
    }
    return out;
  }

  /** Walks made in this JVM (files cut without a walk, from recorded boundaries, do not count). */
  private static final java.util.concurrent.atomic.AtomicLong WALKED =
      new java.util.concurrent.atomic.AtomicLong();

  public static long walks() {
    return WALKED.get();
  }

  /**
   * Ranges of about {@code maxSplitBytes} cut at recorded document boundaries: {@code ceil(bytes /
   * max)} near-equal shares, each cut at the first boundary at or after its share (as a walk would
   * cut).
   */
  private static List<DocArrayFileSplit> fromBoundaries(DocArrayFile f, long maxSplitBytes) {
    long[][] b = f.boundaries;
    long start = b[0][0];
    long end = b[b.length - 1][0];
    int n =
        (int)
            Math.max(1, Math.min(b.length - 1, (end - start + maxSplitBytes - 1) / maxSplitBytes));
    List<DocArrayFileSplit> out = new ArrayList<>();
    int from = 0;
    for (int k = 1; k <= n; k++) {
      int to = b.length - 1;
      if (k < n) {
        long target = start + (end - start) * k / n;
        to = from + 1;
        while (to < b.length - 1 && b[to][0] < target) to++;
      }
      if (to <= from) continue;
      out.add(new DocArrayFileSplit(f, b[from][0], b[to][0], b[from][1], b[to][1] - b[from][1]));
      from = to;
      if (from == b.length - 1) break;
    }
    return out;
  }

  /**
   * A walk's view of a file: a skip beyond the walk's 64 KB buffer becomes a seek, and the file
   * system decides how to serve it. S3A reads through a gap within {@code fs.s3a.readahead.range}
   * (default 64K) and otherwise serves the next length prefix with a new ranged request, so that
   * setting trades requests for bytes; HDFS and local files seek. Small skips read through.
   */
  static final class SeekingSkips extends java.io.FilterInputStream {
    /** Skips of at least this many bytes seek. */
    static final long SEEK_AT = 64 * 1024;

    private final FSDataInputStream in;

    SeekingSkips(FSDataInputStream in) {
      super(in);
      this.in = in;
    }

    @Override
    public long skip(long n) throws IOException {
      if (n < SEEK_AT) return super.skip(n);
      long pos = in.getPos();
      in.seek(pos + n);
      return in.getPos() - pos;
    }
  }
}
