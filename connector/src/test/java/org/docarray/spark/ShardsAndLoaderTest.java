package org.docarray.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.apache.spark.util.LongAccumulator;
import org.docarray.spark.functions.DocArrayFunctions;
import org.docarray.spark.loader.BatchIterator;
import org.docarray.spark.loader.DocArrayBatchLoader;
import org.docarray.spark.write.DocArrayShards;
import org.docarray.spark.write.ShardManifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Balanced shards with a manifest, and the JVM batch loader (Arrow batches, shuffle, epochs). */
class ShardsAndLoaderTest extends SparkTestBase {
  @TempDir Path tmp;

  /** n documents: id doc-i, text, label i % 7, a 4-element embedding [i, i+1, i+2, i+3]. */
  static Dataset<Row> docs(int n) {
    DocArrayFunctions.register(spark());
    return spark().range(n).selectExpr("concat('doc-', id) AS id", "repeat('x', CAST(id % 5 AS INT)) AS text",
        "CAST(id % 7 AS INT) AS label",
        "docarray_tensor(transform(sequence(0, 3), j -> CAST(id + j AS FLOAT))) AS embedding");
  }

  @Test
  void balancedShardsAndAManifestThatMatchesTheFiles() throws Exception {
    Path out = tmp.resolve("shards");
    ShardManifest m = DocArrayShards.writer(docs(1000)).numShards(4).option("compression", "lz4").save(out.toString());
    assertEquals(4, m.shards.size());
    assertEquals(1000, m.numDocuments());
    assertEquals("protobuf", m.protocol);
    assertEquals("lz4", m.compression);
    long min = Long.MAX_VALUE, max = 0, minB = Long.MAX_VALUE, maxB = 0;
    for (ShardManifest.Shard s : m.shards) {
      assertTrue(s.path.endsWith(".protobuf.lz4"), s.path);
      assertEquals(Files.size(out.resolve(s.path)), s.bytes);
      // each shard holds what the manifest says, read back file by file
      assertEquals(s.numDocuments, spark().read().format("docarray").load(out.resolve(s.path).toString()).count());
      min = Math.min(min, s.numDocuments);
      max = Math.max(max, s.numDocuments);
      minB = Math.min(minB, s.bytes);
      maxB = Math.max(maxB, s.bytes);
    }
    assertTrue(max - min <= 2, "round-robin counts " + m.shards);
    assertTrue(maxB < minB * 1.1, "sizes " + m.shards);
    ShardManifest back = ShardManifest.load(new org.apache.hadoop.fs.Path(out.toString()),
        spark().sparkContext().hadoopConfiguration());
    assertEquals(m.toJson(), back.toJson());
    assertEquals(docs(1).schema(), back.sparkSchema);
    // the manifest is not data: a read of the directory sees the 1000 documents only
    assertEquals(1000, spark().read().format("docarray").load(out.toString()).count());
    // py4j shorthand, overwrite
    ShardManifest again = DocArrayShards.write(docs(10), out.toString(), 3, Map.of("protocol", "protobuf-array"), "overwrite");
    assertEquals(3, again.shards.size());
    assertEquals(10, again.numDocuments());
    assertTrue(again.toJson().contains("\"protocol\" : \"protobuf-array\""));
    assertThrows(IllegalArgumentException.class, () -> DocArrayShards.writer(docs(1)).option("maxRecordsPerFile", "5"));
  }

  static List<String> ids(VectorSchemaRoot b) {
    VarCharVector v = (VarCharVector) b.getVector("id");
    List<String> out = new ArrayList<>();
    for (int i = 0; i < b.getRowCount(); i++) out.add(new String(v.get(i), java.nio.charset.StandardCharsets.UTF_8));
    return out;
  }

  @Test
  void batchesInOrderWithArrowContent() {
    DocArrayBatchLoader loader = DocArrayBatchLoader.builder(docs(100)).batchSize(32).build();
    List<Integer> sizes = new ArrayList<>();
    List<String> all = new ArrayList<>();
    try (BatchIterator it = loader.epoch(0)) {
      while (it.hasNext()) {
        VectorSchemaRoot b = it.next();
        sizes.add(b.getRowCount());
        all.addAll(ids(b));
        // the tensor column: struct<shape: list<int>, data: list<float>>, values as written
        StructVector emb = (StructVector) b.getVector("embedding");
        ListVector data = (ListVector) emb.getChild("data");
        Float4Vector values = (Float4Vector) data.getDataVector();
        for (int r = 0; r < b.getRowCount(); r++) {
          int doc = Integer.parseInt(ids(b).get(r).substring(4));
          int start = data.getElementStartIndex(r);
          assertEquals(4, data.getElementEndIndex(r) - start);
          for (int j = 0; j < 4; j++) assertEquals((float) (doc + j), values.get(start + j));
        }
        ColumnarBatch cb = BatchIterator.columnar(b);
        assertEquals(b.getRowCount(), cb.numRows());
        assertEquals(ids(b).get(0), cb.column(0).getUTF8String(0).toString());
        assertEquals(Integer.parseInt(ids(b).get(0).substring(4)) % 7, cb.column(2).getInt(0));
      }
    }
    assertEquals(List.of(32, 32, 32, 4), sizes);
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 100; i++) expected.add("doc-" + i);
    assertEquals(expected, all);

    DocArrayBatchLoader drop = DocArrayBatchLoader.builder(docs(100)).batchSize(32).dropLast(true).build();
    int n = 0;
    try (BatchIterator it = drop.epoch(0)) {
      while (it.hasNext()) assertEquals(32, it.next().getRowCount());
      n = (int) it.batches();
    }
    assertEquals(3, n);
  }

  static List<String> epochIds(DocArrayBatchLoader l, int epoch) {
    List<String> out = new ArrayList<>();
    try (BatchIterator it = l.epoch(epoch)) {
      while (it.hasNext()) out.addAll(ids(it.next()));
    }
    return out;
  }

  @Test
  void globalShuffleIsPerEpochAndReproducible() {
    Dataset<Row> d = docs(200);
    DocArrayBatchLoader a = DocArrayBatchLoader.builder(d).batchSize(50).shuffle(DocArrayBatchLoader.Shuffle.GLOBAL)
        .seed(7).build();
    List<String> e0 = epochIds(a, 0);
    List<String> e1 = epochIds(a, 1);
    assertEquals(200, e0.size());
    assertEquals(new HashSet<>(e0), new HashSet<>(e1), "every document once per epoch");
    assertEquals(200, new HashSet<>(e0).size());
    assertNotEquals(e0, e1, "a new order every epoch");
    assertEquals(e0, epochIds(a, 0), "same seed and epoch, same order");
    List<String> sorted = new ArrayList<>(e0);
    sorted.sort((x, y) -> Integer.compare(Integer.parseInt(x.substring(4)), Integer.parseInt(y.substring(4))));
    assertNotEquals(sorted, e0, "shuffled");
  }

  @Test
  void foreachBatchRunsOnTheExecutorsPerPartition() {
    LongAccumulator docsSeen = spark().sparkContext().longAccumulator("docs");
    LongAccumulator batches = spark().sparkContext().longAccumulator("batches");
    LongAccumulator labelSum = spark().sparkContext().longAccumulator("labels");
    DocArrayBatchLoader l = DocArrayBatchLoader.builder(docs(1000).repartition(4)).batchSize(100).build();
    l.foreachBatch(0, (partition, b) -> {
      assertTrue(b.getRowCount() <= 100);
      docsSeen.add(b.getRowCount());
      batches.add(1);
      org.apache.arrow.vector.IntVector label = (org.apache.arrow.vector.IntVector) b.getVector("label");
      for (int i = 0; i < b.getRowCount(); i++) labelSum.add(label.get(i));
    });
    assertEquals(1000, docsSeen.value());
    long expectedLabels = 0;
    for (int i = 0; i < 1000; i++) expectedLabels += i % 7;
    assertEquals(expectedLabels, labelSum.value());
    assertTrue(batches.value() >= 10 && batches.value() <= 14, "batches stay inside partitions: " + batches.value());
    assertFalse(l.schema().isEmpty());
  }
}
