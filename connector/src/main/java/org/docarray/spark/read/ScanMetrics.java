package org.docarray.spark.read;

import org.apache.spark.sql.connector.metric.CustomMetric;
import org.apache.spark.sql.connector.metric.CustomSumMetric;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;

/** The scan's metrics in the Spark UI (SQL tab): documents, bytes, decode time. */
final class ScanMetrics {
  private ScanMetrics() {}

  static final String DOCUMENTS = "documents";
  static final String BYTES = "fileBytes";
  static final String DECODE_MS = "decodeTimeMs";
  static final String FILES = "files";

  static CustomMetric[] supported() {
    return new CustomMetric[] {
        sum(DOCUMENTS, "documents read"), sum(BYTES, "file bytes read (splits and whole files)"),
        sum(DECODE_MS, "time decoding documents (ms)"), sum(FILES, "files or splits opened")};
  }

  private static CustomMetric sum(String name, String description) {
    return new CustomSumMetric() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public String description() {
        return description;
      }
    };
  }

  static CustomTaskMetric value(String name, long value) {
    return new CustomTaskMetric() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public long value() {
        return value;
      }
    };
  }
}
