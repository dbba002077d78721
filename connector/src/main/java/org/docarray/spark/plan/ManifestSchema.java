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
import org.docarray.spark.read.DocArrayFile;
import org.docarray.spark.write.ShardManifest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schema of a directory the connector wrote with {@code manifest=true}, taken from its {@code
 * _docarray_manifest.json} instead of sampling documents on the driver: planning such a read opens
 * no data file. Trusted only when the manifest describes exactly the files listed (same relative
 * paths, same sizes); a file added, removed or rewritten since falls back to inference.
 */
final class ManifestSchema {
  private static final Logger LOG = LoggerFactory.getLogger(ManifestSchema.class);

  private ManifestSchema() {}

  /**
   * The manifest's data schema, or null when there is none or it does not describe the listed
   * files.
   */
  static StructType of(DocArrayReadConf options, DocArrayFileIndex index, Configuration conf) {
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
      Map<String, Long> sizes = new HashMap<>();
      for (ShardManifest.Shard s : m.shards) sizes.put(s.path, s.bytes);
      String root = dir.toUri().getPath();
      if (!root.endsWith("/")) root = root + "/";
      if (sizes.size() != index.files().size()) return stale(dir, "file count");
      for (DocArrayFile f : index.files()) {
        String path = new Path(f.path).toUri().getPath();
        if (!path.startsWith(root)) return stale(dir, f.path);
        Long size = sizes.get(path.substring(root.length()));
        if (size == null || size != f.length) return stale(dir, f.path);
      }
      return m.sparkSchema;
    } catch (IOException | RuntimeException e) {
      LOG.info("Not using the manifest of {}: {}", options.paths.get(0), e.toString());
      return null;
    }
  }

  private static StructType stale(Path dir, String what) {
    LOG.info(
        "The manifest of {} does not describe the files listed ({}): inferring the schema",
        dir,
        what);
    return null;
  }
}
