package org.docarray.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.tukaani.xz.XZInputStream;

/** One local SparkSession for the whole test JVM, and access to the bundled fixtures. */
public abstract class SparkTestBase {
  private static SparkSession spark;
  private static Path largeFixture;

  protected static synchronized SparkSession spark() {
    if (spark == null) {
      spark = SparkSession.builder()
          .master("local[2,2]") // two cores; a failed task is retried once, as on a cluster
          .appName("docarray-spark-tests")
          .config("spark.ui.enabled", "false")
          .config("spark.sql.shuffle.partitions", "2")
          .config("spark.driver.host", "127.0.0.1")
          .getOrCreate();
      spark.sparkContext().setLogLevel("WARN");
    }
    return spark;
  }

  /** A new directory under {@code parent} with copies of fixtures: pairs of (fixture, file name). */
  protected static Path directoryOf(Path parent, String name, String... fixtureThenFile) throws IOException {
    Path dir = parent.resolve(name);
    Files.createDirectories(dir);
    for (int i = 0; i + 1 < fixtureThenFile.length; i += 2) {
      Files.copy(fixture(fixtureThenFile[i]), dir.resolve(fixtureThenFile[i + 1]));
    }
    return dir;
  }

  /** The physical plan as text (which scan, columnar or not, local or not). */
  protected static String plan(Dataset<Row> df) {
    return df.queryExecution().executedPlan().toString();
  }

  /** The directory of the bundled DocArray fixtures (copied from shared/fixtures). */
  protected static Path fixtures() {
    String p = System.getProperty("docarray.fixtures");
    return p != null ? Paths.get(p) : Paths.get("src/test/resources/fixtures");
  }

  /** A fixture file; {@code large.protobuf} is stored xz-compressed and unpacked on first use. */
  protected static synchronized Path fixture(String name) {
    if (name.equals("large.protobuf")) {
      if (largeFixture == null) {
        try {
          Path dir = Files.createTempDirectory("docarray-large");
          largeFixture = dir.resolve("large.protobuf");
          try (InputStream in = new XZInputStream(Files.newInputStream(fixtures().resolve("large.protobuf.xz")));
              OutputStream out = Files.newOutputStream(largeFixture)) {
            in.transferTo(out);
          }
        } catch (IOException e) {
          throw new RuntimeException(e);
        }
      }
      return largeFixture;
    }
    return fixtures().resolve(name);
  }

  protected static Dataset<Row> read(String fixtureName) {
    return spark().read().format("docarray").load(fixture(fixtureName).toString());
  }

  protected static List<Row> rows(String fixtureName) {
    return read(fixtureName).collectAsList();
  }
}
