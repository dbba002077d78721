package org.docarray.spark.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.apache.spark.util.LongAccumulator;
import org.docarray.spark.testing.SparkTestBase;
import org.junit.jupiter.api.Test;

/**
 * The JVM batch loader: Arrow batches in order, a per-epoch reproducible shuffle, work on the
 * executors.
 */
class BatchLoaderTest extends SparkTestBase {
  static List<String> ids(VectorSchemaRoot b) {
    VarCharVector v = (VarCharVector) b.getVector("id");
    List<String> out = new ArrayList<>();
    for (int i = 0; i < b.getRowCount(); i++)
      out.add(new String(v.get(i), java.nio.charset.StandardCharsets.UTF_8));
    return out;
  }

  @Test
  void batchesInOrderWithArrowContent() {
    DocArrayBatchLoader loader =
        DocArrayBatchLoader.builder(numberedDocs(100)).batchSize(32).build();
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

    DocArrayBatchLoader drop =
        DocArrayBatchLoader.builder(numberedDocs(100)).batchSize(32).dropLast(true).build();
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
    Dataset<Row> d = numberedDocs(200);
    DocArrayBatchLoader a =
        DocArrayBatchLoader.builder(d)
            .batchSize(50)
            .shuffle(DocArrayBatchLoader.Shuffle.GLOBAL)
            .seed(7)
            .build();
    List<String> e0 = epochIds(a, 0);
    List<String> e1 = epochIds(a, 1);
    assertEquals(200, e0.size());
    assertEquals(new HashSet<>(e0), new HashSet<>(e1), "every document once per epoch");
    assertEquals(200, new HashSet<>(e0).size());
    assertNotEquals(e0, e1, "a new order every epoch");
    assertEquals(e0, epochIds(a, 0), "same seed and epoch, same order");
    List<String> sorted = new ArrayList<>(e0);
    sorted.sort(
        (x, y) ->
            Integer.compare(Integer.parseInt(x.substring(4)), Integer.parseInt(y.substring(4))));
    assertNotEquals(sorted, e0, "shuffled");
  }

  @Test
  void foreachBatchRunsOnTheExecutorsPerPartition() {
    LongAccumulator docsSeen = spark().sparkContext().longAccumulator("docs");
    LongAccumulator batches = spark().sparkContext().longAccumulator("batches");
    LongAccumulator labelSum = spark().sparkContext().longAccumulator("labels");
    DocArrayBatchLoader l =
        DocArrayBatchLoader.builder(numberedDocs(1000).repartition(4)).batchSize(100).build();
    l.foreachBatch(
        0,
        (partition, b) -> {
          assertTrue(b.getRowCount() <= 100);
          docsSeen.add(b.getRowCount());
          batches.add(1);
          org.apache.arrow.vector.IntVector label =
              (org.apache.arrow.vector.IntVector) b.getVector("label");
          for (int i = 0; i < b.getRowCount(); i++) labelSum.add(label.get(i));
        });
    assertEquals(1000, docsSeen.value());
    long expectedLabels = 0;
    for (int i = 0; i < 1000; i++) expectedLabels += i % 7;
    assertEquals(expectedLabels, labelSum.value());
    assertTrue(
        batches.value() >= 10 && batches.value() <= 14,
        "batches stay inside partitions: " + batches.value());
    assertFalse(l.schema().isEmpty());
  }
}
