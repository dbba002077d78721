package org.docarray.spark.read;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.docarray.spark.DocArrayOptions;
import org.docarray.spark.format.Codec;
import org.docarray.spark.format.FileFormatDetector;
import org.docarray.spark.format.Protocol;
import org.docarray.spark.format.SplitIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cuts big files into document-aligned byte ranges so that one file is read by many tasks. Only
 * {@code protobuf} files (plain or compressed per document) and plain {@code protobuf-array}
 * DocList files can be cut; whole-file compressed files, DocVec and json-array files stay whole.
 * The walk is cached per (path, length, modification time) on the driver.
 */
final class SplitPlanner {
  private static final Logger LOG = LoggerFactory.getLogger(SplitPlanner.class);
  private static final int CACHE_ENTRIES = 4096;
  private static final int WALKERS = 16;
  private static final Map<String, List<SplitIndex.Range>> CACHE =
      Collections.synchronizedMap(new LinkedHashMap<String, List<SplitIndex.Range>>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, List<SplitIndex.Range>> e) {
          return size() > CACHE_ENTRIES;
        }
      });

  private SplitPlanner() {}

  static boolean splittable(FileFormatDetector.Detected d, DocArrayOptions o) {
    if (o.container == DocArrayOptions.Container.DOCVEC) return false;
    if (d.protocol == Protocol.PROTOBUF) return true;
    return d.protocol == Protocol.PROTOBUF_ARRAY && d.codec.onWholeFile() == Codec.NONE;
  }

  /**
   * The splits of many files, in file order. Files that need a walk (big, splittable, not remembered)
   * are walked in parallel, up to 16 at a time: a walk reads its whole file once, so a few big files
   * on an object store would otherwise be read one after another on the driver.
   */
  static List<DocArrayFileSplit> splitAll(List<DocArrayFileIndex.FileEntry> files, DocArrayOptions o,
      Configuration conf, long maxSplitBytes) {
    List<DocArrayFileIndex.FileEntry> toWalk = new ArrayList<>();
    for (DocArrayFileIndex.FileEntry f : files) {
      if (needsWalk(f, o, maxSplitBytes)) toWalk.add(f);
    }
    // fills the cache; a walk that fails is logged and its file read whole
    DriverParallel.map(toWalk, 1, WALKERS, "docarray-split-walk", f -> split(f, o, conf, maxSplitBytes));
    List<DocArrayFileSplit> out = new ArrayList<>();
    for (DocArrayFileIndex.FileEntry f : files) out.addAll(split(f, o, conf, maxSplitBytes));
    return out;
  }

  private static boolean needsWalk(DocArrayFileIndex.FileEntry f, DocArrayOptions o, long maxSplitBytes) {
    return f.length > maxSplitBytes && o.splitFiles && splittable(o.detect(f.path), o)
        && !CACHE.containsKey(key(f, maxSplitBytes));
  }

  private static String key(DocArrayFileIndex.FileEntry f, long maxSplitBytes) {
    return f.path + "|" + f.length + "|" + f.modificationTime + "|" + maxSplitBytes;
  }

  /** The splits of one file: ranges of about maxSplitBytes, or the whole file. */
  static List<DocArrayFileSplit> split(DocArrayFileIndex.FileEntry f, DocArrayOptions o, Configuration conf,
      long maxSplitBytes) {
    FileFormatDetector.Detected d = o.detect(f.path);
    List<DocArrayFileSplit> out = new ArrayList<>();
    if (f.length <= maxSplitBytes || !splittable(d, o) || !o.splitFiles) {
      out.add(DocArrayFileSplit.whole(f));
      return out;
    }
    String key = key(f, maxSplitBytes);
    List<SplitIndex.Range> ranges = CACHE.get(key);
    if (ranges == null) {
      long t0 = System.nanoTime();
      try {
        Path p = new Path(f.path);
        FileSystem fs = p.getFileSystem(conf);
        try (InputStream in = fs.open(p, 1 << 16)) {
          ranges = SplitIndex.plan(in, f.length, d.protocol, maxSplitBytes, o.limits);
        }
      } catch (IOException e) {
        LOG.warn("Cannot walk {} to split it ({}); reading it whole", f.path, e.toString());
        ranges = null;
      }
      if (ranges == null) ranges = Collections.emptyList();
      CACHE.put(key, ranges);
      LOG.info("Split {} ({} bytes) into {} ranges in {} ms", f.path, f.length, ranges.size(),
          (System.nanoTime() - t0) / 1_000_000);
    }
    if (ranges.isEmpty()) {
      out.add(DocArrayFileSplit.whole(f));
    } else {
      for (SplitIndex.Range r : ranges) out.add(new DocArrayFileSplit(f, r.start, r.end, r.firstIndex, r.count));
    }
    return out;
  }
}
