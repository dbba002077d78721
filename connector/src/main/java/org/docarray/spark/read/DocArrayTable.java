package org.docarray.spark.read;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.catalog.SupportsRead;
import org.apache.spark.sql.connector.catalog.TableCapability;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import org.docarray.spark.DocArrayOptions;

/**
 * A set of DocArray files as a Spark table: its schema is the user's (if given) or the inferred one,
 * followed by the partition columns found in the directory names.
 */
public final class DocArrayTable implements SupportsRead {
  private final Map<String, String> properties;
  private final DocArrayOptions options;
  private final DocArrayFileIndex index;
  private final StructType schema;
  private final StructType dataSchema;
  private final Configuration hadoopConf;

  private DocArrayTable(Map<String, String> properties, DocArrayOptions options, DocArrayFileIndex index,
      StructType dataSchema, Configuration hadoopConf) {
    this.properties = properties;
    this.options = options;
    this.index = index;
    this.dataSchema = dataSchema;
    this.hadoopConf = hadoopConf;
    StructType s = dataSchema;
    for (StructField f : index.partitionSchema().fields()) {
      if (!hasField(dataSchema, f.name())) s = s.add(f);
    }
    this.schema = s;
  }

  /** Lists the files and, when no schema is given, infers it. */
  public static DocArrayTable forOptions(Map<String, String> properties, StructType userSchema) {
    DocArrayOptions options = new DocArrayOptions(properties);
    SparkSession spark = SparkSession.active();
    Configuration conf = new Configuration(spark.sparkContext().hadoopConfiguration());
    for (Map.Entry<String, String> e : properties.entrySet()) {
      if (e.getValue() != null && !e.getKey().equalsIgnoreCase("path") && !e.getKey().equalsIgnoreCase("paths")) {
        conf.set(e.getKey(), e.getValue());
      }
    }
    boolean inferPartitionTypes = Boolean.parseBoolean(
        spark.conf().get("spark.sql.sources.partitionColumnTypeInference.enabled", "true"));
    DocArrayFileIndex index = DocArrayFileIndex.build(options, conf, inferPartitionTypes);
    StructType data;
    if (userSchema != null) {
      data = new StructType();
      for (StructField f : userSchema.fields()) {
        if (!hasField(index.partitionSchema(), f.name())) data = data.add(f);
      }
      // keep the user's order including partition columns they listed
      DocArrayTable t = new DocArrayTable(new HashMap<>(properties), options, index, data, conf);
      return t.withSchema(userSchema);
    }
    data = DocArraySchemaInference.infer(index, options, conf, ignoreCorruptFiles(spark, options),
        ignoreMissingFiles(spark, options));
    return new DocArrayTable(new HashMap<>(properties), options, index, data, conf);
  }

  private StructType userOrder;

  private DocArrayTable withSchema(StructType user) {
    StructType s = user;
    for (StructField f : index.partitionSchema().fields()) {
      if (!hasField(user, f.name())) s = s.add(f);
    }
    this.userOrder = s;
    return this;
  }

  static boolean ignoreCorruptFiles(SparkSession spark, DocArrayOptions o) {
    return o.ignoreCorruptFiles != null ? o.ignoreCorruptFiles
        : Boolean.parseBoolean(spark.conf().get("spark.sql.files.ignoreCorruptFiles", "false"));
  }

  static boolean ignoreMissingFiles(SparkSession spark, DocArrayOptions o) {
    return o.ignoreMissingFiles != null ? o.ignoreMissingFiles
        : Boolean.parseBoolean(spark.conf().get("spark.sql.files.ignoreMissingFiles", "false"));
  }

  private static boolean hasField(StructType s, String name) {
    for (String n : s.fieldNames()) if (n.equalsIgnoreCase(name)) return true;
    return false;
  }

  @Override
  public String name() {
    return "docarray " + options.paths;
  }

  @Override
  public StructType schema() {
    return userOrder != null ? userOrder : schema;
  }

  @Override
  public Map<String, String> properties() {
    return properties;
  }

  @Override
  public Set<TableCapability> capabilities() {
    return EnumSet.of(TableCapability.BATCH_READ);
  }

  @Override
  public ScanBuilder newScanBuilder(CaseInsensitiveStringMap scanOptions) {
    return new DocArrayScanBuilder(options, index, dataSchema, schema(), hadoopConf);
  }
}
