package org.docarray.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every DocList fixture written as {@code protobuf} or {@code protobuf-array}, in every codec, read
 * through {@code spark.read.format("docarray")} and compared value by value with its sidecar.
 */
class FixtureGoldenTest extends SparkTestBase {

  /** Fixture files whose sidecar says protobuf / protobuf-array and row-wise documents. */
  static Stream<String> binaryDocListFixtures() throws IOException {
    try (Stream<Path> files = Files.list(fixtures())) {
      List<String> names = files.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".expected.json"))
          .map(n -> n.substring(0, n.length() - ".expected.json".length()))
          .filter(n -> !n.equals("large.protobuf"))
          .sorted()
          .collect(Collectors.toList());
      return names.stream().filter(n -> {
        JsonNode s = SidecarAssert.sidecarOf(n);
        String protocol = s.get("protocol").asText();
        boolean rowWise = s.get("container").asText().equals("DocList") || protocol.equals("protobuf");
        return (protocol.equals("protobuf") || protocol.equals("protobuf-array")) && rowWise;
      }).collect(Collectors.toList()).stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("binaryDocListFixtures")
  void readsFixtureExactly(String name) {
    JsonNode sidecar = SidecarAssert.sidecarOf(name);
    Dataset<Row> df = read(name);
    List<Row> rows = df.collectAsList();
    assertEquals(sidecar.get("num_docs").asInt(), rows.size(), "document count");
    SidecarAssert.assertRowsMatch(df.schema(), rows, sidecar.get("docs"));
    if (rows.size() > 0) {
      assertEquals("id", df.schema().fields()[0].name(), "id comes first");
    }
  }

  @org.junit.jupiter.api.Test
  void fixtureListCoversEveryCodec() throws IOException {
    List<String> names = binaryDocListFixtures().collect(Collectors.toList());
    for (String codec : new String[] {"lz4", "bz2", "lzma", "zlib", "gzip"}) {
      assertFalse(names.stream().noneMatch(n -> n.endsWith(".protobuf." + codec)), "protobuf." + codec);
      assertFalse(names.stream().noneMatch(n -> n.endsWith(".protobuf-array." + codec)), "protobuf-array." + codec);
    }
    assertEquals(35, names.size(), "number of row-wise protobuf fixtures: " + names);
  }
}
