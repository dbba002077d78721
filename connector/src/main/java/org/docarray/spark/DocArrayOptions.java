package org.docarray.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.docarray.spark.format.Codec;
import org.docarray.spark.format.FileFormatDetector;
import org.docarray.spark.format.Limits;
import org.docarray.spark.format.Protocol;

/**
 * Every option of the {@code docarray} source, parsed once from the case-insensitive option map
 * into typed fields. Serializable: it travels to executors with the scan. Names follow Spark's own
 * file sources where Spark has one ({@code recursiveFileLookup}, {@code pathGlobFilter},
 * {@code ignoreCorruptFiles}, {@code mode}, {@code compression}...).
 */
public final class DocArrayOptions implements Serializable {
  private static final long serialVersionUID = 1L;

  /** What to do with a bad document (Spark's JSON/CSV names). */
  public enum ParseMode { FAILFAST, PERMISSIVE, DROPMALFORMED }

  public enum Container { AUTO, DOCLIST, DOCVEC }

  public enum TensorMode { TYPED, BINARY }

  public final List<String> paths;
  /** Protocol override; null means "from the file name" (docarray-format.md §6.1). */
  public final Protocol protocol;
  /** Compression override; null means "from the file name". */
  public final Codec compression;
  public final Container container;
  public final TensorMode tensorMode;
  /** Fixed-length 1-D tensors as struct<shape, data> (default), a flat array, or a Spark ML vector. */
  public final org.docarray.spark.schema.SparkSchemaMapper.Embeddings embeddings;
  /** With a user schema: fail on document keys the schema does not declare (otherwise they are skipped). */
  public final boolean failOnUndeclaredFields;
  public final boolean recursiveFileLookup;
  public final String pathGlobFilter;
  /** null: use the session's spark.sql.files.ignoreCorruptFiles. */
  public final Boolean ignoreCorruptFiles;
  /** null: use the session's spark.sql.files.ignoreMissingFiles. */
  public final Boolean ignoreMissingFiles;
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
  /** Per-read override of spark.sql.files.maxPartitionBytes, or -1. */
  public final long maxPartitionBytes;
  /**
   * Hand Spark columnar batches (Arrow vectors) where the read schema allows. Off by default: Spark's
   * row operators then convert back to rows, which measured slower than the row reader (benchmarks/).
   */
  public final boolean columnar;
  /** Documents per columnar batch. */
  public final int columnarBatchSize;
  /** Evaluate pushed filters on top-level scalar columns while decoding (abandon rejected documents early). */
  public final boolean filterPushdown;

  public DocArrayOptions(Map<String, String> options) {
    CaseInsensitive o = new CaseInsensitive(options);
    this.paths = Collections.unmodifiableList(parsePaths(o));
    String p = o.get("protocol");
    this.protocol = p == null || p.isEmpty() || p.equalsIgnoreCase("auto") ? null : Protocol.parse(p);
    String c = o.get("compression");
    if (c == null) c = o.get("codec");
    this.compression = c == null || c.isEmpty() || c.equalsIgnoreCase("auto") ? null : Codec.parse(c);
    this.container = enumValue(Container.class, "container", o.get("container"), Container.AUTO);
    this.tensorMode = enumValue(TensorMode.class, "tensorMode", o.get("tensorMode"), TensorMode.TYPED);
    this.embeddings = enumValue(org.docarray.spark.schema.SparkSchemaMapper.Embeddings.class, "embeddings",
        o.get("embeddings"), org.docarray.spark.schema.SparkSchemaMapper.Embeddings.STRUCT);
    this.failOnUndeclaredFields = bool(o, "failOnUndeclaredFields", false);
    this.recursiveFileLookup = bool(o, "recursiveFileLookup", false);
    this.pathGlobFilter = o.get("pathGlobFilter");
    this.ignoreCorruptFiles = o.get("ignoreCorruptFiles") == null ? null : bool(o, "ignoreCorruptFiles", false);
    this.ignoreMissingFiles = o.get("ignoreMissingFiles") == null ? null : bool(o, "ignoreMissingFiles", false);
    this.docarraySchema = o.get("docarraySchema");
    this.mode = enumValue(ParseMode.class, "mode", o.get("mode"), ParseMode.FAILFAST);
    String corrupt = o.get("columnNameOfCorruptRecord");
    this.columnNameOfCorruptRecord = corrupt == null || corrupt.isEmpty() ? "_corrupt_record" : corrupt;
    this.inferSchemaMaxFiles = (int) longValue(o, "inferSchemaMaxFiles", 1000, 1, Integer.MAX_VALUE);
    this.inferSchemaMaxDocuments = longValue(o, "inferSchemaMaxDocuments", 10_000, 1, Long.MAX_VALUE);
    this.splitFiles = bool(o, "splitFiles", true);
    this.maxPartitionBytes = bytesValue(o, "maxPartitionBytes", -1, 1, Long.MAX_VALUE);
    this.columnar = bool(o, "columnar", false);
    this.columnarBatchSize = (int) longValue(o, "columnarBatchSize", 4096, 1, 1 << 20);
    this.filterPushdown = bool(o, "filterPushdown", true);
    this.limits = new Limits(
        bytesValue(o, "maxDocumentBytes", Limits.DEFAULT_MAX_DOCUMENT_BYTES, 1, Integer.MAX_VALUE - 16),
        longValue(o, "maxTensorElements", Limits.DEFAULT_MAX_TENSOR_ELEMENTS, 1, Long.MAX_VALUE),
        (int) longValue(o, "maxNestingDepth", Limits.DEFAULT_MAX_NESTING_DEPTH, 1, 10_000),
        bytesValue(o, "maxDecompressedFileBytes", Limits.DEFAULT_MAX_DECOMPRESSED_FILE_BYTES, 1, Long.MAX_VALUE));
  }

  /** Protocol and codec for one file: options first, then the name, as DocArray does. */
  public FileFormatDetector.Detected detect(String fileName) {
    return FileFormatDetector.detect(fileName, protocol, compression);
  }

  public boolean binaryTensors() {
    return tensorMode == TensorMode.BINARY;
  }

  private static List<String> parsePaths(CaseInsensitive o) {
    List<String> out = new ArrayList<>();
    String path = o.get("path");
    if (path != null && !path.isEmpty()) out.add(path);
    String many = o.get("paths");
    if (many != null && !many.isEmpty()) {
      try {
        out.addAll(Arrays.asList(new ObjectMapper().readValue(many, String[].class)));
      } catch (Exception e) {
        for (String s : many.split(",")) if (!s.isBlank()) out.add(s.trim());
      }
    }
    return out;
  }

  private static boolean bool(CaseInsensitive o, String key, boolean dflt) {
    String v = o.get(key);
    if (v == null) return dflt;
    if (v.equalsIgnoreCase("true")) return true;
    if (v.equalsIgnoreCase("false")) return false;
    throw new IllegalArgumentException("Option '" + key + "' must be true or false, not '" + v + "'");
  }

  private static long longValue(CaseInsensitive o, String key, long dflt, long min, long max) {
    String v = o.get(key);
    if (v == null) return dflt;
    long x;
    try {
      x = Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Option '" + key + "' must be an integer, not '" + v + "'");
    }
    return inRange(key, x, min, max);
  }

  /** A size in bytes, written as Spark's own size configs are: 134217728, 128m, 128MB, 1g, 64k. */
  private static long bytesValue(CaseInsensitive o, String key, long dflt, long min, long max) {
    String v = o.get(key);
    if (v == null) return dflt;
    long x;
    try {
      x = parseBytes(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Option '" + key + "' must be a size in bytes (like 134217728, 128m or 1g), not '"
          + v + "'");
    }
    return inRange(key, x, min, max);
  }

  /** Spark's size syntax (JavaUtils.byteStringAsBytes): a number, optionally with b, k, m, g, t or p (and a b). */
  public static long parseBytes(String v) {
    return org.apache.spark.network.util.JavaUtils.byteStringAsBytes(v.trim());
  }

  private static long inRange(String key, long x, long min, long max) {
    if (x < min || x > max) {
      throw new IllegalArgumentException("Option '" + key + "' must be between " + min + " and " + max + ", not " + x);
    }
    return x;
  }

  private static <E extends Enum<E>> E enumValue(Class<E> type, String key, String v, E dflt) {
    if (v == null || v.isEmpty()) return dflt;
    try {
      return Enum.valueOf(type, v.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      StringBuilder sb = new StringBuilder();
      for (E c : type.getEnumConstants()) sb.append(sb.length() == 0 ? "" : ", ").append(c.name().toLowerCase(Locale.ROOT));
      throw new IllegalArgumentException("Option '" + key + "' must be one of " + sb + ", not '" + v + "'");
    }
  }

  /** Case-insensitive view of the option map. */
  private static final class CaseInsensitive {
    private final Map<String, String> lower = new java.util.HashMap<>();

    CaseInsensitive(Map<String, String> m) {
      for (Map.Entry<String, String> e : m.entrySet()) lower.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue());
    }

    String get(String key) {
      return lower.get(key.toLowerCase(Locale.ROOT));
    }
  }
}
