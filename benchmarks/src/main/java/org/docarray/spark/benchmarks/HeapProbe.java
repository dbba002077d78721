package org.docarray.spark.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Locale;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Reads one big protobuf file in a JVM whose heap is small (the parent starts it with -Xmx512m):
 * count(*), a full scan, sum(label) and a sum over every document's tensor. Prints one line per
 * query with the seconds, the result and the peak heap used.
 */
public final class HeapProbe {
  private HeapProbe() {}

  public static void main(String[] args) {
    String file = args[0];
    SparkSession spark =
        SparkSession.builder().master("local[2]").config("spark.ui.enabled", "false").getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    try {
      run("count(*)", () -> spark.read().format("docarray").load(file).count());
      run(
          "full scan (noop sink)",
          () -> {
            spark
                .read()
                .format("docarray")
                .load(file)
                .write()
                .format("noop")
                .mode("overwrite")
                .save();
            return -1L;
          });
      run(
          "sum(label)",
          () ->
              spark
                  .read()
                  .format("docarray")
                  .load(file)
                  .selectExpr("sum(label)")
                  .first()
                  .getLong(0));
      run(
          "sum(aggregate(embedding.data))",
          () -> {
            Row r =
                spark
                    .read()
                    .format("docarray")
                    .load(file)
                    .selectExpr("sum(aggregate(embedding.data, 0D, (acc, x) -> acc + x))")
                    .first();
            return (long) r.getDouble(0);
          });
    } finally {
      spark.stop();
    }
  }

  interface Query {
    long run();
  }

  static void run(String what, Query q) {
    long t0 = System.nanoTime();
    long result = q.run();
    double s = (System.nanoTime() - t0) / 1e9;
    long peak = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) peak += p.getPeakUsage().getUsed();
    }
    System.out.printf(
        Locale.ROOT,
        "HEAPPROBE|%s|%.2f|%d|%d|%d%n",
        what,
        s,
        result,
        peak,
        Runtime.getRuntime().maxMemory());
  }
}
