package org.docarray.spark.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.docarray.spark.write.ShardManifest;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The end-to-end path: Spark preprocesses the sample students into shards, then
 * python/train_from_shards.py loads them with the real DocArray, batches them with
 * MultiModalDataset[Student].collate_fn in a DataLoader and trains, printing the loss.
 */
class StudentPipelineTest {
  @TempDir Path tmp;

  static Path python() {
    String p = System.getProperty("docarray.python", System.getenv("DOCARRAY_PYTHON"));
    Path py = p != null ? Paths.get(p) : Paths.get("../.venv/bin/python");
    if (!Files.isExecutable(py) && Boolean.getBoolean("docarray.requirePython"))
      fail("no Python DocArray at " + py);
    Assumptions.assumeTrue(
        Files.isExecutable(py), "no Python DocArray environment (run bin/setup-python)");
    return py;
  }

  @Test
  void sparkShardsTrainATorchModelThroughMultiModalDataset() throws Exception {
    SparkSession spark =
        SparkSession.builder()
            .master("local[2]")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .getOrCreate();
    Path out = tmp.resolve("shards");
    ShardManifest m = StudentPipeline.run(spark, TypedApiTest.SAMPLE, out.toString(), 3);
    assertEquals(3, m.shards.size());
    assertEquals(12, m.numDocuments());
    for (ShardManifest.Shard s : m.shards) assertEquals(4, s.numDocuments, s.toString());
    // the embedding Spark computed is the normalised hashing embedding of the title
    Row r =
        spark
            .read()
            .format("docarray")
            .load(out.toString())
            .filter("id = 'stu-0'")
            .select("thesis.title.text", "thesis.title.embedding.data")
            .first();
    float[] h = StudentPipeline.hashEmbedding(r.getString(0));
    double n = 0;
    for (float x : h) n += x * x;
    List<Object> e = r.getList(1);
    for (int i = 0; i < 8; i++) assertEquals((float) (h[i] / Math.sqrt(n)), (Float) e.get(i), 0f);

    Path script = Paths.get("../python/train_from_shards.py");
    for (String[] rank : new String[][] {{"0", "1"}, {"1", "2"}}) {
      Process p =
          new ProcessBuilder(
                  python().toString(),
                  script.toString(),
                  out.toString(),
                  "--rank",
                  rank[0],
                  "--world-size",
                  rank[1])
              .redirectErrorStream(true)
              .start();
      String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(5, TimeUnit.MINUTES));
      System.out.println(log);
      assertEquals(0, p.exitValue(), log);
      int docs = rank[1].equals("1") ? 12 : 4; // world 2, rank 1 gets shard 1 of 3
      assertTrue(log.contains(docs + " documents from"), log);
      Matcher losses = Pattern.compile("loss (\\d+\\.\\d+)").matcher(log);
      int count = 0;
      while (losses.find()) {
        assertTrue(Double.isFinite(Double.parseDouble(losses.group(1))));
        count++;
      }
      assertEquals(2 * ((docs + 3) / 4), count, "two epochs of batches of 4:\n" + log);
    }
  }
}
