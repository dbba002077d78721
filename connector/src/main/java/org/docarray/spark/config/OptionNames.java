package org.docarray.spark.config;

import java.util.Arrays;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * The name of every option of the {@code docarray} source, in one place. Names follow Spark's own
 * file sources where Spark has one ({@code recursiveFileLookup}, {@code pathGlobFilter}, {@code
 * ignoreCorruptFiles}, {@code mode}, {@code compression}, {@code maxRecordsPerFile}); option names
 * are case-insensitive.
 */
public final class OptionNames {
  private OptionNames() {}

  // both sides
  public static final String PATH = "path";
  public static final String PATHS = "paths";
  public static final String PROTOCOL = "protocol";
  public static final String COMPRESSION = "compression";

  /** Spark's Avro and ORC sources accept {@code codec} for {@code compression}; so do we. */
  public static final String CODEC = "codec";

  public static final String CONTAINER = "container";

  // reads
  public static final String TENSOR_MODE = "tensorMode";
  public static final String EMBEDDINGS = "embeddings";
  public static final String FAIL_ON_UNDECLARED_FIELDS = "failOnUndeclaredFields";
  public static final String RECURSIVE_FILE_LOOKUP = "recursiveFileLookup";
  public static final String PATH_GLOB_FILTER = "pathGlobFilter";
  public static final String IGNORE_CORRUPT_FILES = "ignoreCorruptFiles";
  public static final String IGNORE_MISSING_FILES = "ignoreMissingFiles";
  public static final String DOCARRAY_SCHEMA = "docarraySchema";
  public static final String MODE = "mode";
  public static final String COLUMN_NAME_OF_CORRUPT_RECORD = "columnNameOfCorruptRecord";
  public static final String INFER_SCHEMA_MAX_FILES = "inferSchemaMaxFiles";
  public static final String INFER_SCHEMA_MAX_DOCUMENTS = "inferSchemaMaxDocuments";
  public static final String SPLIT_FILES = "splitFiles";
  public static final String MAX_PARTITION_BYTES = "maxPartitionBytes";
  public static final String COLUMNAR = "columnar";
  public static final String COLUMNAR_BATCH_SIZE = "columnarBatchSize";
  public static final String FILTER_PUSHDOWN = "filterPushdown";
  public static final String MAX_DOCUMENT_BYTES = "maxDocumentBytes";
  public static final String MAX_TENSOR_ELEMENTS = "maxTensorElements";
  public static final String MAX_NESTING_DEPTH = "maxNestingDepth";
  public static final String MAX_DECOMPRESSED_FILE_BYTES = "maxDecompressedFileBytes";

  // writes
  public static final String KEEP_FRAMEWORK_TAGS = "keepFrameworkTags";
  public static final String IGNORE_NULL_FIELDS = "ignoreNullFields";
  public static final String MANIFEST = "manifest";
  public static final String UNSUPPORTED_TYPES = "unsupportedTypes";
  public static final String ABSENT_FIELDS_COLUMN = "absentFieldsColumn";

  /**
   * Spark's own file-writer option (the commit protocol applies it); listed so that it is not
   * warned about.
   */
  public static final String MAX_RECORDS_PER_FILE = "maxRecordsPerFile";

  /** Every option a read takes. */
  public static final Set<String> READ =
      names(
          PATH,
          PATHS,
          PROTOCOL,
          COMPRESSION,
          CODEC,
          CONTAINER,
          TENSOR_MODE,
          EMBEDDINGS,
          FAIL_ON_UNDECLARED_FIELDS,
          RECURSIVE_FILE_LOOKUP,
          PATH_GLOB_FILTER,
          IGNORE_CORRUPT_FILES,
          IGNORE_MISSING_FILES,
          DOCARRAY_SCHEMA,
          MODE,
          COLUMN_NAME_OF_CORRUPT_RECORD,
          INFER_SCHEMA_MAX_FILES,
          INFER_SCHEMA_MAX_DOCUMENTS,
          SPLIT_FILES,
          MAX_PARTITION_BYTES,
          COLUMNAR,
          COLUMNAR_BATCH_SIZE,
          FILTER_PUSHDOWN,
          MAX_DOCUMENT_BYTES,
          MAX_TENSOR_ELEMENTS,
          MAX_NESTING_DEPTH,
          MAX_DECOMPRESSED_FILE_BYTES);

  /** Every option a write takes. */
  public static final Set<String> WRITE =
      names(
          PATH,
          PATHS,
          PROTOCOL,
          COMPRESSION,
          CODEC,
          CONTAINER,
          KEEP_FRAMEWORK_TAGS,
          IGNORE_NULL_FIELDS,
          MANIFEST,
          UNSUPPORTED_TYPES,
          ABSENT_FIELDS_COLUMN,
          MAX_RECORDS_PER_FILE);

  private static Set<String> names(String... n) {
    Set<String> s = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    s.addAll(Arrays.asList(n));
    return Collections.unmodifiableSet(s);
  }
}
