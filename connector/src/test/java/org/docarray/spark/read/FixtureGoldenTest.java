package org.docarray.spark.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.docarray.spark.testing.SidecarAssert;
import org.docarray.spark.testing.SparkTestBase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every DocList and DocVec fixture written as {@code protobuf} or {@code protobuf-array}, in every
 * codec, read through {@code spark.read.format("docarray")} and compared value by value with its
 * sidecar.
 */
class FixtureGoldenTest extends SparkTestBase {

  /** Fixture files whose sidecar says protobuf / protobuf-array (DocList and DocVec containers). */
  /** json-array files: tensors come back as float32 (JSON carries no dtype), values exact. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("jsonArrayFixtures")
  void readsJsonArrayFixtureExactly(String name) {
    readsFixtureExactly(name);
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
      assertFalse(
          names.stream().noneMatch(n -> n.endsWith(".protobuf." + codec)), "protobuf." + codec);
      assertFalse(
          names.stream().noneMatch(n -> n.endsWith(".protobuf-array." + codec)),
          "protobuf-array." + codec);
    }
    assertEquals(37, names.size(), "number of row-wise protobuf fixtures: " + names);
  }

  @org.junit.jupiter.api.Test
  void docVecAndRowWiseFilesOfTheSameFieldsMixInOneRead() {
    Dataset<Row> both =
        spark()
            .read()
            .format("docarray")
            .load(
                fixture("docvec.protobuf-array").toString(),
                fixture("docvec_rows.protobuf").toString());
    List<Row> rows = both.collectAsList();
    assertEquals(4 + 3, rows.size());
    JsonNode vec = SidecarAssert.sidecarOf("docvec.protobuf-array").get("docs");
    JsonNode rowWise = SidecarAssert.sidecarOf("docvec_rows.protobuf").get("docs");
    for (Row r : rows) {
      String id = r.getAs("id");
      JsonNode expected = null;
      for (JsonNode d : vec)
        if (d.get("id").get("text").asText().equals(id) && r.getAs("chunks") != null) expected = d;
      for (JsonNode d : rowWise)
        if (d.get("id").get("text").asText().equals(id) && r.getAs("chunks") == null) expected = d;
      SidecarAssert.assertDoc("mixed[" + id + "]", both.schema(), r, expected);
    }
    org.apache.spark.sql.types.StructType columnar = read("docvec.protobuf-array").schema();
    org.apache.spark.sql.types.StructType rowSchema = read("docvec_rows.protobuf").schema();
    for (org.apache.spark.sql.types.StructField f : rowSchema.fields()) {
      assertEquals(
          f.dataType(), columnar.apply(f.name()).dataType(), "same Spark type for " + f.name());
    }
  }

  /**
   * tensorMode=binary: every tensor's dtype, shape and buffer bytes exactly as stored (float16,
   * big-endian...).
   */
  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.ValueSource(
      strings = {
        "dtypes.protobuf",
        "dtypes.protobuf-array",
        "torch_tensors.protobuf",
        "images_torch.protobuf",
        "multimodal.protobuf"
      })
  void binaryTensorModeIsBitExact(String name) {
    Dataset<Row> df =
        spark()
            .read()
            .format("docarray")
            .option("tensorMode", "binary")
            .load(fixture(name).toString());
    org.apache.spark.sql.types.StructType s = df.schema();
    assertFalse(
        !s.simpleString().contains("struct<dtype:string,shape:array<int>,buffer:binary>"),
        "tensor columns are struct<dtype, shape, buffer>: " + s.simpleString());
    assertFalse(s.simpleString().contains("data:array"), "no typed tensor left");
    SidecarAssert.assertRowsMatch(s, df.collectAsList(), SidecarAssert.sidecarOf(name).get("docs"));
  }

  /**
   * The same VecDoc documents as a DocVec file and as a DocList file (written from it) in one read.
   */
  @org.junit.jupiter.api.Test
  void docVecAndDocListFilesOfOneClassReadTogether(@org.junit.jupiter.api.io.TempDir Path tmp)
      throws IOException {
    Path dir = tmp.resolve("mixed");
    Files.createDirectories(dir);
    Files.copy(fixture("docvec.protobuf-array"), dir.resolve("columnar.protobuf-array"));
    read("docvec.protobuf-array")
        .coalesce(1)
        .write()
        .format("docarray")
        .save(tmp.resolve("rows").toString());
    Path rowFile =
        Files.list(tmp.resolve("rows"))
            .filter(p -> p.toString().endsWith(".protobuf"))
            .findFirst()
            .get();
    Files.copy(rowFile, dir.resolve("rowwise.protobuf"));
    Dataset<Row> both = spark().read().format("docarray").load(dir.toString());
    assertEquals(
        read("docvec.protobuf-array").schema(), both.schema(), "one schema for both containers");
    List<Row> rows = both.orderBy("id").collectAsList();
    assertEquals(8, rows.size());
    JsonNode docs = SidecarAssert.sidecarOf("docvec.protobuf-array").get("docs");
    for (int i = 0; i < rows.size(); i++) {
      SidecarAssert.assertDoc("mixed[" + i + "]", both.schema(), rows.get(i), docs.get(i / 2));
    }
  }
}
