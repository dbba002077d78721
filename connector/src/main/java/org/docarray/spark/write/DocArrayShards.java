package org.docarray.spark.write;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;

/**
 * Writes a Dataset of documents as N balanced shards plus a {@link ShardManifest}, the input of
 * training loaders: DocArray's {@code DocList.load_binary} + {@code MultiModalDataset} in Python
 * (python/train_from_shards.py), or a JVM trainer.
 *
 * <pre>{@code
 * ShardManifest m = DocArrayShards.writer(prepared).numShards(8).option("compression", "lz4")
 *     .mode(SaveMode.Overwrite).save("/data/train");
 * }</pre>
 *
 * Balance: documents are dealt round-robin to the N shards (Spark's round-robin repartitioning), so
 * shard document counts differ by at most the number of input partitions and, for documents of
 * similar size, their byte sizes are balanced too. Each shard is one file the real DocArray loads;
 * the manifest records each file's document count (counted by the writers) and size.
 */
public final class DocArrayShards {
  private final Dataset<Row> docs;
  private final Map<String, String> options = new LinkedHashMap<>();
  private int numShards = -1;
  private SaveMode mode = SaveMode.ErrorIfExists;

  private DocArrayShards(Dataset<Row> docs) {
    this.docs = docs;
  }

  public static DocArrayShards writer(Dataset<Row> docs) {
    return new DocArrayShards(docs);
  }

  /**
   * The shorthand for PySpark (py4j): {@code write(df._jdf, path, n, {"compression": "lz4"},
   * "overwrite")}.
   */
  public static ShardManifest write(
      Dataset<Row> docs, String path, int numShards, Map<String, String> options, String mode)
      throws IOException {
    DocArrayShards w = writer(docs).numShards(numShards).mode(parseMode(mode));
    if (options != null) options.forEach(w::option);
    return w.save(path);
  }

  /** Number of shard files (default: the Dataset's number of partitions, without reshuffling). */
  public DocArrayShards numShards(int n) {
    if (n < 1) throw new IllegalArgumentException("numShards must be at least 1, not " + n);
    this.numShards = n;
    return this;
  }

  /** A write option of the docarray format ({@code protocol}, {@code compression}, ...). */
  public DocArrayShards option(String key, String value) {
    if (key.equalsIgnoreCase("maxRecordsPerFile")) {
      throw new IllegalArgumentException(
          "maxRecordsPerFile would split shards: choose numShards instead");
    }
    options.put(key, value);
    return this;
  }

  public DocArrayShards mode(SaveMode mode) {
    this.mode = mode;
    return this;
  }

  /**
   * Writes the shards and the manifest into {@code path}; returns the manifest. The manifest is
   * written by the write job's commit (option {@code manifest=true}, see {@link
   * ShardManifestCommitter}), so a Spark Connect client gets the same with {@code
   * df.repartition(n).write.option("manifest", "true")}.
   */
  public ShardManifest save(String path) throws IOException {
    Dataset<Row> out = numShards > 0 ? docs.repartition(numShards) : docs;
    out.write()
        .format("docarray")
        .options(options)
        .option("manifest", "true")
        .mode(mode)
        .save(path);
    Configuration conf = docs.sparkSession().sparkContext().hadoopConfiguration();
    return ShardManifest.load(new Path(path), conf);
  }

  private static SaveMode parseMode(String mode) {
    if (mode == null) return SaveMode.ErrorIfExists;
    switch (mode.toLowerCase(Locale.ROOT)) {
      case "overwrite":
        return SaveMode.Overwrite;
      case "append":
        return SaveMode.Append;
      case "ignore":
        return SaveMode.Ignore;
      case "error":
      case "errorifexists":
        return SaveMode.ErrorIfExists;
      default:
        throw new IllegalArgumentException("Unknown save mode '" + mode + "'");
    }
  }
}
