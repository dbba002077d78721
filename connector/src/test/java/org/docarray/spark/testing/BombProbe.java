package org.docarray.spark.testing;

import java.io.File;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.types.StructType;
import org.docarray.spark.config.DocArrayReadConf;
import org.docarray.spark.read.DocumentRowReader;

/**
 * Reads one file with the executor's reader (no Spark session) in a JVM of its own, so that a test
 * can run it under a small heap: prints "rejected: message" or "read N documents".
 */
public final class BombProbe {
  private BombProbe() {}

  public static void main(String[] args) throws Exception {
    File f = new File(args[0]);
    DocumentRowReader.Settings s =
        new DocumentRowReader.Settings(
            DocArrayReadConf.withSparkDefaults(Map.of()), StructType.fromDDL("id STRING"));
    long n = 0;
    try (DocumentRowReader r =
        DocumentRowReader.open(
            s.compile(), f.toURI().toString(), f.length(), new Configuration())) {
      while (r.next()) n++;
      System.out.println("read " + n + " documents");
    } catch (Exception e) {
      System.out.println("rejected: " + e.getMessage());
    }
    Runtime rt = Runtime.getRuntime();
    System.out.println("max heap " + rt.maxMemory() / (1 << 20) + " MiB");
  }
}
