package org.docarray.spark.read;

import java.io.Serializable;

/**
 * One file of the read with its partition values (Spark internal values) and, where the store has
 * them (HDFS), the hosts of its blocks, so that a task can run where its bytes are.
 */
public final class DocArrayFile implements Serializable {
  private static final long serialVersionUID = 2L;
  private static final String[] NO_HOSTS = new String[0];
  public final String path;
  public final long length;
  public final long modificationTime;
  public final Object[] partitionValues;

  /**
   * Block i is bytes [blockStarts[i], blockStarts[i] + blockLengths[i]) on blockHosts[i]; empty
   * when unknown.
   */
  private final long[] blockStarts;

  private final long[] blockLengths;
  private final String[][] blockHosts;

  /**
   * Document boundaries known without a walk, {offset, index of the document starting there}, from
   * the first document to {length, document count}; null when unknown (recorded by the writer in a
   * manifest).
   */
  public final long[][] boundaries;

  public DocArrayFile(String path, long length, long modificationTime, Object[] partitionValues) {
    this(
        path, length, modificationTime, partitionValues, new long[0], new long[0], new String[0][]);
  }

  public DocArrayFile(
      String path,
      long length,
      long modificationTime,
      Object[] partitionValues,
      long[] blockStarts,
      long[] blockLengths,
      String[][] blockHosts) {
    this(
        path,
        length,
        modificationTime,
        partitionValues,
        blockStarts,
        blockLengths,
        blockHosts,
        null);
  }

  private DocArrayFile(
      String path,
      long length,
      long modificationTime,
      Object[] partitionValues,
      long[] blockStarts,
      long[] blockLengths,
      String[][] blockHosts,
      long[][] boundaries) {
    this.boundaries = boundaries;
    this.path = path;
    this.length = length;
    this.modificationTime = modificationTime;
    this.partitionValues = partitionValues;
    this.blockStarts = blockStarts;
    this.blockLengths = blockLengths;
    this.blockHosts = blockHosts;
  }

  /**
   * This file with document boundaries known from where it was written (see {@link #boundaries}).
   */
  public DocArrayFile withBoundaries(long[][] boundaries) {
    return new DocArrayFile(
        path,
        length,
        modificationTime,
        partitionValues,
        blockStarts,
        blockLengths,
        blockHosts,
        boundaries);
  }

  /**
   * Adds to {@code bytesByHost} how many bytes of [start, end) each host holds ("localhost", which
   * object stores and the local file system report, is no place to schedule a task, as in Spark's
   * file sources).
   */
  public void addHostBytes(long start, long end, java.util.Map<String, Long> bytesByHost) {
    for (int i = 0; i < blockStarts.length; i++) {
      long overlap =
          Math.min(end, blockStarts[i] + blockLengths[i]) - Math.max(start, blockStarts[i]);
      if (overlap <= 0) continue;
      for (String h : blockHosts[i] == null ? NO_HOSTS : blockHosts[i]) {
        if (h != null && !h.isEmpty() && !h.equals("localhost"))
          bytesByHost.merge(h, overlap, Long::sum);
      }
    }
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof DocArrayFile)) return false;
    DocArrayFile f = (DocArrayFile) o;
    return path.equals(f.path)
        && length == f.length
        && modificationTime == f.modificationTime
        && java.util.Arrays.equals(partitionValues, f.partitionValues);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(path, length, modificationTime);
  }
}
