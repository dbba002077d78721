package org.docarray.spark.plan;

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
import org.docarray.spark.config.DocArrayReadConf;
import org.docarray.spark.config.ParseMode;
import org.docarray.spark.errors.SparkErrors;
import org.docarray.spark.read.FileMetadata;
import org.docarray.spark.schema.DeclaredSchema;
import org.docarray.spark.schema.SchemaRefiner;
import org.docarray.spark.write.DocArrayV1Write;

/**
 * A set of DocArray files as a Spark table: its schema is the user's (if given) or the inferred
 * one, followed by the partition columns found in the directory names. Files are listed lazily, on
 * the first look at the schema or the first scan, so that a write to a new path never lists it.
 * Writes go through Spark's file-source write path (the table does not claim BATCH_WRITE), which
 * brings every save mode, partitionBy and the commit protocol.
 */
public final class DocArrayTable
    implements SupportsRead,
        org.apache.spark.sql.connector.catalog.SupportsWrite,
        org.apache.spark.sql.connector.catalog.SupportsMetadataColumns {
  private final SparkSession spark;
  private final Map<String, String> properties;
  private final DocArrayReadConf options;
  private final StructType userSchema;
  private DocArrayFileIndex index;
  private Configuration hadoopConf;
  private StructType dataSchema;
  private StructType schema;

  /** The manifest the files were written with, when it describes them (null otherwise). */
  private WrittenManifest manifest;

  private DocArrayTable(SparkSession spark, Map<String, String> properties, StructType userSchema) {
    this.spark = spark;
    this.properties = new HashMap<>(properties);
    this.options = new DocArrayReadConf(properties, spark.sessionState().conf());
    this.userSchema = userSchema;
  }

  /** A table of the session over the options' paths; {@code userSchema} may be null (inferred). */
  public static DocArrayTable forOptions(
      SparkSession spark, Map<String, String> properties, StructType userSchema) {
    return new DocArrayTable(spark, properties, userSchema);
  }

  private synchronized void resolve() {
    if (schema != null) return;
    hadoopConf = hadoopConf(spark, properties);
    try {
      index =
          DocArrayFileIndex.build(spark, options, hadoopConf, options.inferPartitionColumnTypes);
    } catch (Exception e) {
      // a table being created (CTAS, INSERT into a new location) has its schema but no files yet
      if (userSchema == null || !SparkErrors.isPathNotFound(e)) throw SparkErrors.sneaky(e);
      index = DocArrayFileIndex.ofFiles(java.util.List.of(), java.util.List.of());
    }
    manifest = WrittenManifest.of(options, index, hadoopConf);
    if (manifest != null) index = manifest.annotate(index);
    StructType partitions = index.partitionSchema();
    if (userSchema != null) {
      StructType data = new StructType();
      for (StructField f : userSchema.fields()) {
        if (!hasField(partitions, f.name())) data = data.add(f);
      }
      dataSchema = data;
      schema = appendMissing(userSchema, partitions);
    } else if (options.docarraySchema != null) {
      // precedence: .schema(...) > docarraySchema (completed from the data) > inference
      StructType declared = DeclaredSchema.parse(schemaText(options.docarraySchema, hadoopConf));
      StructType inferred = null;
      if (!index.files().isEmpty()) {
        try {
          inferred = DocArraySchemaInference.infer(index, options, hadoopConf);
        } catch (IllegalArgumentException e) {
          inferred = null; // e.g. a dtype typed mode cannot hold: the declaration stands alone
        }
      }
      dataSchema = withCorruptRecordColumn(SchemaRefiner.refine(declared, inferred));
      schema = appendMissing(dataSchema, partitions);
    } else {
      dataSchema = withCorruptRecordColumn(inferredOrFromManifest());
      schema = appendMissing(dataSchema, partitions);
    }
  }

  /**
   * The schema a manifest written with the files records, else the one sampled from the documents.
   */
  private StructType inferredOrFromManifest() {
    return manifest != null
        ? manifest.schema
        : DocArraySchemaInference.infer(index, options, hadoopConf);
  }

  /**
   * PERMISSIVE with an inferred schema: the column that receives each malformed document's error is
   * added (as Spark's JSON and CSV sources do), so that the reason is in the data and not only in a
   * log.
   */
  private StructType withCorruptRecordColumn(StructType inferred) {
    if (options.mode != ParseMode.PERMISSIVE
        || hasField(inferred, options.columnNameOfCorruptRecord)) {
      return inferred;
    }
    return inferred.add(
        options.columnNameOfCorruptRecord, org.apache.spark.sql.types.DataTypes.StringType, true);
  }

  /** The option's text: inline JSON, or a file (any Hadoop path) holding it. */
  static String schemaText(String value, Configuration conf) {
    String v = value.trim();
    if (v.startsWith("{")) return v;
    try {
      org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(v);
      try (java.io.InputStream in = p.getFileSystem(conf).open(p)) {
        return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      }
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(
          "Cannot read docarraySchema from " + v + ": " + e.getMessage(), e);
    }
  }

  /**
   * The session's Hadoop configuration with the read options laid over it, as Spark's sources do.
   */
  public static Configuration hadoopConf(SparkSession spark, Map<String, String> properties) {
    Configuration conf = new Configuration(spark.sparkContext().hadoopConfiguration());
    for (Map.Entry<String, String> e : properties.entrySet()) {
      if (e.getValue() != null
          && !e.getKey().equalsIgnoreCase("path")
          && !e.getKey().equalsIgnoreCase("paths")) {
        conf.set(e.getKey(), e.getValue());
      }
    }
    return conf;
  }

  private static StructType appendMissing(StructType s, StructType partitions) {
    StructType out = s;
    for (StructField f : partitions.fields()) {
      if (!hasField(s, f.name())) out = out.add(f);
    }
    return out;
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
    resolve();
    return schema;
  }

  @Override
  public Map<String, String> properties() {
    return properties;
  }

  @Override
  public Set<TableCapability> capabilities() {
    // V1_BATCH_WRITE (not BATCH_WRITE): df.write keeps Spark's file-source path, and catalog tables
    // that Spark 4
    // resolves as V2 tables write through it as well (DocArrayV1Write)
    return EnumSet.of(
        TableCapability.BATCH_READ, TableCapability.V1_BATCH_WRITE, TableCapability.TRUNCATE);
  }

  @Override
  public org.apache.spark.sql.connector.write.WriteBuilder newWriteBuilder(
      org.apache.spark.sql.connector.write.LogicalWriteInfo info) {
    return new DocArrayV1Write(properties, info);
  }

  @Override
  public org.apache.spark.sql.connector.catalog.MetadataColumn[] metadataColumns() {
    return new org.apache.spark.sql.connector.catalog.MetadataColumn[] {new FileMetadata()};
  }

  @Override
  public ScanBuilder newScanBuilder(CaseInsensitiveStringMap scanOptions) {
    org.docarray.spark.config.OptionCheck.warnUnknown(
        properties, org.docarray.spark.config.OptionNames.READ, "read");
    resolve();
    return new DocArrayScanBuilder(spark, options, index, dataSchema, schema, hadoopConf);
  }
}
