package org.docarray.spark.read;

import org.apache.spark.sql.connector.metric.CustomMetric;
import org.apache.spark.sql.connector.metric.CustomSumMetric;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;

/**
 * The scan's metrics in the Spark UI (SQL tab): documents, bytes, decode time, files. Spark
 * rebuilds the metric classes by name on the driver, so each is a public class with a no-argument
 * constructor.
 */
public final class ScanMetrics {
  private ScanMetrics() {}

  static final String DOCUMENTS = "documents";
  static final String BYTES = "fileBytes";
  static final String DECODE_MS = "decodeTimeMs";
  static final String FILES = "files";
  static final String SKIPPED = "prunedBytes";
  static final String TENSOR_BYTES = "tensorBytes";
  public static final String PARTITION_FILES_PRUNED = "partitionFilesPruned";

  public static CustomMetric[] supported() {
    return new CustomMetric[] {
      new Documents(),
      new FileBytes(),
      new DecodeTime(),
      new Files(),
      new PrunedBytes(),
      new TensorBytes(),
      new PartitionFilesPruned()
    };
  }

  /** A summed metric with a fixed name and description. */
  abstract static class Sum extends CustomSumMetric {
    private final String name;
    private final String description;

    Sum(String name, String description) {
      this.name = name;
      this.description = description;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public String description() {
      return description;
    }
  }

  public static final class Documents extends Sum {
    public Documents() {
      super(DOCUMENTS, "documents read");
    }
  }

  public static final class FileBytes extends Sum {
    public FileBytes() {
      super(BYTES, "file bytes read (splits and whole files)");
    }
  }

  public static final class DecodeTime extends Sum {
    public DecodeTime() {
      super(DECODE_MS, "time reading and decoding documents (ms)");
    }
  }

  public static final class Files extends Sum {
    public Files() {
      super(FILES, "files or splits opened");
    }
  }

  public static final class PrunedBytes extends Sum {
    public PrunedBytes() {
      super(SKIPPED, "bytes of fields skipped without decoding (column pruning)");
    }
  }

  public static final class PartitionFilesPruned extends Sum {
    public PartitionFilesPruned() {
      super(PARTITION_FILES_PRUNED, "files skipped by filters on partition columns (never opened)");
    }
  }

  public static final class TensorBytes extends Sum {
    public TensorBytes() {
      super(TENSOR_BYTES, "tensor buffer bytes decoded");
    }
  }

  public static CustomTaskMetric value(String name, long value) {
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
