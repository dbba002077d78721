package org.docarray.spark.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.docarray.spark.write.DocArrayShards;
import org.docarray.spark.write.ShardManifest;

/**
 * Documents/s from shards into a PyTorch DataLoader. Spark writes the same documents (the `large`
 * shape) as DocArray shards with a manifest (this connector) and as Parquet; then
 * benchmarks/loader_benchmark.py feeds each into a DataLoader in one Python process — DocArray's
 * load_binary + MultiModalDataset + collate_fn against pyarrow + torch — and the ratio is reported.
 *
 * <pre>
 * bin/setup-python && .venv/bin/pip install -r python/requirements-bench.txt
 * mvn -q -pl benchmarks -am -DskipTests package exec:exec -Dbench.main=org.docarray.spark.benchmarks.LoaderBenchmark \
 *     -Dbench.args="--docs 200000 --python $PWD/.venv/bin/python"
 * </pre>
 */
public final class LoaderBenchmark {
  private LoaderBenchmark() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2)
      a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    long docs = Long.parseLong(a.getOrDefault("docs", "200000"));
    int shards = Integer.parseInt(a.getOrDefault("shards", "4"));
    String python = a.getOrDefault("python", ".venv/bin/python");
    String master =
        a.getOrDefault("master", "local[" + Runtime.getRuntime().availableProcessors() + "]");
    Path root = Paths.get("").toAbsolutePath();
    while (!Files.exists(root.resolve("benchmarks/loader_benchmark.py"))) root = root.getParent();
    // defaults relative to the repository root, wherever Maven runs the harness from
    Path dir =
        a.containsKey("dir")
            ? Paths.get(a.get("dir")).toAbsolutePath()
            : root.resolve("benchmarks/data");
    Path out =
        a.containsKey("out")
            ? Paths.get(a.get("out")).toAbsolutePath()
            : root.resolve("benchmarks/results");
    SparkSession spark =
        SparkSession.builder()
            .master(master)
            .appName("docarray-spark loader benchmark")
            .config("spark.ui.enabled", "false")
            .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    Path shardDir = dir.resolve("loader-shards");
    Path parquet = dir.resolve("loader-parquet");
    String sparkVersion = spark.version();
    try {
      Dataset<Row> src = ScanBenchmark.largeShape(spark, docs).repartition(shards).cache();
      src.count();
      ShardManifest m =
          DocArrayShards.writer(src).mode(SaveMode.Overwrite).save(shardDir.toString());
      src.write().mode(SaveMode.Overwrite).parquet(parquet.toString());
      src.unpersist();
      System.out.println("shards: " + m.shards);
    } finally {
      spark.stop();
    }
    Path json = Files.createTempFile("loader", ".json");
    Process p =
        new ProcessBuilder(
                python,
                root.resolve("benchmarks/loader_benchmark.py").toString(),
                shardDir.toString(),
                parquet.toString(),
                json.toString())
            .redirectErrorStream(true)
            .inheritIO()
            .start();
    if (!p.waitFor(2, TimeUnit.HOURS) || p.exitValue() != 0)
      throw new IllegalStateException("loader_benchmark.py failed");
    JsonNode r = new ObjectMapper().readTree(json.toFile());
    String env =
        String.format(
            Locale.ROOT,
            "Java %s, %d cores, Spark %s (writing), Python DataLoader num_workers=0, "
                + "batch size %d, %,d documents in %d shards",
            System.getProperty("java.version"),
            Runtime.getRuntime().availableProcessors(),
            sparkVersion,
            r.get("batch_size").asInt(),
            docs,
            shards);
    StringBuilder md =
        new StringBuilder("# docarray-spark loader benchmark\n\n").append(env).append("\n\n");
    md.append("| loader | documents | seconds | docs/s |\n|---|---:|---:|---:|\n");
    row(
        md,
        "DocArray shards → load_binary → MultiModalDataset → DataLoader(collate_fn)",
        r.get("docarray"));
    row(
        md,
        "(DocArray shards → load_binary only, no batching)",
        r.get("docarray_load_binary_only"));
    row(
        md,
        "Parquet (Spark, snappy) → pyarrow iter_batches → torch → DataLoader",
        r.get("parquet"));
    md.append(
        String.format(
            Locale.ROOT,
            "%n| ratio | value |%n|---|---:|%n| DocArray shards / Parquet loader | %.2f× |%n",
            r.get("ratio_docarray_over_parquet").asDouble()));
    System.out.println(md);
    Files.createDirectories(out);
    Files.writeString(out.resolve("loader-spark-" + sparkVersion + ".md"), md.toString());
    Files.writeString(
        out.resolve("loader-spark-" + sparkVersion + ".json"),
        new String(Files.readAllBytes(json), StandardCharsets.UTF_8));
  }

  private static void row(StringBuilder md, String what, JsonNode r) {
    md.append(
        String.format(
            Locale.ROOT,
            "| %s | %,d | %.2f | %,.0f |%n",
            what,
            r.get("documents").asLong(),
            r.get("seconds").asDouble(),
            r.get("docs_per_s").asDouble()));
  }
}
