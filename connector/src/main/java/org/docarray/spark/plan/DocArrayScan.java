package org.docarray.spark.plan;

import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.read.Batch;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.docarray.spark.config.DocArrayReadConf;
import org.docarray.spark.read.DocArrayFile;
import org.docarray.spark.read.DocArrayFileSplit;
import org.docarray.spark.read.DocArrayInputPartition;
import org.docarray.spark.read.DocArrayReaderFactory;
import org.docarray.spark.read.DocumentRowReader;
import org.docarray.spark.read.FileMetadata;
import org.docarray.spark.read.ScanMetrics;
import org.docarray.spark.read.SerializableConfiguration;

/** Plans the read: files packed into partitions up to {@code spark.sql.files.maxPartitionBytes}. */
public final class DocArrayScan implements Scan, Batch {
  private final transient SparkSession spark;
  private final DocArrayReadConf options;
  private final DocArrayFileIndex index;
  private final StructType dataSchema;
  private final StructType readSchema;
  private final Configuration hadoopConf;

  /** A pushed LIMIT: each task reads at most this many documents (-1: no limit). */
  private final long limit;

  /** Filters evaluated while decoding (Spark evaluates them again after the scan). */
  private final java.util.List<org.apache.spark.sql.sources.Filter> filters;

  /**
   * Files dropped by filters on partition columns (the driver metric {@code partitionFilesPruned}).
   */
  private final int prunedFiles;

  DocArrayScan(
      SparkSession spark,
      DocArrayReadConf options,
      DocArrayFileIndex index,
      StructType dataSchema,
      StructType readSchema,
      Configuration hadoopConf,
      long limit,
      java.util.List<org.apache.spark.sql.sources.Filter> filters,
      int prunedFiles) {
    this.spark = spark;
    this.filters = java.util.List.copyOf(filters);
    this.prunedFiles = prunedFiles;
    this.options = options;
    this.index = index;
    this.dataSchema = dataSchema;
    this.readSchema = readSchema;
    this.hadoopConf = hadoopConf;
    this.limit = limit;
  }

  @Override
  public StructType readSchema() {
    return readSchema;
  }

  @Override
  public String description() {
    return "DocArrayScan "
        + options.paths
        + " files="
        + index.files().size()
        + " readSchema="
        + readSchema.simpleString()
        + (limit >= 0 ? " limit=" + limit + " per task" : "")
        + (filters.isEmpty() ? "" : " pushedFilters=" + filters)
        + (prunedFiles > 0 ? " partitionFilesPruned=" + prunedFiles : "");
  }

  @Override
  public org.apache.spark.sql.connector.metric.CustomTaskMetric[] reportDriverMetrics() {
    return new org.apache.spark.sql.connector.metric.CustomTaskMetric[] {
      ScanMetrics.value(ScanMetrics.PARTITION_FILES_PRUNED, prunedFiles)
    };
  }

  @Override
  public org.apache.spark.sql.connector.metric.CustomMetric[] supportedCustomMetrics() {
    return ScanMetrics.supported();
  }

  @Override
  public Batch toBatch() {
    return this;
  }

  /**
   * Files cut at document boundaries into pieces of at most maxSplitBytes, computed as Spark's file
   * sources do ({@code min(maxPartitionBytes, max(openCostInBytes, bytes / parallelism))}), then
   * packed into partitions in order. A count-only read never splits: it uses the header counts.
   */
  @Override
  public InputPartition[] planInputPartitions() {
    long maxBytes = options.maxPartitionBytes;
    long openCost = options.openCostInBytes;
    long total = 0;
    for (DocArrayFile f : index.files()) total += f.length + openCost;
    int parallelism = Math.max(1, spark.sparkContext().defaultParallelism());
    long maxSplitBytes = Math.min(maxBytes, Math.max(openCost, total / parallelism));
    boolean countOnly = dataRequiredIsEmpty();
    List<DocArrayFileSplit> splits = new ArrayList<>();
    if (countOnly) {
      for (DocArrayFile f : index.files()) splits.add(DocArrayFileSplit.whole(f));
    } else {
      splits.addAll(SplitPlanner.splitAll(index.files(), options, hadoopConf, maxSplitBytes));
    }
    List<InputPartition> out = new ArrayList<>();
    List<DocArrayFileSplit> current = new ArrayList<>();
    long size = 0;
    for (DocArrayFileSplit s : splits) {
      long cost = s.bytes() + openCost;
      if (!current.isEmpty() && size + cost > maxSplitBytes) {
        out.add(new DocArrayInputPartition(current.toArray(new DocArrayFileSplit[0])));
        current.clear();
        size = 0;
      }
      current.add(s);
      size += cost;
    }
    if (!current.isEmpty())
      out.add(new DocArrayInputPartition(current.toArray(new DocArrayFileSplit[0])));
    return out.toArray(new InputPartition[0]);
  }

  private boolean dataRequiredIsEmpty() {
    for (StructField f : readSchema.fields()) {
      if (FileMetadata.isIt(f.name())
          && f.dataType() instanceof StructType
          && java.util.Arrays.asList(((StructType) f.dataType()).fieldNames())
              .contains("absent_fields")) {
        return false; // the documents' keys are needed
      }
      if (indexOf(index.partitionSchema(), f.name()) < 0 && !FileMetadata.isIt(f.name()))
        return false;
    }
    return true;
  }

  @Override
  public PartitionReaderFactory createReaderFactory() {
    Broadcast<SerializableConfiguration> conf =
        JavaSparkContext.fromSparkContext(spark.sparkContext())
            .broadcast(new SerializableConfiguration(hadoopConf));
    StructType partitionSchema = index.partitionSchema();
    StructType dataRequired = new StructType();
    int[] dataIndex = new int[readSchema.size()];
    int[] partIndex = new int[readSchema.size()];
    StructField[] fields = readSchema.fields();
    for (int i = 0; i < fields.length; i++) {
      int p = indexOf(partitionSchema, fields[i].name());
      if (FileMetadata.isIt(fields[i].name())
          && p < 0
          && indexOf(dataSchema, fields[i].name()) < 0) {
        partIndex[i] = DocArrayReaderFactory.METADATA;
        dataIndex[i] = -1;
      } else if (p >= 0) {
        partIndex[i] = p;
        dataIndex[i] = -1;
      } else {
        partIndex[i] = -1;
        dataIndex[i] = dataRequired.size();
        dataRequired = dataRequired.add(fields[i]);
      }
    }
    String[] metadataFields = new String[0];
    for (int i = 0; i < fields.length; i++) {
      if (partIndex[i] == DocArrayReaderFactory.METADATA)
        metadataFields = ((StructType) fields[i].dataType()).fieldNames();
    }
    // absent keys are judged against every data column, whichever the query reads
    String[] presence =
        java.util.Arrays.asList(metadataFields).contains("absent_fields")
            ? dataSchema.fieldNames()
            : null;
    DocumentRowReader.Settings settings =
        new DocumentRowReader.Settings(options, dataRequired, dataSchema, filters, presence);
    return new DocArrayReaderFactory(
        conf, settings, dataIndex, partIndex, limit, readSchema, metadataFields);
  }

  /**
   * Two scans are equal when they read the same files the same way: Spark compares scans to reuse
   * an exchange or a cached plan. The options are compared by what they were given (paths and
   * settings), the files by the index.
   */
  @Override
  public boolean equals(Object o) {
    if (this == o) return true;
    if (!(o instanceof DocArrayScan)) return false;
    DocArrayScan s = (DocArrayScan) o;
    return limit == s.limit
        && prunedFiles == s.prunedFiles
        && options.equals(s.options)
        && index.equals(s.index)
        && dataSchema.equals(s.dataSchema)
        && readSchema.equals(s.readSchema)
        && filters.equals(s.filters);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(options, index, dataSchema, readSchema, filters, limit);
  }

  private static int indexOf(StructType s, String name) {
    String[] names = s.fieldNames();
    for (int i = 0; i < names.length; i++) if (names[i].equalsIgnoreCase(name)) return i;
    return -1;
  }
}
