package org.docarray.spark.plan;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.connector.read.LocalScan;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.docarray.spark.config.DocArrayReadConf;
import org.docarray.spark.format.DocumentSource;
import org.docarray.spark.format.FileFormatDetector;
import org.docarray.spark.format.Protocol;
import org.docarray.spark.format.StreamFramingSource;
import org.docarray.spark.read.DocArrayFile;

/**
 * {@code SELECT count(*)} answered on the driver from the 9-byte headers of {@code protobuf} files
 * (which declare their document count, and which DocArray itself trusts): no task, no document
 * read. Used only when every file is a {@code protobuf} stream; other files are counted by a scan.
 */
final class DocArrayCountScan implements LocalScan {
  private static final int THREADS = 16;
  private static final int CACHE_ENTRIES = 65536;

  /**
   * Header counts by (path, length, modification time): a file rewritten in place gets a new entry.
   */
  static final org.docarray.spark.util.BoundedCache<String, Long> COUNTS =
      new org.docarray.spark.util.BoundedCache<>(CACHE_ENTRIES);

  private final long count;
  private final String description;

  private DocArrayCountScan(long count, String description) {
    this.count = count;
    this.description = description;
  }

  /** Whether the count of every file is in its header (all files are {@code protobuf} streams). */
  static boolean headersCount(DocArrayFileIndex index, DocArrayReadConf options) {
    for (DocArrayFile f : index.files()) {
      FileFormatDetector.Detected d = options.detect(f.path);
      if (d.protocol != Protocol.PROTOBUF) return false;
    }
    return true;
  }

  static DocArrayCountScan of(
      DocArrayFileIndex index, DocArrayReadConf options, Configuration conf) {
    List<DocArrayFile> all = index.files();
    long total = 0;
    List<DocArrayFile> files = new ArrayList<>();
    for (DocArrayFile f : all) {
      Long known = COUNTS.get(key(f), options.metadataCache);
      if (known != null) total += known;
      else files.add(f);
    }
    for (long n :
        DriverParallel.map(
            files, 4, THREADS, "docarray-header-count", f -> header(f, options, conf))) {
      total += n;
    }
    return new DocArrayCountScan(
        total,
        "DocArrayCountScan "
            + options.paths
            + " files="
            + all.size()
            + " (count(*) from the protobuf headers)");
  }

  private static long header(DocArrayFile f, DocArrayReadConf options, Configuration conf) {
    try {
      return headerOrThrow(f, options, conf);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e.getMessage(), e);
    }
  }

  private static String key(DocArrayFile f) {
    return f.path + "|" + f.length + "|" + f.modificationTime;
  }

  private static long headerOrThrow(DocArrayFile f, DocArrayReadConf options, Configuration conf)
      throws IOException {
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(f.path);
    // a small buffer: only the 9 header bytes are read, also from object stores
    try (DocumentSource src =
        new StreamFramingSource(
            p.getFileSystem(conf).open(p, 64),
            f.path,
            f.length,
            options.detect(f.path).codec,
            options.limits)) {
      long n = src.declaredCount();
      COUNTS.put(
          key(f),
          n,
          options
              .metadataCache); // only counts read from a header: an ignored bad file is asked again
      // next time
      return n;
    } catch (java.io.FileNotFoundException e) {
      if (options.ignoreMissingFiles) return 0;
      throw new org.docarray.spark.format.DocArrayFormatException(
          f.path, -1, 0, "file not found: " + e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      if (options.ignoreCorruptFiles) return 0;
      if (e instanceof RuntimeException) throw (RuntimeException) e;
      throw new org.docarray.spark.format.DocArrayFormatException(
          f.path, -1, 0, "cannot read the header: " + e, e);
    }
  }

  @Override
  public InternalRow[] rows() {
    return new InternalRow[] {new GenericInternalRow(new Object[] {count})};
  }

  @Override
  public StructType readSchema() {
    return new StructType().add("count(*)", DataTypes.LongType, false);
  }

  @Override
  public String description() {
    return description;
  }
}
