package org.docarray.spark.plan;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.BlockLocation;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.GlobFilter;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.docarray.spark.config.DocArrayReadConf;
import org.docarray.spark.errors.SparkErrors;
import org.docarray.spark.read.DocArrayFile;
import org.docarray.spark.read.DocumentFilter;

/**
 * The files of a read: paths, globs, directories (recursively), {@code pathGlobFilter}, and
 * Hive-style partition directories ({@code year=2024/}) turned into typed partition columns, as
 * Spark's own file sources do. Hidden files and directories (names starting with {@code _} or
 * {@code .}, but not {@code _x=y}) are skipped.
 */
public final class DocArrayFileIndex implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final String DEFAULT_PARTITION = "__HIVE_DEFAULT_PARTITION__";

  private final List<DocArrayFile> files;
  private final StructType partitionSchema;

  private DocArrayFileIndex(List<DocArrayFile> files, StructType partitionSchema) {
    this.files = files;
    this.partitionSchema = partitionSchema;
  }

  public List<DocArrayFile> files() {
    return files;
  }

  public StructType partitionSchema() {
    return partitionSchema;
  }

  /**
   * The same files (path, length, modification time, partition values) under the same partition
   * schema.
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof DocArrayFileIndex
        && files.equals(((DocArrayFileIndex) o).files)
        && partitionSchema.equals(((DocArrayFileIndex) o).partitionSchema);
  }

  @Override
  public int hashCode() {
    return files.hashCode();
  }

  /**
   * The files whose partition values may satisfy the filters (filters on partition columns only;
   * any other filter is ignored here). A file is dropped when a filter is false or unknown for its
   * partition values: none of its rows could pass, so it is never opened.
   */
  /**
   * The same index with each file replaced by {@code f(file)} (same order, same partition schema).
   */
  DocArrayFileIndex mapFiles(java.util.function.UnaryOperator<DocArrayFile> f) {
    List<DocArrayFile> out = new ArrayList<>(files.size());
    for (DocArrayFile file : files) out.add(f.apply(file));
    return new DocArrayFileIndex(out, partitionSchema);
  }

  public DocArrayFileIndex prunedBy(List<org.apache.spark.sql.sources.Filter> filters) {
    if (partitionSchema.size() == 0 || filters.isEmpty()) return this;
    List<org.apache.spark.sql.sources.Filter> onPartitions = new ArrayList<>();
    for (org.apache.spark.sql.sources.Filter f : filters) {
      boolean all = f.references().length > 0;
      for (String r : f.references()) all &= partitionSchema.getFieldIndex(r).isDefined();
      if (all && DocumentFilter.supports(f, partitionSchema)) onPartitions.add(f);
    }
    DocumentFilter test = DocumentFilter.of(onPartitions, partitionSchema);
    if (test == null) return this;
    List<DocArrayFile> kept = new ArrayList<>();
    for (DocArrayFile f : files) {
      if (test.test(
          new org.apache.spark.sql.catalyst.expressions.GenericInternalRow(f.partitionValues)))
        kept.add(f);
    }
    return kept.size() == files.size() ? this : new DocArrayFileIndex(kept, partitionSchema);
  }

  /** An index over files already listed (by Spark's own file index), without partition columns. */
  public static DocArrayFileIndex ofFiles(List<String> paths, List<Long> lengths) {
    List<DocArrayFile> out = new ArrayList<>();
    for (int i = 0; i < paths.size(); i++)
      out.add(new DocArrayFile(paths.get(i), lengths.get(i), 0, new Object[0]));
    return new DocArrayFileIndex(out, new StructType());
  }

  /** Lists the files of the options' paths. */
  public static DocArrayFileIndex build(
      DocArrayReadConf options, Configuration conf, boolean inferPartitionTypes) {
    return build(null, options, conf, inferPartitionTypes);
  }

  /**
   * Lists the files of the options' paths; a directory a Structured Streaming file sink wrote (it
   * has a {@code _spark_metadata} log) contributes only the files its log committed, as Spark's
   * file sources read it ({@code spark} null: no sink logs consulted).
   */
  public static DocArrayFileIndex build(
      org.apache.spark.sql.SparkSession spark,
      DocArrayReadConf options,
      Configuration conf,
      boolean inferPartitionTypes) {
    if (options.paths.isEmpty()) {
      throw new IllegalArgumentException(
          "No path given: use spark.read.format(\"docarray\").load(path) "
              + "or the 'path' option");
    }
    GlobFilter nameFilter = null;
    try {
      if (options.pathGlobFilter != null) nameFilter = new GlobFilter(options.pathGlobFilter);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "Invalid pathGlobFilter '" + options.pathGlobFilter + "': " + e.getMessage());
    }
    List<Leaf> leaves = new ArrayList<>();
    try {
      for (String p : options.paths) {
        Path path = new Path(p);
        FileSystem fs = path.getFileSystem(conf);
        FileStatus[] roots;
        if (hasGlob(p)) {
          roots = fs.globStatus(path);
          if (roots == null || roots.length == 0) throw SparkErrors.pathNotFound(p);
        } else {
          try {
            roots = new FileStatus[] {fs.getFileStatus(path)};
          } catch (FileNotFoundException e) {
            throw SparkErrors.pathNotFound(fs.makeQualified(path).toString());
          }
        }
        List<Dir> dirs = new ArrayList<>();
        for (FileStatus root : roots) {
          List<FileStatus> committed =
              root.isDirectory() && readsSinkLogs(spark)
                  ? StreamSinkLog.committedFiles(root.getPath(), conf)
                  : null;
          if (committed != null) {
            for (FileStatus f : committed) {
              if (nameFilter == null || nameFilter.accept(f.getPath())) {
                leaves.add(
                    new Leaf(
                        f, blocks(fs, f), sinkPartitions(root.getPath(), f.getPath(), options)));
              }
            }
          } else if (root.isDirectory()) {
            dirs.add(new Dir(root.getPath(), new ArrayList<>()));
          } else if (nameFilter == null || nameFilter.accept(root.getPath())) {
            leaves.add(new Leaf(root, blocks(fs, root), new ArrayList<>()));
          }
        }
        listLeaves(fs, dirs, nameFilter, leaves, options.recursiveFileLookup);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + options.paths + ": " + e.getMessage(), e);
    }
    List<List<String[]>> partSpecs = new ArrayList<>();
    for (Leaf l : leaves) partSpecs.add(l.spec);
    StructType partitionSchema = new StructType();
    List<String> names = null;
    if (!options.recursiveFileLookup) {
      for (int i = 0; i < partSpecs.size(); i++) {
        List<String> n = new ArrayList<>();
        for (String[] kv : partSpecs.get(i)) n.add(kv[0]);
        if (names == null) {
          names = n;
        } else if (!names.equals(n)) {
          throw new IllegalArgumentException(
              "Conflicting partition directory structures: "
                  + names
                  + " vs "
                  + n
                  + " (file "
                  + leaves.get(i).status.getPath()
                  + "); point the read at one table root, or set recursiveFileLookup=true "
                  + "to read every file without partition columns");
        }
      }
      if (names != null && !names.isEmpty()) {
        StructField[] fields = new StructField[names.size()];
        for (int c = 0; c < names.size(); c++) {
          List<String> values = new ArrayList<>();
          for (List<String[]> spec : partSpecs) values.add(spec.get(c)[1]);
          fields[c] =
              DataTypes.createStructField(
                  names.get(c),
                  inferPartitionTypes ? inferType(values) : DataTypes.StringType,
                  true);
        }
        partitionSchema = new StructType(fields);
      }
    }
    List<DocArrayFile> out = new ArrayList<>();
    for (int i = 0; i < leaves.size(); i++) {
      Object[] values = new Object[partitionSchema.size()];
      for (int c = 0; c < values.length; c++) {
        values[c] = convert(partSpecs.get(i).get(c)[1], partitionSchema.fields()[c].dataType());
      }
      out.add(file(leaves.get(i).status, leaves.get(i).blocks, values));
    }
    out.sort((a, b) -> a.path.compareTo(b.path));
    return new DocArrayFileIndex(out, partitionSchema);
  }

  /**
   * Directories listed at once, as Spark's InMemoryFileIndex does on the driver (an object store
   * waits per call).
   */
  private static final int LISTERS = 16;

  /** A directory to list, with the partition directories (name, value) above it. */
  private static final class Dir {
    final Path path;
    final List<String[]> spec;

    Dir(Path path, List<String[]> spec) {
      this.path = path;
      this.spec = spec;
    }
  }

  /** A file found by the listing, with its block locations where the store has them. */
  private static final class Leaf {
    final FileStatus status;
    final BlockLocation[] blocks;
    final List<String[]> spec;

    Leaf(FileStatus status, BlockLocation[] blocks, List<String[]> spec) {
      this.status = status;
      this.blocks = blocks;
      this.spec = spec;
    }
  }

  /**
   * Lists the files below {@code dirs}, one level of directories at a time, each level's
   * directories listed in parallel (up to 16 at once). Each directory is one paged listing call; on
   * HDFS it returns the block locations too ({@code listLocatedStatus}), elsewhere they are the
   * store's synthesized ones (no request). No file is opened, and no file's permissions are asked
   * for (the local file system forks a process for that).
   */
  private static void listLeaves(
      FileSystem fs, List<Dir> dirs, GlobFilter filter, List<Leaf> out, boolean recursive)
      throws IOException {
    List<Dir> level = dirs;
    while (!level.isEmpty()) {
      List<List<Object>> listed =
          DriverParallel.map(
              level, 1, LISTERS, "docarray-list", d -> listOne(fs, d, filter, recursive));
      List<Dir> next = new ArrayList<>();
      for (List<Object> children : listed) {
        for (Object c : children) {
          if (c instanceof Dir) next.add((Dir) c);
          else out.add((Leaf) c);
        }
      }
      level = next;
    }
  }

  /** The visible files (as {@link Leaf}) and subdirectories (as {@link Dir}) of one directory. */
  private static List<Object> listOne(
      FileSystem fs, Dir dir, GlobFilter filter, boolean recursive) {
    List<Object> out = new ArrayList<>();
    try {
      boolean hdfs = "hdfs".equalsIgnoreCase(fs.getScheme());
      RemoteIterator<? extends FileStatus> it =
          hdfs ? fs.listLocatedStatus(dir.path) : fs.listStatusIterator(dir.path);
      while (it.hasNext()) {
        FileStatus c = it.next();
        String name = c.getPath().getName();
        boolean hidden = (name.startsWith("_") && !name.contains("=")) || name.startsWith(".");
        if (hidden) continue;
        if (c.isDirectory()) {
          List<String[]> next = new ArrayList<>(dir.spec);
          String[] kv = recursive ? null : partitionDirectory(name);
          if (kv != null) next.add(kv);
          out.add(new Dir(c.getPath(), next));
        } else if (filter == null || filter.accept(c.getPath())) {
          out.add(new Leaf(c, blocks(fs, c), dir.spec));
        }
      }
    } catch (FileNotFoundException e) {
      return out; // deleted while listing
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + dir.path + ": " + e.getMessage(), e);
    }
    return out;
  }

  /**
   * Whether a sink's log decides its directory's files: in a session, unless {@code
   * spark.sql.streaming.fileStreamSink.ignoreMetadata} (Spark's own switch) says to list them
   * whole.
   */
  private static boolean readsSinkLogs(org.apache.spark.sql.SparkSession spark) {
    return spark != null
        && !Boolean.parseBoolean(
            spark.conf().get("spark.sql.streaming.fileStreamSink.ignoreMetadata", "false").trim());
  }

  /**
   * The partition directories (name=value) between a sink's output directory and one of its files.
   */
  private static List<String[]> sinkPartitions(Path root, Path file, DocArrayReadConf options) {
    List<String[]> spec = new ArrayList<>();
    if (options.recursiveFileLookup) return spec;
    String rootPath = root.toUri().getPath();
    for (Path p = file.getParent(); p != null; p = p.getParent()) {
      if (p.toUri().getPath().length() <= rootPath.length()) break;
      String[] kv = partitionDirectory(p.getName());
      if (kv != null) spec.add(0, kv);
    }
    return spec;
  }

  /**
   * A file's block locations: from its listing on HDFS, else the store's own (synthesized, no
   * request).
   */
  private static BlockLocation[] blocks(FileSystem fs, FileStatus f) throws IOException {
    if (f instanceof LocatedFileStatus && ((LocatedFileStatus) f).getBlockLocations() != null) {
      return ((LocatedFileStatus) f).getBlockLocations();
    }
    BlockLocation[] b = fs.getFileBlockLocations(f, 0, f.getLen());
    return b == null ? new BlockLocation[0] : b;
  }

  private static DocArrayFile file(FileStatus s, BlockLocation[] blocks, Object[] partitionValues) {
    long[] starts = new long[blocks.length];
    long[] lengths = new long[blocks.length];
    String[][] hosts = new String[blocks.length][];
    try {
      for (int i = 0; i < blocks.length; i++) {
        starts[i] = blocks[i].getOffset();
        lengths[i] = blocks[i].getLength();
        hosts[i] = blocks[i].getHosts();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new DocArrayFile(
        s.getPath().toString(),
        s.getLen(),
        s.getModificationTime(),
        partitionValues,
        starts,
        lengths,
        hosts);
  }

  /**
   * A Hive-style partition directory name {@code key=value} as {key, value} (unescaped), else null.
   */
  private static String[] partitionDirectory(String name) {
    int eq = name.indexOf('=');
    return eq > 0
        ? new String[] {unescape(name.substring(0, eq)), unescape(name.substring(eq + 1))}
        : null;
  }

  private static boolean hasGlob(String p) {
    for (char ch : p.toCharArray())
      if (ch == '*' || ch == '?' || ch == '[' || ch == '{') return true;
    return false;
  }

  private static DataType inferType(List<String> values) {
    boolean allInt = true, allLong = true, allDouble = true;
    for (String v : values) {
      if (v == null || v.equals(DEFAULT_PARTITION)) continue;
      try {
        Integer.parseInt(v);
      } catch (NumberFormatException e) {
        allInt = false;
      }
      try {
        Long.parseLong(v);
      } catch (NumberFormatException e) {
        allLong = false;
      }
      try {
        Double.parseDouble(v);
      } catch (NumberFormatException e) {
        allDouble = false;
      }
    }
    if (allInt) return DataTypes.IntegerType;
    if (allLong) return DataTypes.LongType;
    if (allDouble) return DataTypes.DoubleType;
    return DataTypes.StringType;
  }

  private static Object convert(String v, DataType t) {
    if (v == null || v.equals(DEFAULT_PARTITION)) return null;
    if (t == DataTypes.IntegerType) return Integer.parseInt(v);
    if (t == DataTypes.LongType) return Long.parseLong(v);
    if (t == DataTypes.DoubleType) return Double.parseDouble(v);
    return UTF8String.fromString(v);
  }

  /** Reverses Spark's escaping of partition directory names (%XX). */
  static String unescape(String s) {
    if (s.indexOf('%') < 0) return s;
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length()) {
        try {
          sb.append((char) Integer.parseInt(s.substring(i + 1, i + 3), 16));
          i += 2;
          continue;
        } catch (NumberFormatException ignored) {
          // not an escape
        }
      }
      sb.append(c);
    }
    return sb.toString();
  }
}
