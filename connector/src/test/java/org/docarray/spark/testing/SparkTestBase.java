package org.docarray.spark.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.tukaani.xz.XZInputStream;

/** One local SparkSession for the whole test JVM, and access to the bundled fixtures. */
public abstract class SparkTestBase {
  private static SparkSession spark;
  private static Path largeFixture;

  public static synchronized SparkSession spark() {
    if (spark == null) {
      spark =
          SparkSession.builder()
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

  /**
   * A new directory under {@code parent} with copies of fixtures: pairs of (fixture, file name).
   */
  public static Path directoryOf(Path parent, String name, String... fixtureThenFile)
      throws IOException {
    Path dir = parent.resolve(name);
    Files.createDirectories(dir);
    for (int i = 0; i + 1 < fixtureThenFile.length; i += 2) {
      Files.copy(fixture(fixtureThenFile[i]), dir.resolve(fixtureThenFile[i + 1]));
    }
    return dir;
  }

  /** The physical plan as text (which scan, columnar or not, local or not). */
  public static String plan(Dataset<Row> df) {
    return df.queryExecution().executedPlan().toString();
  }

  /** The directory of the bundled DocArray fixtures (copied from shared/fixtures). */
  public static Path fixtures() {
    String p = System.getProperty("docarray.fixtures");
    return p != null ? Paths.get(p) : Paths.get("src/test/resources/fixtures");
  }

  /** A fixture file; {@code large.protobuf} is stored xz-compressed and unpacked on first use. */
  public static synchronized Path fixture(String name) {
    if (name.equals("large.protobuf")) {
      if (largeFixture == null) {
        try {
          Path dir = Files.createTempDirectory("docarray-large");
          largeFixture = dir.resolve("large.protobuf");
          try (InputStream in =
                  new XZInputStream(Files.newInputStream(fixtures().resolve("large.protobuf.xz")));
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

  public static Dataset<Row> read(String fixtureName) {
    return spark().read().format("docarray").load(fixture(fixtureName).toString());
  }

  public static List<Row> rows(String fixtureName) {
    return read(fixtureName).collectAsList();
  }

  /** Every message of a throwable and its causes, joined: what a user reads in the stack trace. */
  public static String rootMessage(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) sb.append(t.getMessage()).append(" | ");
    return sb.toString();
  }

  /** The fixtures in a binary protocol (every DocList file but the large one). */
  public static Stream<String> binaryDocListFixtures() throws IOException {
    try (Stream<Path> files = Files.list(fixtures())) {
      List<String> names =
          files
              .map(p -> p.getFileName().toString())
              .filter(n -> n.endsWith(".expected.json"))
              .map(n -> n.substring(0, n.length() - ".expected.json".length()))
              .filter(n -> !n.equals("large.protobuf"))
              .sorted()
              .collect(Collectors.toList());
      return names.stream()
          .filter(
              n -> {
                JsonNode s = SidecarAssert.sidecarOf(n);
                String protocol = s.get("protocol").asText();
                return protocol.equals("protobuf") || protocol.equals("protobuf-array");
              })
          .collect(Collectors.toList())
          .stream();
    }
  }

  public static Stream<String> jsonArrayFixtures() throws IOException {
    try (Stream<Path> files = Files.list(fixtures())) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.contains(".json-array") && !n.endsWith(".expected.json"))
          .sorted()
          .collect(Collectors.toList())
          .stream();
    }
  }

  /** n documents: id doc-i, text, label i % 7, a 4-element embedding [i, i+1, i+2, i+3]. */
  public static Dataset<Row> numberedDocs(int n) {
    org.docarray.spark.functions.DocArrayFunctions.register(spark());
    return spark()
        .range(n)
        .selectExpr(
            "concat('doc-', id) AS id",
            "repeat('x', CAST(id % 5 AS INT)) AS text",
            "CAST(id % 7 AS INT) AS label",
            "docarray_tensor(transform(sequence(0, 3), j -> CAST(id + j AS FLOAT))) AS embedding");
  }
}
