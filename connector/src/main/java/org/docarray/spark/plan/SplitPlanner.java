package org.docarray.spark.plan;

import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.docarray.spark.config.DocArrayReadConf;
import org.docarray.spark.read.DocArrayFile;
import org.docarray.spark.read.DocArrayFileSplit;
import org.docarray.spark.read.FileSplits;

/**
 * The splits of a scan's files, in file order ({@link FileSplits} cuts each file). Files that need
 * a walk (big, cuttable, not remembered) are walked in parallel, up to 16 at a time: a walk reads
 * its file's length prefixes once, so a few big files on an object store would otherwise be read
 * one after another on the driver.
 */
final class SplitPlanner {
  private static final int WALKERS = 16;

  private SplitPlanner() {}

  static List<DocArrayFileSplit> splitAll(
      List<DocArrayFile> files, DocArrayReadConf o, Configuration conf, long maxSplitBytes) {
    List<DocArrayFile> toWalk = new ArrayList<>();
    for (DocArrayFile f : files) if (FileSplits.needsWalk(f, o, maxSplitBytes)) toWalk.add(f);
    // with the cache on, the parallel walks fill it and the loop below finds every file's walk
    // there
    List<List<DocArrayFileSplit>> walked =
        DriverParallel.map(
            toWalk,
            1,
            WALKERS,
            "docarray-split-walk",
            f -> FileSplits.of(f, o, conf, maxSplitBytes));
    java.util.Map<DocArrayFile, List<DocArrayFileSplit>> byFile = new java.util.HashMap<>();
    for (int i = 0; i < toWalk.size(); i++) byFile.put(toWalk.get(i), walked.get(i));
    List<DocArrayFileSplit> out = new ArrayList<>();
    for (DocArrayFile f : files) {
      List<DocArrayFileSplit> w = byFile.get(f);
      out.addAll(w != null ? w : FileSplits.of(f, o, conf, maxSplitBytes));
    }
    return out;
  }
}
