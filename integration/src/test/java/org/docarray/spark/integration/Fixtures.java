package org.docarray.spark.integration;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.tukaani.xz.XZInputStream;

/**
 * The connector's fixtures (files written by DocArray 0.40.2), shared with the connector module's
 * tests.
 */
final class Fixtures {
  private static Path large;

  private Fixtures() {}

  static Path dir() {
    return Paths.get(
        System.getProperty("docarray.fixtures", "../connector/src/test/resources/fixtures"));
  }

  /**
   * Every file DocArray wrote that the connector reads (pickles are refused by design, sidecars are
   * not data).
   */
  static List<Path> readable() throws IOException {
    try (Stream<Path> s = Files.list(dir())) {
      return s.filter(
              p -> {
                String n = p.getFileName().toString();
                return !n.endsWith(".expected.json")
                    && !n.contains(".pickle")
                    && !n.endsWith(".md")
                    && !n.endsWith(".xz");
              })
          .sorted()
          .collect(Collectors.toList());
    }
  }

  /** large.protobuf (20,000 documents), unpacked from its xz file once per JVM. */
  static synchronized Path large() throws IOException {
    if (large == null) {
      Path out = Files.createTempDirectory("docarray-large").resolve("large.protobuf");
      try (InputStream in =
              new XZInputStream(Files.newInputStream(dir().resolve("large.protobuf.xz")));
          OutputStream o = Files.newOutputStream(out)) {
        in.transferTo(o);
      }
      out.toFile().deleteOnExit();
      large = out;
    }
    return large;
  }
}
