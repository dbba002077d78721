package org.docarray.spark.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.docarray.spark.testing.SparkTestBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Balanced shards with a manifest that matches the files. */
class ShardsTest extends SparkTestBase {
  @TempDir Path tmp;

  @Test
  void balancedShardsAndAManifestThatMatchesTheFiles() throws Exception {
    Path out = tmp.resolve("shards");
    ShardManifest m =
        DocArrayShards.writer(numberedDocs(1000))
            .numShards(4)
            .option("compression", "lz4")
            .save(out.toString());
    assertEquals(4, m.shards.size());
    assertEquals(1000, m.numDocuments());
    assertEquals("protobuf", m.protocol);
    assertEquals("lz4", m.compression);
    long min = Long.MAX_VALUE, max = 0, minB = Long.MAX_VALUE, maxB = 0;
    for (ShardManifest.Shard s : m.shards) {
      assertTrue(s.path.endsWith(".protobuf.lz4"), s.path);
      assertEquals(Files.size(out.resolve(s.path)), s.bytes);
      // each shard holds what the manifest says, read back file by file
      assertEquals(
          s.numDocuments,
          spark().read().format("docarray").load(out.resolve(s.path).toString()).count());
      min = Math.min(min, s.numDocuments);
      max = Math.max(max, s.numDocuments);
      minB = Math.min(minB, s.bytes);
      maxB = Math.max(maxB, s.bytes);
    }
    assertTrue(max - min <= 2, "round-robin counts " + m.shards);
    assertTrue(maxB < minB * 1.1, "sizes " + m.shards);
    ShardManifest back =
        ShardManifest.load(
            new org.apache.hadoop.fs.Path(out.toString()),
            spark().sparkContext().hadoopConfiguration());
    assertEquals(m.toJson(), back.toJson());
    assertEquals(numberedDocs(1).schema(), back.sparkSchema);
    // the manifest is not data: a read of the directory sees the 1000 documents only
    assertEquals(1000, spark().read().format("docarray").load(out.toString()).count());
    // py4j shorthand, overwrite
    ShardManifest again =
        DocArrayShards.write(
            numberedDocs(10), out.toString(), 3, Map.of("protocol", "protobuf-array"), "overwrite");
    assertEquals(3, again.shards.size());
    assertEquals(10, again.numDocuments());
    assertTrue(again.toJson().contains("\"protocol\" : \"protobuf-array\""));
    assertThrows(
        IllegalArgumentException.class,
        () -> DocArrayShards.writer(numberedDocs(1)).option("maxRecordsPerFile", "5"));
  }

  /**
   * A directory written with manifest=true is planned from its manifest: the schema comes from it
   * and no data file is opened on the driver (a file whose bytes were damaged in place still
   * plans); a file added since makes the manifest stale, and the schema is inferred again.
   */
  @Test
  void aManifestGivesTheSchemaWithoutOpeningAFile() throws Exception {
    Path out = tmp.resolve("with-manifest");
    org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> docs = numberedDocs(50).repartition(2);
    docs.write().format("docarray").option("manifest", "true").save(out.toString());
    org.apache.spark.sql.types.StructType written =
        org.docarray.spark.write.ShardManifest.load(
                new org.apache.hadoop.fs.Path(out.toUri()),
                new org.apache.hadoop.conf.Configuration())
            .sparkSchema;
    Path data;
    try (java.util.stream.Stream<Path> files = Files.list(out)) {
      data = files.filter(p -> p.getFileName().toString().endsWith(".protobuf")).findFirst().get();
    }
    byte[] bytes = Files.readAllBytes(data);
    java.util.Arrays.fill(bytes, 0, bytes.length, (byte) 0xff); // same length, nothing readable
    Files.write(data, bytes);
    spark().conf().set("spark.docarray.metadataCache.enabled", "false");
    try {
      assertEquals(written, spark().read().format("docarray").load(out.toString()).schema());
      Files.delete(data);
      Files.copy(fixture("students.protobuf"), out.resolve("added.protobuf"));
      org.apache.spark.sql.types.StructType inferred =
          spark().read().format("docarray").load(out.toString()).schema();
      assertTrue(
          java.util.Arrays.asList(inferred.fieldNames()).contains("thesis"),
          "stale manifest: inferred from the files, " + inferred.simpleString());
    } finally {
      spark().conf().unset("spark.docarray.metadataCache.enabled");
    }
  }
}
