package org.docarray.spark.read;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.connector.read.SupportsPushDownRequiredColumns;
import org.apache.spark.sql.types.StructType;
import org.docarray.spark.DocArrayOptions;

/** Takes the columns a query needs, so that the decoder skips everything else by length. */
public final class DocArrayScanBuilder implements ScanBuilder, SupportsPushDownRequiredColumns {
  private final DocArrayOptions options;
  private final DocArrayFileIndex index;
  private final StructType dataSchema;
  private final Configuration hadoopConf;
  private StructType required;

  DocArrayScanBuilder(DocArrayOptions options, DocArrayFileIndex index, StructType dataSchema, StructType tableSchema,
      Configuration hadoopConf) {
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

  @Override
  public Scan build() {
    return new DocArrayScan(options, index, dataSchema, required, hadoopConf);
  }
}
