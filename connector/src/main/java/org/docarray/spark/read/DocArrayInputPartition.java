package org.docarray.spark.read;

import org.apache.spark.sql.connector.read.InputPartition;

/** One task's work: ranges of big files, or several small files packed together. */
public final class DocArrayInputPartition implements InputPartition {
  private static final long serialVersionUID = 1L;
  final DocArrayFileSplit[] splits;

  public DocArrayInputPartition(DocArrayFileSplit[] splits) {
    this.splits = splits;
  }

  /**
   * The (up to three) hosts holding most of this partition's bytes, as Spark's FilePartition
   * chooses them.
   */
  @Override
  public String[] preferredLocations() {
    java.util.Map<String, Long> bytes = new java.util.HashMap<>();
    for (DocArrayFileSplit s : splits) s.addHostBytes(bytes);
    return bytes.entrySet().stream()
        .sorted(
            java.util.Map.Entry.<String, Long>comparingByValue()
                .reversed()
                .thenComparing(java.util.Map.Entry.comparingByKey()))
        .limit(3)
        .map(java.util.Map.Entry::getKey)
        .toArray(String[]::new);
  }
}
