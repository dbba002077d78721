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
    org.apache.spark.sql.Dataset<Row> pre = spark.read().format("docarray").load(dir);
    org.apache.spark.sql.Dataset<Row> preS = spark.read().format("docarray").schema(schema).load(dir);
    t("label noop (df loaded before)", () -> pre.select("label").write().format("noop").mode("overwrite").save());
    t("label noop with schema (df loaded before)", () -> preS.select("label").write().format("noop").mode("overwrite").save());
    org.apache.spark.sql.types.StructType inferred = pre.schema();
    org.apache.spark.sql.types.StructType noMeta = org.apache.spark.sql.types.StructType.fromDDL(inferred.toDDL());
    t("label noop, inferred schema given", () -> spark.read().format("docarray").schema(inferred).load(dir).select("label").write().format("noop").mode("overwrite").save());
    t("label noop, inferred order no metadata", () -> spark.read().format("docarray").schema(noMeta).load(dir).select("label").write().format("noop").mode("overwrite").save());
    t("label noop (df loaded before) again", () -> pre.select("label").write().format("noop").mode("overwrite").save());
    t("label noop with schema (df loaded before) again", () -> preS.select("label").write().format("noop").mode("overwrite").save());
    System.out.println("PROBE schema inferred: " + pre.schema().simpleString());
    System.out.println("PROBE plan: " + pre.select("label").queryExecution().executedPlan());
    System.out.println("PROBE plan S: " + preS.select("label").queryExecution().executedPlan());
    spark.stop();
  }
}
