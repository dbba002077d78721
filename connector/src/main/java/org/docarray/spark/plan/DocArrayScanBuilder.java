package org.docarray.spark.plan;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.expressions.aggregate.AggregateFunc;
import org.apache.spark.sql.connector.expressions.aggregate.Aggregation;
import org.apache.spark.sql.connector.expressions.aggregate.CountStar;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.connector.read.SupportsPushDownAggregates;
import org.apache.spark.sql.connector.read.SupportsPushDownFilters;
import org.apache.spark.sql.connector.read.SupportsPushDownLimit;
import org.apache.spark.sql.connector.read.SupportsPushDownRequiredColumns;
import org.apache.spark.sql.sources.Filter;
import org.apache.spark.sql.types.StructType;
import org.docarray.spark.config.DocArrayReadConf;
import org.docarray.spark.config.ParseMode;
import org.docarray.spark.read.DocumentFilter;

/**
 * Takes what a query lets the source do itself: the columns it needs (the decoder skips everything
 * else by length), a LIMIT (each task stops reading after that many documents; Spark still applies
 * the limit across tasks), and a bare {@code count(*)} over {@code protobuf} files (answered from
 * the file headers on the driver).
 */
public final class DocArrayScanBuilder
    implements ScanBuilder,
        SupportsPushDownRequiredColumns,
        SupportsPushDownAggregates,
        SupportsPushDownLimit,
        SupportsPushDownFilters {
  private final SparkSession spark;
  private final DocArrayReadConf options;
  private DocArrayFileIndex index;

  /** Files dropped by filters on partition columns before planning. */
  private int prunedFiles;

  private final StructType dataSchema;
  private final Configuration hadoopConf;
  private StructType required;
  private boolean countStar;
  private long limit = -1;
  private Filter[] pushed = new Filter[0];

  DocArrayScanBuilder(
      SparkSession spark,
      DocArrayReadConf options,
      DocArrayFileIndex index,
      StructType dataSchema,
      StructType tableSchema,
      Configuration hadoopConf) {
    this.spark = spark;
    this.options = options;
    this.index = index;
    this.dataSchema = dataSchema;
    this.hadoopConf = hadoopConf;
    this.required = tableSchema;
  }

  @Override
  public void pruneColumns(StructType requiredSchema) {
    this.required = requiredSchema;
  }

  /**
   * Only a bare {@code count(*)} (no GROUP BY, no other aggregate) over files whose headers hold
   * the count.
   */
  private boolean headerCountable(Aggregation aggregation) {
    if (aggregation.groupByExpressions().length != 0) return false;
    AggregateFunc[] fs = aggregation.aggregateExpressions();
    if (fs.length != 1 || !(fs[0] instanceof CountStar)) return false;
    // DROPMALFORMED decides per document whether a row exists: only the documents can tell
    if (options.mode == ParseMode.DROPMALFORMED) return false;
    return DocArrayCountScan.headersCount(index, options);
  }

  @Override
  public boolean supportCompletePushDown(Aggregation aggregation) {
    return headerCountable(aggregation);
  }

  @Override
  public boolean pushAggregation(Aggregation aggregation) {
    countStar = headerCountable(aggregation);
    return countStar;
  }

  /**
   * Keeps the filters on top-level scalar columns to evaluate while decoding (a rejected document
   * is abandoned before its tensors are decoded) and returns every filter, so that Spark evaluates
   * them all again: pushing only ever saves work. Not in PERMISSIVE mode, where a malformed
   * document must still become its null row.
   */
  @Override
  public Filter[] pushFilters(Filter[] filters) {
    // filters on partition columns choose the files: a pruned file is never opened, not even for a
    // count
    DocArrayFileIndex pruned = index.prunedBy(java.util.Arrays.asList(filters));
    prunedFiles += index.files().size() - pruned.files().size();
    index = pruned;
    java.util.List<Filter> keep = new java.util.ArrayList<>();
    if (options.filterPushdown && options.mode != ParseMode.PERMISSIVE) {
      for (Filter f : filters) if (DocumentFilter.supports(f, dataSchema)) keep.add(f);
    }
    pushed = keep.toArray(new Filter[0]);
    return filters;
  }

  @Override
  public Filter[] pushedFilters() {
    return pushed;
  }

  @Override
  public boolean pushLimit(int n) {
    this.limit = n;
    return false; // each task stops early; Spark applies the limit across tasks
  }

  @Override
  public boolean isPartiallyPushed() {
    return true;
  }

  @Override
  public Scan build() {
    if (countStar) {
      return DocArrayCountScan.of(index, options, hadoopConf);
    }
    return new DocArrayScan(
        spark,
        options,
        index,
        dataSchema,
        required,
        hadoopConf,
        limit,
        java.util.Arrays.asList(pushed),
        prunedFiles);
  }
}
