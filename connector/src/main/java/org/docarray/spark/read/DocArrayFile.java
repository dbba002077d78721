package org.docarray.spark.read;

import java.io.Serializable;

/** One file of the read with its partition values (Spark internal values). */
public final class DocArrayFile implements Serializable {
  private static final long serialVersionUID = 1L;
  public final String path;
  public final long length;
  public final long modificationTime;
  public final Object[] partitionValues;

  public DocArrayFile(String path, long length, long modificationTime, Object[] partitionValues) {
    this.path = path;
    this.length = length;
    this.modificationTime = modificationTime;
    this.partitionValues = partitionValues;
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
