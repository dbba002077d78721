package org.docarray.spark.benchmarks;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

public final class Probe {
  static void t(String what, Runnable r) {
    double best = 1e9;
    for (int i = 0; i < 4; i++) {
      long t0 = System.nanoTime();
      r.run();
      best = Math.min(best, (System.nanoTime() - t0) / 1e9);
    }
    System.out.printf("PROBE %-40s %.3f s%n", what, best);
  }

  public static void main(String[] args) {
    SparkSession spark = SparkSession.builder().master("local[2]").config("spark.ui.enabled", "false").getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    String dir = args[0];
    String schema = "id STRING, label INT, text STRING, embedding STRUCT<shape: ARRAY<INT>, data: ARRAY<FLOAT>>";
    for (String c : new String[] {"true", "false"}) {
      t("columnar=" + c + " full", () -> spark.read().format("docarray").option("columnar", c).schema(schema).load(dir).write().format("noop").mode("overwrite").save());
      t("columnar=" + c + " label", () -> spark.read().format("docarray").option("columnar", c).schema(schema).load(dir).select("label").write().format("noop").mode("overwrite").save());
      t("columnar=" + c + " sum(label)", () -> spark.read().format("docarray").option("columnar", c).schema(schema).load(dir).selectExpr("sum(label)").collect());
      t("columnar=" + c + " sum(emb[0])", () -> spark.read().format("docarray").option("columnar", c).schema(schema).load(dir).selectExpr("sum(embedding.data[0])").collect());
    }
    t("parquet full", () -> spark.read().parquet(args[1]).write().format("noop").mode("overwrite").save());
    t("parquet sum(emb[0])", () -> spark.read().parquet(args[1]).selectExpr("sum(embedding[0])").collect());
    spark.stop();
  }
}
