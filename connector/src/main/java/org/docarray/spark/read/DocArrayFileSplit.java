package org.docarray.spark.read;

import java.io.Serializable;

/**
 * A piece of one file for one task: the whole file, or a range of documents found by {@link
 * FileSplits}.
 */
public final class DocArrayFileSplit implements Serializable {
  private static final long serialVersionUID = 1L;
  final DocArrayFile file;

  /** Byte range [start, end) at document boundaries; start = -1 for the whole file. */
  final long start;

  final long end;
  final long firstIndex;

  /** Documents in the range, or -1 when unknown (whole files). */
  final long count;

  public DocArrayFileSplit(DocArrayFile file, long start, long end, long firstIndex, long count) {
    this.file = file;
    this.start = start;
    this.end = end;
    this.firstIndex = firstIndex;
    this.count = count;
  }

  public static DocArrayFileSplit whole(DocArrayFile f) {
    return new DocArrayFileSplit(f, -1, f.length, 0, -1);
  }

  boolean isWhole() {
    return start < 0;
  }

  public long bytes() {
    return isWhole() ? file.length : end - start;
  }

  /** Adds the bytes of this split that each host holds (see {@link DocArrayFile#addHostBytes}). */
  void addHostBytes(java.util.Map<String, Long> bytesByHost) {
    file.addHostBytes(isWhole() ? 0 : start, end, bytesByHost);
  }
}
