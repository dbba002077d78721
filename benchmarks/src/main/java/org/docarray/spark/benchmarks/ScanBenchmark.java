package org.docarray.spark.benchmarks;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The end-to-end benchmark: generates documents of the `large` fixture's shape (id, text, int
 * label, float32[128] embedding) and measures, in one run on the same data, the connector against
 * its baselines: Spark's Parquet reader and writer, Spark's binaryFile source (raw bytes through
 * Spark), a plain Java read of the files (the I/O limit), and real Python DocArray if a venv is
 * there.
 *
 * <pre>
 * mvn -q -pl benchmarks -am -DskipTests package exec:exec -Dbench.args="--docs 1600000"
 * </pre>
 *
 * Options: --docs N (default 1,600,000), --runs R (best of R, default 3), --dir D (data, default
 * benchmarks/data), --out D (results, default benchmarks/results), --python PATH, --master M; for a
 * quick loop --reuse true (keep the data of the last run) and --only "full scan,pruned,count"
 * (groups by prefix; printed, not recorded).
 */
public final class ScanBenchmark {
  private final SparkSession spark;
  private final long docs;
  private final int runs;
  private final Path dir;
  private final List<Map<String, Object>> rows = new ArrayList<>();

  /**
   * --only: the groups to measure (comma-separated prefixes), for a quick inner loop; null = all.
   */
  private List<String> only;

  /** --reuse true: keep the data of an earlier run instead of generating and writing it again. */
  private boolean reuse;

  private ScanBenchmark(SparkSession spark, long docs, int runs, Path dir) {
    this.spark = spark;
    this.docs = docs;
    this.runs = runs;
    this.dir = dir;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2)
      a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    long docs = Long.parseLong(a.getOrDefault("docs", "1600000"));
    int runs = Integer.parseInt(a.getOrDefault("runs", "3"));
    Path root = Paths.get("").toAbsolutePath();
    while (root.getParent() != null
        && !Files.exists(root.resolve("benchmarks/loader_benchmark.py"))) root = root.getParent();
    Path dir =
        a.containsKey("dir")
            ? Paths.get(a.get("dir")).toAbsolutePath()
            : root.resolve("benchmarks/data");
    Path out =
        a.containsKey("out")
            ? Paths.get(a.get("out")).toAbsolutePath()
            : root.resolve("benchmarks/results");
    String master =
        a.getOrDefault("master", "local[" + Runtime.getRuntime().availableProcessors() + "]");
    SparkSession spark =
        SparkSession.builder()
            .master(master)
            .appName("docarray-spark benchmark")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.sql.parquet.compression.codec", "snappy")
            .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    try {
      ScanBenchmark b = new ScanBenchmark(spark, docs, runs, dir);
      if (a.containsKey("only")) b.only = List.of(a.get("only").split(","));
      b.reuse = Boolean.parseBoolean(a.getOrDefault("reuse", "false"));
      b.run(a.get("python"));
      b.report(out, master);
    } finally {
      spark.stop();
    }
  }

  private Dataset<Row> source() {
    return largeShape(spark, docs);
  }

  /**
   * Documents of the `large` fixture's shape and formula: id, text, int label, float32[128]
   * embedding.
   */
  static Dataset<Row> largeShape(SparkSession spark, long docs) {
    return spark
        .range(0, docs, 1, Math.max(1, (int) (docs / 200_000)))
        .selectExpr(
            "format_string('large-%08d', id) AS id",
            "concat('doc ', format_string('%05d', id % 100000), ' ', element_at(array('alpha','beta','gamma','delta',''), CAST(id % 5 AS INT) + 1)) AS text",
            "CAST(id % 10 AS INT) AS label",
            "transform(sequence(0, 127), j -> CAST(((id * 128 + j) % 9973) / 9973.0D AS FLOAT)) AS embedding");
  }

  private void run(String python) throws Exception {
    Path docarrayOne = dir.resolve("docarray-1file");
    Path docarrayMany = dir.resolve("docarray-files");
    Path parquet = dir.resolve("parquet");
    boolean haveData =
        reuse
            && Files.isDirectory(docarrayOne)
            && Files.isDirectory(docarrayMany)
            && Files.isDirectory(parquet);
    if (!haveData) writeData(docarrayOne, docarrayMany, parquet);
    long bytes = size(docarrayMany);
    long parquetBytes = size(parquet);
    System.out.printf(
        "data: %,d documents, docarray %,d bytes, parquet %,d bytes%n", docs, bytes, parquetBytes);
    measureReads(python, docarrayOne, docarrayMany, parquet, bytes, parquetBytes);
  }

  private void writeData(Path docarrayOne, Path docarrayMany, Path parquet) throws IOException {
    Dataset<Row> src = source().cache();
    src.count();

    time(
        "write",
        "parquet (snappy)",
        -1,
        () -> {
          src.write().mode("overwrite").parquet(parquet.toString());
          return docs;
        },
        runs);
    time(
        "write",
        "docarray protobuf",
        -1,
        () -> {
          src.write().mode("overwrite").format("docarray").save(docarrayMany.toString());
          return docs;
        },
        runs);
    if (!selected("write")) { // measured or not, the data must exist
      src.write().mode("overwrite").parquet(parquet.toString());
      src.write().mode("overwrite").format("docarray").save(docarrayMany.toString());
    }
    fixBytes("parquet (snappy)", size(parquet));
    fixBytes("docarray protobuf", size(docarrayMany));
    src.coalesce(1).write().mode("overwrite").format("docarray").save(docarrayOne.toString());
    src.unpersist();
  }

  private void measureReads(
      String python,
      Path docarrayOne,
      Path docarrayMany,
      Path parquet,
      long bytes,
      long parquetBytes)
      throws Exception {
    time("io", "plain Java read of the docarray files", bytes, () -> javaRead(docarrayMany), runs);
    time(
        "io",
        "Hadoop FileSystem read of the files, 2 threads (what a scan reads through)",
        bytes,
        () -> hadoopRead(docarrayMany),
        runs);
    time(
        "io",
        "Spark binaryFile (raw bytes)",
        bytes,
        () -> {
          spark
              .read()
              .format("binaryFile")
              .load(docarrayMany.toString())
              .selectExpr("length(content)")
              .write()
              .format("noop")
              .mode("overwrite")
              .save();
          return docs;
        },
        runs);
    time(
        "full scan",
        "parquet",
        parquetBytes,
        () -> noop(spark.read().parquet(parquet.toString())),
        runs);
    time(
        "full scan",
        "docarray",
        bytes,
        () -> noop(spark.read().format("docarray").load(docarrayMany.toString())),
        runs);
    // the same read in a session with DocArraySparkSessionExtensions: the reader's UnsafeRows reach
    // the sink without the copy Spark's planner puts above every row-based V2 scan
    SparkSession ext = sessionWithExtensions();
    time(
        "full scan",
        "docarray, session extensions (no projection copy)",
        bytes,
        () -> noop(ext.read().format("docarray").load(docarrayMany.toString())),
        runs);
    time(
        "full scan",
        "docarray, columnar=true (Arrow straight from the wire, then Spark's ColumnarToRow)",
        bytes,
        () ->
            noop(
                spark
                    .read()
                    .format("docarray")
                    .option("columnar", "true")
                    .load(docarrayMany.toString())),
        runs);
    // every embedding value summed: a generator (codegen) and Spark's higher-order aggregate
    time(
        "sum of every embedding value",
        "parquet, explode",
        parquetBytes,
        () -> sumOf(spark.read().parquet(parquet.toString()).selectExpr("explode(embedding) AS x")),
        runs);
    time(
        "sum of every embedding value",
        "docarray, explode",
        bytes,
        () ->
            sumOf(
                spark
                    .read()
                    .format("docarray")
                    .load(docarrayMany.toString())
                    .selectExpr("explode(embedding.data) AS x")),
        runs);
    time(
        "sum of every embedding value",
        "docarray, explode, session extensions",
        bytes,
        () ->
            sumOf(
                ext.read()
                    .format("docarray")
                    .load(docarrayMany.toString())
                    .selectExpr("explode(embedding.data) AS x")),
        runs);
    time(
        "sum of every embedding value",
        "docarray, explode, columnar=true",
        bytes,
        () ->
            sumOf(
                spark
                    .read()
                    .format("docarray")
                    .option("columnar", "true")
                    .load(docarrayMany.toString())
                    .selectExpr("explode(embedding.data) AS x")),
        runs);
    time(
        "sum of every embedding value",
        "parquet, aggregate()",
        parquetBytes,
        () ->
            sumOf(
                spark
                    .read()
                    .parquet(parquet.toString())
                    .selectExpr("aggregate(embedding, 0D, (a, v) -> a + v) AS x")),
        runs);
    time(
        "sum of every embedding value",
        "docarray, aggregate()",
        bytes,
        () ->
            sumOf(
                spark
                    .read()
                    .format("docarray")
                    .load(docarrayMany.toString())
                    .selectExpr("aggregate(embedding.data, 0D, (a, v) -> a + v) AS x")),
        runs);
    time(
        "pruned: label",
        "parquet",
        parquetBytes,
        () -> noop(spark.read().parquet(parquet.toString()).select("label")),
        runs);
    time(
        "pruned: label",
        "docarray",
        bytes,
        () -> noop(spark.read().format("docarray").load(docarrayMany.toString()).select("label")),
        runs);
    time(
        "pruned: label",
        "docarray, session extensions",
        bytes,
        () -> noop(ext.read().format("docarray").load(docarrayMany.toString()).select("label")),
        runs);
    time(
        "pruned: label",
        "docarray, columnar=true",
        bytes,
        () ->
            noop(
                spark
                    .read()
                    .format("docarray")
                    .option("columnar", "true")
                    .load(docarrayMany.toString())
                    .select("label")),
        runs);
    time(
        "pruned: id",
        "docarray",
        bytes,
        () -> noop(spark.read().format("docarray").load(docarrayMany.toString()).select("id")),
        runs);
    time(
        "filtered: label = 3",
        "parquet",
        parquetBytes,
        () -> noop(spark.read().parquet(parquet.toString()).where("label = 3")),
        runs);
    time(
        "filtered: label = 3",
        "docarray, filter pushed into the decoder",
        bytes,
        () ->
            noop(spark.read().format("docarray").load(docarrayMany.toString()).where("label = 3")),
        runs);
    time(
        "filtered: label = 3",
        "docarray, filterPushdown=false",
        bytes,
        () ->
            noop(
                spark
                    .read()
                    .format("docarray")
                    .option("filterPushdown", "false")
                    .load(docarrayMany.toString())
                    .where("label = 3")),
        runs);
    time(
        "count(*)",
        "parquet",
        parquetBytes,
        () -> spark.read().parquet(parquet.toString()).count(),
        runs);
    time(
        "count(*)",
        "docarray",
        bytes,
        () -> spark.read().format("docarray").load(docarrayMany.toString()).count(),
        runs);
    // with DocArraySparkSessionExtensions (as spark.sql.extensions would install it): no job at all
    withExtensions(
        () ->
            time(
                "count(*)",
                "docarray with DocArraySparkSessionExtensions (driver-local, no job)",
                bytes,
                () -> spark.read().format("docarray").load(docarrayMany.toString()).count(),
                runs));
    // the least any count() action costs in this Spark: a one-row in-memory DataFrame (no file, no
    // source)
    Dataset<Row> oneRow =
        spark.createDataFrame(
            List.of(org.apache.spark.sql.RowFactory.create(1L)),
            new org.apache.spark.sql.types.StructType().add("n", "long"));
    time(
        "count(*)",
        "Spark's floor: count() of a one-row in-memory DataFrame",
        0,
        () -> {
          oneRow.count();
          return docs;
        },
        runs);
    long oneFile = size(docarrayOne);
    time(
        "one big file",
        "docarray, default splits",
        oneFile,
        () -> noop(spark.read().format("docarray").load(docarrayOne.toString())),
        runs);
    time(
        "one big file",
        "docarray, 2 splits (maxPartitionBytes 512m)",
        oneFile,
        () ->
            noop(
                spark
                    .read()
                    .format("docarray")
                    .option("maxPartitionBytes", String.valueOf(512L << 20))
                    .load(docarrayOne.toString())),
        runs);
    time(
        "one big file",
        "docarray, 1 split",
        oneFile,
        () ->
            noop(
                spark
                    .read()
                    .format("docarray")
                    .option("splitFiles", "false")
                    .load(docarrayOne.toString())),
        runs);
    // the same question asked of Spark's Parquet reader: what 6 more tasks cost on this machine
    if (selected("one big file")) {
      Path parquetOne = dir.resolve("parquet-1file");
      if (!Files.isDirectory(parquetOne)) {
        spark
            .read()
            .parquet(parquet.toString())
            .coalesce(1)
            .write()
            .mode("overwrite")
            .parquet(parquetOne.toString());
      }
      long parquetOneBytes = size(parquetOne);
      time(
          "one big file",
          "parquet, default splits",
          parquetOneBytes,
          () -> noop(spark.read().parquet(parquetOne.toString())),
          runs);
      time(
          "one big file",
          "parquet, 2 splits (maxPartitionBytes 512m)",
          parquetOneBytes,
          () -> {
            spark.conf().set("spark.sql.files.maxPartitionBytes", String.valueOf(512L << 20));
            try {
              return noop(spark.read().parquet(parquetOne.toString()));
            } finally {
              spark.conf().unset("spark.sql.files.maxPartitionBytes");
            }
          },
          runs);
    }
    if (python != null && Files.isExecutable(Paths.get(python)) && selected("python"))
      pythonLoad(python, docarrayOne);
    if (selected("memory")) smallHeap();
  }

  /**
   * A 2 GB protobuf file (twice the documents, one file) read in a child JVM with a 512 MB heap
   * (-Xmx512m, local[2]: driver and executor share that heap).
   */
  private void smallHeap() throws Exception {
    Path big = dir.resolve("docarray-2gb");
    if (!reuse || !Files.isDirectory(big)) {
      largeShape(spark, docs * 2)
          .coalesce(1)
          .write()
          .mode("overwrite")
          .format("docarray")
          .save(big.toString());
    }
    Path file;
    try (Stream<Path> s = Files.list(big)) {
      file =
          s.filter(p -> p.getFileName().toString().endsWith(".protobuf")).findFirst().orElseThrow();
    }
    long bytes = Files.size(file);
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m"));
    cmd.addAll(
        List.of(
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED"));
    cmd.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            HeapProbe.class.getName(),
            file.toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException("the 512 MB heap read failed:\n" + out);
    }
    for (String line : out.split("\n")) {
      if (!line.startsWith("HEAPPROBE|")) continue;
      String[] f = line.split("\\|");
      System.out.printf(
          Locale.ROOT,
          "512 MB heap, %.2f GB file: %s in %s s (result %s, peak heap %d MB of %d MB)%n",
          bytes / 1e9,
          f[1],
          f[2],
          f[3],
          Long.parseLong(f[4]) >> 20,
          Long.parseLong(f[5]) >> 20);
      record(
          "memory: 2 GB file, -Xmx512m",
          f[1] + " (peak heap " + (Long.parseLong(f[4]) >> 20) + " MB)",
          docs * 2,
          bytes,
          Double.parseDouble(f[2]));
    }
  }

  /**
   * Runs body with the connector's session extensions installed
   * (spark.experimental.extraStrategies).
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private void withExtensions(Runnable body) {
    org.apache.spark.sql.SparkSessionExtensions ext =
        new org.apache.spark.sql.SparkSessionExtensions();
    new org.docarray.spark.DocArraySparkSessionExtensions().apply(ext);
    spark
        .experimental()
        .extraStrategies_$eq(
            (scala.collection.immutable.List) ext.buildPlannerStrategies(spark).toList());
    try {
      body.run();
    } finally {
      spark
          .experimental()
          .extraStrategies_$eq(
              (scala.collection.immutable.List) (Object) scala.collection.immutable.Nil$.MODULE$);
    }
  }

  /**
   * A session sharing this one's context, with the connector's session extensions installed as
   * {@code spark.sql.extensions} would install them.
   */
  private SparkSession sessionWithExtensions() {
    try {
      // the session's extensions, shared with the sessions it makes (Spark 4 keeps the method on
      // its classic session class, Spark 3.5 on SparkSession: reached the same way on both)
      org.apache.spark.sql.SparkSessionExtensions ext =
          (org.apache.spark.sql.SparkSessionExtensions)
              spark.getClass().getMethod("extensions").invoke(spark);
      new org.docarray.spark.DocArraySparkSessionExtensions().apply(ext);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot install the session extensions", e);
    }
    return spark.newSession();
  }

  /** Sums column x (the whole query runs: scan, generator or lambda, aggregation). */
  private long sumOf(Dataset<Row> df) {
    Row r = df.agg(org.apache.spark.sql.functions.sum("x")).first();
    if (r.isNullAt(0)) throw new IllegalStateException("no values summed");
    return docs;
  }

  private long noop(Dataset<Row> df) {
    df.write().format("noop").mode("overwrite").save();
    return docs;
  }

  /**
   * Every data file read through Hadoop's FileSystem (checksummed on a local disk), files in
   * parallel.
   */
  private long hadoopRead(Path dir) {
    org.apache.hadoop.conf.Configuration conf = spark.sparkContext().hadoopConfiguration();
    try (Stream<Path> files = Files.walk(dir)) {
      List<Path> data =
          files
              .filter(Files::isRegularFile)
              .filter(
                  p ->
                      !p.getFileName().toString().startsWith(".")
                          && !p.getFileName().toString().startsWith("_"))
              .collect(java.util.stream.Collectors.toList());
      java.util.concurrent.ForkJoinPool pool = new java.util.concurrent.ForkJoinPool(2);
      try {
        return pool.submit(
                () ->
                    data.parallelStream()
                        .mapToLong(
                            p -> {
                              org.apache.hadoop.fs.Path hp =
                                  new org.apache.hadoop.fs.Path(p.toUri());
                              byte[] buf = new byte[1 << 20];
                              long total = 0;
                              try (InputStream in = hp.getFileSystem(conf).open(hp, 1 << 20)) {
                                int n;
                                while ((n = in.read(buf)) > 0) total += n;
                              } catch (IOException e) {
                                throw new RuntimeException(e);
                              }
                              return total;
                            })
                        .sum())
            .get();
      } finally {
        pool.shutdown();
      }
    } catch (IOException | InterruptedException | java.util.concurrent.ExecutionException e) {
      throw new RuntimeException(e);
    }
  }

  private static long javaRead(Path dir) {
    long total = 0;
    byte[] buf = new byte[1 << 20];
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        try (InputStream in = new FileInputStream(p.toFile())) {
          int n;
          while ((n = in.read(buf)) > 0) total += n;
        }
      }
    } catch (IOException e) {
      throw new RuntimeException(e);
    }
    return total;
  }

  private void pythonLoad(String python, Path oneFileDir) throws Exception {
    Path file;
    try (Stream<Path> s = Files.list(oneFileDir)) {
      file =
          s.filter(p -> p.getFileName().toString().endsWith(".protobuf")).findFirst().orElseThrow();
    }
    String script =
        "import sys, time\n"
            + "from docarray import BaseDoc, DocList\nfrom docarray.typing import NdArray\n"
            + "class LargeDoc(BaseDoc):\n    text: str\n    label: int\n    embedding: NdArray[128]\n"
            + "t = time.perf_counter()\nd = DocList[LargeDoc].load_binary(sys.argv[1])\n"
            + "print(len(d), time.perf_counter() - t)\n";
    Process p =
        new ProcessBuilder(python, "-c", script, file.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    p.waitFor(1, TimeUnit.HOURS);
    String[] last = out.substring(out.lastIndexOf('\n') + 1).split(" ");
    double seconds = Double.parseDouble(last[1]);
    record(
        "python",
        "real DocArray load_binary (1 core)",
        Long.parseLong(last[0]),
        Files.size(file),
        seconds);
  }

  private boolean selected(String group) {
    return only == null || only.stream().anyMatch(group::startsWith);
  }

  private void time(String group, String what, long bytes, Supplier<Long> body, int repeat) {
    if (!selected(group)) return;
    double best = Double.MAX_VALUE;
    long n = 0;
    for (int i = 0; i < repeat; i++) {
      long t0 = System.nanoTime();
      n = body.get();
      best = Math.min(best, (System.nanoTime() - t0) / 1e9);
    }
    record(group, what, group.equals("io") ? docs : n, bytes, best);
  }

  /** Writes learn their byte count only afterwards. */
  private void fixBytes(String what, long bytes) {
    for (Map<String, Object> r : rows) {
      if (r.get("what").equals(what)) r.put("mb_per_s", bytes / 1e6 / (Double) r.get("seconds"));
    }
  }

  private void record(String group, String what, long n, long bytes, double seconds) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("group", group);
    r.put("what", what);
    r.put("documents", n);
    r.put("seconds", seconds);
    r.put("docs_per_s", n / seconds);
    r.put("mb_per_s", bytes / 1e6 / seconds);
    rows.add(r);
    System.out.printf(
        Locale.ROOT,
        "%-14s %-40s %8.2f s %12.0f docs/s %9.1f MB/s%n",
        group,
        what,
        seconds,
        n / seconds,
        bytes / 1e6 / seconds);
  }

  private static long size(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile)
          .filter(
              p ->
                  !p.getFileName().toString().startsWith(".")
                      && !p.getFileName().toString().startsWith("_"))
          .mapToLong(p -> p.toFile().length())
          .sum();
    }
  }

  private double rate(String group, String what) {
    for (Map<String, Object> r : rows) {
      if (r.get("group").equals(group) && r.get("what").equals(what))
        return (Double) r.get("docs_per_s");
    }
    return Double.NaN;
  }

  private void report(Path out, String master) throws IOException {
    Files.createDirectories(out);
    Map<String, Double> ratios = new LinkedHashMap<>();
    ratios.put(
        "full scan: docarray / parquet",
        rate("full scan", "docarray") / rate("full scan", "parquet"));
    ratios.put(
        "full scan: docarray with the session extensions / parquet",
        rate("full scan", "docarray, session extensions (no projection copy)")
            / rate("full scan", "parquet"));
    ratios.put(
        "sum of every embedding value (explode): docarray / parquet",
        rate("sum of every embedding value", "docarray, explode")
            / rate("sum of every embedding value", "parquet, explode"));
    ratios.put(
        "sum of every embedding value (explode): docarray with the session extensions / parquet",
        rate("sum of every embedding value", "docarray, explode, session extensions")
            / rate("sum of every embedding value", "parquet, explode"));
    ratios.put(
        "sum of every embedding value (aggregate()): docarray / parquet",
        rate("sum of every embedding value", "docarray, aggregate()")
            / rate("sum of every embedding value", "parquet, aggregate()"));
    ratios.put(
        "one scalar column (label): docarray / parquet",
        rate("pruned: label", "docarray") / rate("pruned: label", "parquet"));
    ratios.put(
        "one scalar column (label): docarray with the session extensions / parquet",
        rate("pruned: label", "docarray, session extensions") / rate("pruned: label", "parquet"));
    ratios.put(
        "full scan: docarray / python DocArray (1 core)",
        rate("full scan", "docarray") / rate("python", "real DocArray load_binary (1 core)"));
    ratios.put(
        "label-only scan / full scan",
        rate("pruned: label", "docarray") / rate("full scan", "docarray"));
    ratios.put(
        "count(*) / full scan", rate("count(*)", "docarray") / rate("full scan", "docarray"));
    ratios.put(
        "count(*) with the session extensions / full scan",
        rate("count(*)", "docarray with DocArraySparkSessionExtensions (driver-local, no job)")
            / rate("full scan", "docarray"));
    ratios.put(
        "count(*): docarray / Spark's floor for any count()",
        rate("count(*)", "docarray")
            / rate("count(*)", "Spark's floor: count() of a one-row in-memory DataFrame"));
    ratios.put(
        "ceiling for count(*) / full scan: Spark's count() floor / full scan",
        rate("count(*)", "Spark's floor: count() of a one-row in-memory DataFrame")
            / rate("full scan", "docarray"));
    ratios.put(
        "ceiling for label-only / full scan: reading the bytes at all (Hadoop read) / full scan",
        rate("io", "Hadoop FileSystem read of the files, 2 threads (what a scan reads through)")
            / rate("full scan", "docarray"));
    ratios.put(
        "one big file: default splits / 1 split",
        rate("one big file", "docarray, default splits")
            / rate("one big file", "docarray, 1 split"));
    ratios.put(
        "one big file: 2 splits (maxPartitionBytes 512m) / 1 split",
        rate("one big file", "docarray, 2 splits (maxPartitionBytes 512m)")
            / rate("one big file", "docarray, 1 split"));
    ratios.put(
        "one big file, Parquet: default splits / 2 splits (maxPartitionBytes 512m)",
        rate("one big file", "parquet, default splits")
            / rate("one big file", "parquet, 2 splits (maxPartitionBytes 512m)"));
    ratios.put(
        "one big file, docarray: default splits / 2 splits (maxPartitionBytes 512m)",
        rate("one big file", "docarray, default splits")
            / rate("one big file", "docarray, 2 splits (maxPartitionBytes 512m)"));
    ratios.put(
        "filtered (label = 3): pushed into the decoder / not pushed",
        rate("filtered: label = 3", "docarray, filter pushed into the decoder")
            / rate("filtered: label = 3", "docarray, filterPushdown=false"));
    ratios.put(
        "write: docarray / parquet",
        rate("write", "docarray protobuf") / rate("write", "parquet (snappy)"));
    ratios.put(
        "full scan: docarray / binaryFile raw bytes",
        rate("full scan", "docarray") / rate("io", "Spark binaryFile (raw bytes)"));
    String env =
        String.format(
            Locale.ROOT,
            "Java %s, %d cores, Spark %s, master %s, %s %s, %,d documents",
            System.getProperty("java.version"),
            Runtime.getRuntime().availableProcessors(),
            spark.version(),
            master,
            System.getProperty("os.name"),
            System.getProperty("os.arch"),
            docs);
    StringBuilder md =
        new StringBuilder("# docarray-spark benchmark\n\n").append(env).append("\n\n");
    md.append("| group | what | seconds | docs/s | MB/s |\n|---|---|---:|---:|---:|\n");
    for (Map<String, Object> r : rows) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %.2f | %,.0f | %.1f |%n",
              r.get("group"),
              r.get("what"),
              r.get("seconds"),
              r.get("docs_per_s"),
              r.get("mb_per_s")));
    }
    md.append("\n| ratio | value |\n|---|---:|\n");
    ratios.forEach((k, v) -> md.append(String.format(Locale.ROOT, "| %s | %.2f× |%n", k, v)));
    System.out.println(md);
    if (only != null) return; // a partial run is printed, never recorded as the results
    String stamp = "spark-" + spark.version();
    Files.writeString(out.resolve("scan-" + stamp + ".md"), md.toString());
    StringBuilder json = new StringBuilder("{\"environment\": \"" + env + "\", \"results\": [");
    for (int i = 0; i < rows.size(); i++) {
      Map<String, Object> r = rows.get(i);
      json.append(i == 0 ? "" : ",")
          .append(
              String.format(
                  Locale.ROOT,
                  "%n {\"group\": \"%s\", \"what\": \"%s\", \"documents\": %d, \"seconds\": %.4f, \"docs_per_s\": %.1f, \"mb_per_s\": %.2f}",
                  r.get("group"),
                  r.get("what"),
                  r.get("documents"),
                  r.get("seconds"),
                  r.get("docs_per_s"),
                  r.get("mb_per_s")));
    }
    json.append("\n], \"ratios\": {");
    int i = 0;
    for (Map.Entry<String, Double> e : ratios.entrySet()) {
      json.append(i++ == 0 ? "" : ",")
          .append(
              String.format(
                  Locale.ROOT,
                  "%n \"%s\": %.3f",
                  e.getKey(),
                  e.getValue().isNaN() ? 0.0 : e.getValue()));
    }
    json.append("\n}}\n");
    Files.writeString(out.resolve("scan-" + stamp + ".json"), json.toString());
    try (PrintWriter w = new PrintWriter(new File(out.toFile(), "LATEST"))) {
      w.println("scan-" + stamp);
    }
  }
}
