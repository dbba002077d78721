package org.docarray.spark.plan;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.types.StructType;
import org.docarray.spark.config.DocArrayReadConf;
import org.docarray.spark.format.Protocol;
import org.docarray.spark.format.StreamFramingSource;
import org.docarray.spark.read.DocArrayFile;
import org.docarray.spark.write.ShardManifest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a directory the connector wrote with {@code manifest=true} says about its files in {@code
 * _docarray_manifest.json}: the schema (instead of sampling documents on the driver) and each
 * file's document boundaries (instead of walking a big file to cut it). Planning such a read opens
 * no data file. Trusted only when the manifest describes exactly the files listed (same relative
 * paths, same sizes); a file added, removed or rewritten since makes it stale, and the read infers
 * and walks as for any file.
 */
final class WrittenManifest {
  private static final Logger LOG = LoggerFactory.getLogger(WrittenManifest.class);

  /** The data schema the writer recorded. */
  final StructType schema;

  /** Document boundaries by file path (see {@link DocArrayFile#boundaries}). */
  private final Map<String, long[][]> boundaries;

  private WrittenManifest(StructType schema, Map<String, long[][]> boundaries) {
    this.schema = schema;
    this.boundaries = boundaries;
  }

  /** The index's files with the boundaries the manifest recorded. */
  DocArrayFileIndex annotate(DocArrayFileIndex index) {
    return index.mapFiles(
        f -> boundaries.containsKey(f.path) ? f.withBoundaries(boundaries.get(f.path)) : f);
  }

  /**
   * The manifest of the read's directory, or null when there is none or it does not describe the
   * listed files.
   */
  static WrittenManifest of(DocArrayReadConf options, DocArrayFileIndex index, Configuration conf) {
    if (options.paths.size() != 1 || index.files().isEmpty()) return null;
    try {
      Path dir = new Path(options.paths.get(0));
      FileSystem fs = dir.getFileSystem(conf);
      dir = fs.makeQualified(dir);
      ShardManifest m;
      try {
        m = ShardManifest.load(dir, conf);
      } catch (FileNotFoundException e) {
        return null;
      }
      Map<String, ShardManifest.Shard> shards = new HashMap<>();
      for (ShardManifest.Shard s : m.shards) shards.put(s.path, s);
      String root = dir.toUri().getPath();
      if (!root.endsWith("/")) root = root + "/";
      if (shards.size() != index.files().size()) return stale(dir, "file count");
      Map<String, long[][]> bounds = new HashMap<>();
      for (DocArrayFile f : index.files()) {
        String path = new Path(f.path).toUri().getPath();
        if (!path.startsWith(root)) return stale(dir, f.path);
        ShardManifest.Shard s = shards.get(path.substring(root.length()));
        if (s == null || s.bytes != f.length) return stale(dir, f.path);
        if (s.splitPoints.length > 0) {
          long first =
              options.detect(f.path).protocol == Protocol.PROTOBUF
                  ? StreamFramingSource.HEADER_BYTES
                  : 0;
          long[][] b = new long[s.splitPoints.length + 2][];
          b[0] = new long[] {first, 0};
          System.arraycopy(s.splitPoints, 0, b, 1, s.splitPoints.length);
          b[b.length - 1] = new long[] {f.length, s.numDocuments};
          bounds.put(f.path, b);
        }
      }
      return new WrittenManifest(m.sparkSchema, bounds);
    } catch (IOException | RuntimeException e) {
      LOG.info("Not using the manifest of {}: {}", options.paths.get(0), e.toString());
      return null;
    }
  }

  private static WrittenManifest stale(Path dir, String what) {
    LOG.info(
        "The manifest of {} does not describe the files listed ({}): reading the files themselves",
        dir,
        what);
    return null;
  }
}
