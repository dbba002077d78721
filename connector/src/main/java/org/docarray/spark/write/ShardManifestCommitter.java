package org.docarray.spark.write;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.mapreduce.JobContext;
import org.apache.hadoop.mapreduce.TaskAttemptContext;
import org.apache.hadoop.mapreduce.lib.output.FileOutputCommitter;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.docarray.spark.config.DocArrayWriteConf;

/**
 * Writes {@code _docarray_manifest.json} when a {@code docarray} write with option {@code
 * manifest=true} commits, the way Parquet's committer writes its summary files: the write option
 * sets this class as the job's output committer ({@code spark.sql.sources.outputCommitterClass},
 * honoured by Spark's default commit protocol). Each output writer leaves a count file ({@link
 * #COUNT_PREFIX}{@code <file name>}) beside its file; it is committed with the file, and here,
 * after the files are in place, the counts become the manifest and the count files are removed.
 * Nothing is read back: a manifest costs one directory listing.
 *
 * <p>Because the manifest is written by the write job itself, it works from every client, Spark
 * Connect included: {@code df.repartition(n).write.format("docarray").option("manifest",
 * "true").save(path)}.
 */
public final class ShardManifestCommitter extends FileOutputCommitter {
  /** Job configuration keys the write sets for the committer. */
  static final String PROTOCOL = "docarray.manifest.protocol";

  static final String COMPRESSION = "docarray.manifest.compression";
  static final String SCHEMA = "docarray.manifest.schema";
  static final String CONTAINER = "docarray.manifest.container";

  /** The prefix of a file's count file (starts with {@code _}: readers skip it). */
  static final String COUNT_PREFIX = "_docarray_count.";

  private final Path output;

  public ShardManifestCommitter(Path output, TaskAttemptContext context) throws IOException {
    super(output, context);
    this.output = output;
  }

  /** The configuration that makes a write use this committer. */
  public static void configure(Configuration job, DocArrayWriteConf options, StructType schema) {
    job.set("spark.sql.sources.outputCommitterClass", ShardManifestCommitter.class.getName());
    job.set(PROTOCOL, options.protocol.wireName());
    job.set(COMPRESSION, options.effectiveCodec().wireName());
    job.set(SCHEMA, schema.json());
    job.set(CONTAINER, options.container.name().toLowerCase(java.util.Locale.ROOT));
  }

  /** Writes the count file of a written data file (called by the output writer on close). */
  static void writeCount(Path dataFile, long count, List<long[]> cuts, Configuration conf)
      throws IOException {
    Path countFile = new Path(dataFile.getParent(), COUNT_PREFIX + dataFile.getName());
    StringBuilder text = new StringBuilder(Long.toString(count)).append('\n');
    for (long[] c : cuts) text.append(c[0]).append(':').append(c[1]).append(' ');
    try (OutputStream out = countFile.getFileSystem(conf).create(countFile, true)) {
      out.write(text.toString().trim().getBytes(StandardCharsets.US_ASCII));
    }
  }

  /** The cut points of a count file's second line ("offset:index ..."), or none. */
  private static long[][] cutsOf(String[] lines) {
    if (lines.length < 2 || lines[1].isBlank()) return new long[0][];
    String[] parts = lines[1].trim().split(" ");
    long[][] out = new long[parts.length][];
    for (int i = 0; i < parts.length; i++) {
      String[] oi = parts[i].split(":");
      out[i] = new long[] {Long.parseLong(oi[0]), Long.parseLong(oi[1])};
    }
    return out;
  }

  @Override
  public void commitJob(JobContext context) throws IOException {
    super.commitJob(context);
    Configuration conf = context.getConfiguration();
    FileSystem fs = output.getFileSystem(conf);
    Map<String, Long> counts = new HashMap<>();
    Map<String, long[][]> cuts = new HashMap<>();
    Map<String, Long> sizes = new HashMap<>();
    List<Path> countFiles = new ArrayList<>();
    String root = fs.makeQualified(output).toUri().getPath();
    RemoteIterator<LocatedFileStatus> it = fs.listFiles(output, true);
    while (it.hasNext()) {
      FileStatus f = it.next();
      String rel = relative(root, fs.makeQualified(f.getPath()).toUri().getPath());
      String name = f.getPath().getName();
      if (name.startsWith(COUNT_PREFIX)) {
        String dataRel =
            rel.substring(0, rel.length() - name.length()) + name.substring(COUNT_PREFIX.length());
        try (InputStream in = fs.open(f.getPath())) {
          String[] lines = new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n");
          counts.put(dataRel, Long.parseLong(lines[0].trim()));
          cuts.put(dataRel, cutsOf(lines));
        }
        countFiles.add(f.getPath());
      } else if (!hidden(rel)) {
        sizes.put(rel, f.getLen());
      }
    }
    ShardManifest previous = null;
    if (fs.exists(new Path(output, ShardManifest.FILE_NAME)))
      previous = ShardManifest.load(output, conf);
    Map<String, ShardManifest.Shard> previousShards = new HashMap<>();
    if (previous != null)
      for (ShardManifest.Shard s : previous.shards) previousShards.put(s.path, s);
    List<String> names = new ArrayList<>(sizes.keySet());
    names.sort(null);
    List<ShardManifest.Shard> shards = new ArrayList<>();
    for (String n : names) {
      ShardManifest.Shard before = previousShards.get(n);
      Long count =
          counts.containsKey(n) ? counts.get(n) : before == null ? null : before.numDocuments;
      if (count == null) {
        throw new IOException(
            "Cannot write the shard manifest of "
                + output
                + ": "
                + n
                + " was not written by this job and no earlier manifest counts its documents");
      }
      long[][] points =
          cuts.containsKey(n) ? cuts.get(n) : before == null ? new long[0][] : before.splitPoints;
      shards.add(new ShardManifest.Shard(n, count, sizes.get(n), points));
    }
    new ShardManifest(
            conf.get(PROTOCOL),
            conf.get(COMPRESSION),
            conf.get(CONTAINER, "doclist"),
            shards,
            (StructType) DataType.fromJson(conf.get(SCHEMA)))
        .save(output, conf);
    for (Path p : countFiles) fs.delete(p, false);
  }

  private static String relative(String root, String path) {
    String r = path.startsWith(root) ? path.substring(root.length()) : path;
    return r.startsWith("/") ? r.substring(1) : r;
  }

  /**
   * Whether a path (relative to the output) has a component that readers skip ({@code _x}, {@code
   * .x}).
   */
  private static boolean hidden(String rel) {
    for (String part : rel.split("/")) {
      if (part.startsWith("_") || part.startsWith(".")) return true;
    }
    return false;
  }
}
