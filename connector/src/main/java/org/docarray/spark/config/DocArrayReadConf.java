package org.docarray.spark.config;

import static org.docarray.spark.config.OptionNames.*;

import java.io.Serializable;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.internal.SQLConf;
import org.docarray.spark.errors.SparkErrors;
import org.docarray.spark.format.Codec;
import org.docarray.spark.format.FileFormatDetector;
import org.docarray.spark.format.Limits;
import org.docarray.spark.format.Protocol;
import org.docarray.spark.schema.SparkSchemaMapper;

/**
 * Everything a read is configured with, resolved once on the driver and shipped to the executors
 * with the scan. Each setting Spark also has as a session setting is resolved here and nowhere
 * else, with the precedence of Spark's file sources (and Iceberg's {@code SparkReadConf}):
 *
 * <ol>
 *   <li>the read option ({@code .option("ignoreCorruptFiles", "true")}),
 *   <li>the session's configuration ({@code spark.sql.files.ignoreCorruptFiles}),
 *   <li>Spark's default for that configuration.
 * </ol>
 *
 * <p>The session's configuration is passed in; nothing here looks up an active session.
 */
public final class DocArrayReadConf implements Serializable {
  private static final long serialVersionUID = 2L;

  /**
   * The options as given (names lower-cased): with the session-resolved settings, what two reads
   * compare.
   */
  private final java.util.TreeMap<String, String> given = new java.util.TreeMap<>();

  public final List<String> paths;

  /** Protocol override; null means "from the file name" (docs/docarray-format.md §6.1). */
  public final Protocol protocol;

  /** Compression override; null means "from the file name". */
  public final Codec compression;

  public final Container container;
  public final TensorMode tensorMode;

  /**
   * Fixed-length 1-D tensors as struct<shape, data> (default), a flat array, or a Spark ML vector.
   */
  public final SparkSchemaMapper.Embeddings embeddings;

  /**
   * With a user schema: fail on document keys the schema does not declare (otherwise they are
   * skipped).
   */
  public final boolean failOnUndeclaredFields;

  public final boolean recursiveFileLookup;
  public final String pathGlobFilter;
  public final ParseMode mode;

  /** A DocArray class spec or pydantic JSON schema, inline or as a path; null when not given. */
  public final String docarraySchema;

  /** PERMISSIVE: the string column that receives the error of a malformed document. */
  public final String columnNameOfCorruptRecord;

  public final int inferSchemaMaxFiles;
  public final long inferSchemaMaxDocuments;
  public final Limits limits;

  /** Cut big splittable files into document-aligned ranges (one file, many tasks). */
  public final boolean splitFiles;

  /**
   * Hand Spark columnar batches (Arrow vectors) where the read schema allows. Off by default:
   * Spark's row operators then convert back to rows, which measured slower than the row reader
   * (benchmarks/).
   */
  public final boolean columnar;

  /** Documents per columnar batch. */
  public final int columnarBatchSize;

  /**
   * Evaluate pushed filters on top-level scalar columns while decoding (abandon rejected documents
   * early).
   */
  public final boolean filterPushdown;

  // ---- resolved against the session: option, then spark.sql.* setting, then Spark's default

  /** {@code ignoreCorruptFiles}, else {@code spark.sql.files.ignoreCorruptFiles}. */
  public final boolean ignoreCorruptFiles;

  /** {@code ignoreMissingFiles}, else {@code spark.sql.files.ignoreMissingFiles}. */
  public final boolean ignoreMissingFiles;

  /** {@code maxPartitionBytes}, else {@code spark.sql.files.maxPartitionBytes}. */
  public final long maxPartitionBytes;

  /** {@code spark.sql.files.openCostInBytes}. */
  public final long openCostInBytes;

  /** {@code spark.sql.sources.partitionColumnTypeInference.enabled}. */
  public final boolean inferPartitionColumnTypes;

  /**
   * {@code spark.docarray.metadataCache.enabled} (default true): remember per file (path, length,
   * modification time) its split points, header count and inferred schema, in bounded JVM-wide
   * caches.
   */
  public final boolean metadataCache;

  /** The session setting that switches the metadata caches off. */
  public static final String METADATA_CACHE_CONF = "spark.docarray.metadataCache.enabled";

  /** The options of one read, resolved against the session's configuration. */
  public DocArrayReadConf(Map<String, String> options, SQLConf session) {
    OptionParser o = new OptionParser(options);
    for (Map.Entry<String, String> e : options.entrySet()) {
      given.put(e.getKey().toLowerCase(java.util.Locale.ROOT), e.getValue());
    }
    this.paths = Collections.unmodifiableList(o.paths());
    String p = o.nonEmpty(PROTOCOL);
    this.protocol = p == null || p.equalsIgnoreCase("auto") ? null : Protocol.parse(p);
    String c = o.firstOf(COMPRESSION, CODEC);
    this.compression =
        c == null || c.isEmpty() || c.equalsIgnoreCase("auto") ? null : Codec.parse(c);
    this.container = o.enumValue(CONTAINER, Container.class, Container.AUTO);
    this.tensorMode = o.enumValue(TENSOR_MODE, TensorMode.class, TensorMode.TYPED);
    this.embeddings =
        o.enumValue(
            EMBEDDINGS, SparkSchemaMapper.Embeddings.class, SparkSchemaMapper.Embeddings.STRUCT);
    this.failOnUndeclaredFields = o.bool(FAIL_ON_UNDECLARED_FIELDS, false);
    this.recursiveFileLookup = o.bool(RECURSIVE_FILE_LOOKUP, false);
    this.pathGlobFilter = o.string(PATH_GLOB_FILTER);
    this.docarraySchema = o.string(DOCARRAY_SCHEMA);
    this.mode = o.enumValue(MODE, ParseMode.class, ParseMode.FAILFAST);
    String corrupt = o.nonEmpty(COLUMN_NAME_OF_CORRUPT_RECORD);
    this.columnNameOfCorruptRecord =
        corrupt == null ? session.columnNameOfCorruptRecord() : corrupt;
    this.inferSchemaMaxFiles = o.intValue(INFER_SCHEMA_MAX_FILES, 1000, 1, Integer.MAX_VALUE);
    this.inferSchemaMaxDocuments =
        o.longValue(INFER_SCHEMA_MAX_DOCUMENTS, 10_000, 1, Long.MAX_VALUE);
    this.splitFiles = o.bool(SPLIT_FILES, true);
    this.columnar = o.bool(COLUMNAR, false);
    this.columnarBatchSize = o.intValue(COLUMNAR_BATCH_SIZE, 4096, 1, 1 << 20);
    this.filterPushdown = o.bool(FILTER_PUSHDOWN, true);
    this.limits =
        new Limits(
            o.bytes(
                MAX_DOCUMENT_BYTES, Limits.DEFAULT_MAX_DOCUMENT_BYTES, 1, Integer.MAX_VALUE - 16),
            o.longValue(MAX_TENSOR_ELEMENTS, Limits.DEFAULT_MAX_TENSOR_ELEMENTS, 1, Long.MAX_VALUE),
            o.intValue(MAX_NESTING_DEPTH, Limits.DEFAULT_MAX_NESTING_DEPTH, 1, 10_000),
            o.bytes(
                MAX_DECOMPRESSED_FILE_BYTES,
                Limits.DEFAULT_MAX_DECOMPRESSED_FILE_BYTES,
                1,
                Long.MAX_VALUE));
    this.ignoreCorruptFiles = o.bool(IGNORE_CORRUPT_FILES, session.ignoreCorruptFiles());
    this.ignoreMissingFiles = o.bool(IGNORE_MISSING_FILES, session.ignoreMissingFiles());
    this.maxPartitionBytes =
        o.bytes(MAX_PARTITION_BYTES, session.filesMaxPartitionBytes(), 1, Long.MAX_VALUE);
    this.openCostInBytes = session.filesOpenCostInBytes();
    this.inferPartitionColumnTypes = session.partitionColumnTypeInferenceEnabled();
    String cache = session.getConfString(METADATA_CACHE_CONF, "true").trim();
    if (!cache.equalsIgnoreCase("true") && !cache.equalsIgnoreCase("false")) {
      throw SparkErrors.invalidOption(
          METADATA_CACHE_CONF + " must be true or false, not '" + cache + "'");
    }
    this.metadataCache = cache.equalsIgnoreCase("true");
  }

  /**
   * The options over Spark's defaults for every session setting (tools and tests without a
   * session).
   */
  public static DocArrayReadConf withSparkDefaults(Map<String, String> options) {
    return new DocArrayReadConf(options, new SQLConf());
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof DocArrayReadConf)) return false;
    DocArrayReadConf c = (DocArrayReadConf) o;
    return given.equals(c.given)
        && ignoreCorruptFiles == c.ignoreCorruptFiles
        && ignoreMissingFiles == c.ignoreMissingFiles
        && maxPartitionBytes == c.maxPartitionBytes
        && openCostInBytes == c.openCostInBytes
        && inferPartitionColumnTypes == c.inferPartitionColumnTypes
        && columnNameOfCorruptRecord.equals(c.columnNameOfCorruptRecord)
        && metadataCache == c.metadataCache;
  }

  @Override
  public int hashCode() {
    return given.hashCode();
  }

  /** Protocol and codec for one file: options first, then the name, as DocArray does. */
  public FileFormatDetector.Detected detect(String fileName) {
    return FileFormatDetector.detect(fileName, protocol, compression);
  }

  public boolean binaryTensors() {
    return tensorMode == TensorMode.BINARY;
  }
}
