package org.docarray.spark.examples;

import java.io.IOException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.docarray.spark.functions.DocArrayPreprocessor;
import org.docarray.spark.functions.DocRows;
import org.docarray.spark.functions.Tensors;
import org.docarray.spark.write.DocArrayShards;
import org.docarray.spark.write.ShardManifest;

/**
 * The end-to-end pipeline of the seed's Student → Thesis → TextDoc documents: Spark reads them,
 * embeds {@code thesis.title} with a deterministic hashing embedding and normalises it on the
 * executors (DocArray's MultiModalDataset preprocessing, by dotted path), and writes balanced lz4
 * shards with a manifest; {@code python/train_from_shards.py} then trains a tiny torch model on the
 * shards through DocArray's {@code MultiModalDataset[Student]} and a PyTorch {@code DataLoader}.
 *
 * <pre>
 * mvn -q -pl examples -am -DskipTests package exec:exec -Dexec.mainClass=org.docarray.spark.examples.StudentPipeline \
 *     -Dquickstart.data="examples/src/main/resources/sample /tmp/student-shards 3"
 * .venv/bin/python python/train_from_shards.py /tmp/student-shards
 * </pre>
 */
public final class StudentPipeline {
  private StudentPipeline() {}

  public static final int DIM = 8;

  /**
   * Code point c at position i adds 1 to dimension (31c + i) mod 8: deterministic, no model
   * download.
   */
  public static float[] hashEmbedding(String text) {
    float[] v = new float[DIM];
    if (text == null) return v;
    int[] cps = text.codePoints().toArray();
    for (int i = 0; i < cps.length; i++) v[Math.floorMod(cps[i] * 31 + i, DIM)] += 1f;
    return v;
  }

  /**
   * {"thesis.title": embed the title, "thesis": normalise its embedding}, as in DocArray's docs.
   */
  public static DocArrayPreprocessor preprocessor(StructType schema) {
    StructType title =
        (StructType) ((StructType) schema.apply("thesis").dataType()).apply("title").dataType();
    return DocArrayPreprocessor.builder()
        .map(
            "thesis.title",
            t ->
                DocRows.with(
                    (Row) t, "embedding", Tensors.of(hashEmbedding(((Row) t).getAs("text")))),
            DocRows.withField(title, "embedding", Tensors.FLOAT32))
        .map(
            "thesis",
            th -> {
              Row t = ((Row) th).getAs("title");
              return DocRows.with(
                  (Row) th,
                  "title",
                  DocRows.with(t, "embedding", Tensors.l2Normalize(t.getAs("embedding"))));
            })
        .build();
  }

  public static ShardManifest run(SparkSession spark, String input, String output, int shards)
      throws IOException {
    Dataset<Row> students = spark.read().format("docarray").load(input);
    Dataset<Row> prepared = preprocessor(students.schema()).apply(students);
    return DocArrayShards.writer(prepared)
        .numShards(shards)
        .option("compression", "lz4")
        .mode(SaveMode.Overwrite)
        .save(output);
  }

  public static void main(String[] args) throws IOException {
    String input = args.length > 0 ? args[0] : "examples/src/main/resources/sample";
    String output = args.length > 1 ? args[1] : "target/student-shards";
    int shards = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    SparkSession spark =
        SparkSession.builder()
            .appName("docarray-spark student pipeline")
            .master(System.getProperty("spark.master", "local[*]"))
            .config("spark.ui.enabled", "false")
            .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    try {
      ShardManifest m = run(spark, input, output, shards);
      System.out.println("Wrote " + m.numDocuments() + " preprocessed students to " + output + ":");
      for (ShardManifest.Shard s : m.shards) System.out.println("  " + s);
      System.out.println("Train on them: .venv/bin/python python/train_from_shards.py " + output);
    } finally {
      spark.stop();
    }
  }
}
