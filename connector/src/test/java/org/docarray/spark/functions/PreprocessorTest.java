package org.docarray.spark.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.docarray.spark.testing.DocArrayPython;
import org.docarray.spark.testing.SidecarAssert;
import org.docarray.spark.testing.SparkTestBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DocArrayPreprocessor against DocArray's own MultiModalDataset: the same functions (Java here,
 * Python in python/mmd_reference.py) over the same files give the same documents, value by value.
 */
class PreprocessorTest extends SparkTestBase {
  @TempDir Path tmp;

  static float[] hashEmbedding(String text) {
    float[] v = new float[8];
    if (text == null) return v;
    int[] cps = text.codePoints().toArray();
    for (int i = 0; i < cps.length; i++) v[Math.floorMod(cps[i] * 31 + i, 8)] += 1f;
    return v;
  }

  /** The Java twins of python/mmd_reference.py's PREPROCESSING, in the same order. */
  static DocArrayPreprocessor studentPreprocessor(StructType schema) {
    StructType title =
        (StructType) ((StructType) schema.apply("thesis").dataType()).apply("title").dataType();
    StructType titleWithTensor = DocRows.withField(title, "embedding", Tensors.FLOAT32);
    return DocArrayPreprocessor.builder()
        .map(
            "thesis.title",
            t ->
                DocRows.with(
                    (Row) t, "embedding", Tensors.of(hashEmbedding(((Row) t).getAs("text")))),
            titleWithTensor)
        .map(
            "thesis",
            th -> {
              Row t = ((Row) th).getAs("title");
              float[] e = Tensors.data(t.getAs("embedding"));
              double n = 0;
              for (float x : e) n += (double) x * x;
              n = Math.sqrt(n);
              if (n == 0) return null; // keep, as the Python function does
              float[] out = new float[e.length];
              for (int i = 0; i < e.length; i++) out[i] = (float) (e[i] / n);
              return DocRows.with((Row) th, "title", DocRows.with(t, "embedding", Tensors.of(out)));
            })
        .map(
            "thesis.title.text",
            s -> s == null || ((String) s).isEmpty() ? null : ((String) s).toUpperCase(Locale.ROOT))
        .map(
            "",
            d -> {
              Row doc = (Row) d;
              Row th = doc.getAs("thesis");
              Row t = th.getAs("title");
              if (t.getAs("url") != null) return null;
              return DocRows.with(
                  doc,
                  "thesis",
                  DocRows.with(
                      th,
                      "title",
                      DocRows.with(t, "url", "https://example.org/" + doc.getAs("id"))));
            })
        .build();
  }

  @Test
  void equalsMultiModalDatasetDocumentByDocument() throws Exception {
    Path py = DocArrayPython.python();
    Path script = DocArrayPython.repoRoot().resolve("python/mmd_reference.py");
    Path generated = tmp.resolve("gen.protobuf");
    run(py.toString(), script.toString(), "generate", generated.toString(), "60");
    Path expectedJson = tmp.resolve("mmd.json");
    String[] files = {
      generated.toString(),
      fixture("students.protobuf").toString(),
      fixture("students.protobuf-array.lz4").toString()
    };
    List<String> cmd =
        new ArrayList<>(
            List.of(py.toString(), script.toString(), "apply", expectedJson.toString()));
    cmd.addAll(List.of(files));
    run(cmd.toArray(new String[0]));
    JsonNode expected = SidecarAssert.JSON.readTree(expectedJson.toFile());

    Dataset<Row> docs = spark().read().format("docarray").load(files);
    Dataset<Row> prepared = studentPreprocessor(docs.schema()).apply(docs);
    // ids repeat across the two fixture files: compare in file order, the order both sides read
    List<Row> rows =
        prepared
            .select("id", "thesis.title.text", "thesis.title.url", "thesis.title.embedding")
            .collectAsList();
    assertEquals(expected.size(), rows.size());
    Map<String, Integer> seen = new LinkedHashMap<>();
    for (JsonNode e : expected) seen.merge(e.get("id").asText(), 1, Integer::sum);
    Map<String, Integer> got = new LinkedHashMap<>();
    for (Row r : rows) got.merge(r.getString(0), 1, Integer::sum);
    assertEquals(seen, got, "the same documents");
    Map<String, List<JsonNode>> expectedById = new HashMap<>();
    for (JsonNode e : expected)
      expectedById.computeIfAbsent(e.get("id").asText(), k -> new ArrayList<>()).add(e);
    int compared = 0;
    for (Row r : rows) {
      String id = r.getString(0);
      // documents with the same id (the same fixture in two codecs) are identical, so any twin will
      // do
      JsonNode e = expectedById.get(id).get(0);
      assertEquals(
          e.get("text").isNull() ? null : e.get("text").asText(), r.getString(1), id + " text");
      assertEquals(
          e.get("url").isNull() ? null : e.get("url").asText(), r.getString(2), id + " url");
      float[] emb = Tensors.data(r.getStruct(3));
      JsonNode ee = e.get("embedding");
      assertEquals(ee.size(), emb.length, id + " embedding length");
      for (int i = 0; i < emb.length; i++) {
        assertEquals((float) ee.get(i).asDouble(), emb[i], 0f, id + " embedding[" + i + "]");
      }
      assertEquals(List.of(8), Tensors.shape(r.getStruct(3)), id + " shape");
      compared++;
    }
    assertEquals(66, compared);
    // the rows were really changed: upper-cased, embedded, linked
    assertTrue(
        rows.stream()
            .anyMatch(
                r -> "ON THE SPECTRAL RADIUS OF SPARSE RANDOM GRAPHS".equals(r.getString(1))));
  }

  static void run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "timed out: " + String.join(" ", cmd));
    assertEquals(0, p.exitValue(), out);
  }

  @Test
  void docListPathsApplyPerElementAndErrorsNamePathAndId() {
    Dataset<Row> pages = read("pages.protobuf");
    Dataset<Row> up =
        DocArrayPreprocessor.builder()
            .map("chunks.text", s -> ((String) s).toUpperCase(Locale.ROOT))
            .map("chunks.pos", p -> ((Integer) p) * 10)
            .build()
            .apply(pages);
    List<Row> rows = up.orderBy("page_no").select("chunks.text", "chunks.pos").collectAsList();
    assertEquals(List.of(), rows.get(0).getList(0));
    assertEquals(
        List.of("PAGE 2 CHUNK 0", "PAGE 2 CHUNK 1", "PAGE 2 CHUNK 2"), rows.get(2).getList(0));
    assertEquals(List.of(0, 10, 20), rows.get(2).getList(1));

    DocArrayPreprocessor failing =
        DocArrayPreprocessor.builder()
            .map(
                "chunks.pos",
                p -> {
                  if ((Integer) p == 1) throw new IllegalStateException("pos one is not allowed");
                  return p;
                })
            .build();
    Exception e = assertThrows(Exception.class, () -> failing.apply(pages).collectAsList());
    Throwable c = e;
    while (c != null && !(c instanceof DocArrayPreprocessingException)) c = c.getCause();
    assertTrue(c != null, "cause chain: " + e);
    assertTrue(c.getMessage().contains("'chunks[1].pos'"), c.getMessage());
    assertTrue(
        c.getMessage().contains("id='page-1'") || c.getMessage().contains("id='page-2'"),
        c.getMessage());
    assertTrue(c.getMessage().contains("pos one is not allowed"), c.getMessage());
  }

  @Test
  void aFunctionMayChangeTheTypeAndCreateFields() {
    Dataset<Row> docs = read("students.protobuf");
    Dataset<Row> out =
        DocArrayPreprocessor.builder()
            .map("thesis.title.text", s -> Tensors.of(hashEmbedding((String) s)), Tensors.FLOAT32)
            .map("thesis.title.length", v -> 3L, DataTypes.LongType) // a new field
            .map("score", v -> 0.5, DataTypes.DoubleType) // a new column
            .build()
            .apply(docs);
    StructType title =
        (StructType)
            ((StructType) out.schema().apply("thesis").dataType()).apply("title").dataType();
    assertEquals(Tensors.FLOAT32, title.apply("text").dataType());
    assertEquals(DataTypes.LongType, title.apply("length").dataType());
    Row first =
        out.orderBy("id").select("thesis.title.text", "thesis.title.length", "score").first();
    assertEquals(List.of(8), Tensors.shape(first.getStruct(0)));
    float sum = 0;
    for (float x : Tensors.data(first.getStruct(0))) sum += x;
    assertEquals("On the Spectral Radius of Sparse Random Graphs".codePointCount(0, 46), (int) sum);
    assertEquals(3L, first.getLong(1));
    assertEquals(0.5, first.getDouble(2));
  }

  @Test
  void nullReturnKeepsTheValueAndNullDocumentsAreLeftAlone() {
    Dataset<Row> docs = read("students.protobuf");
    Map<String, FieldFunction> fns = new LinkedHashMap<>();
    fns.put("thesis.title.url", u -> null);
    Dataset<Row> out = DocArrayPreprocessor.of(fns).apply(docs);
    assertEquals(
        docs.orderBy("id").select("thesis.title.url").collectAsList(),
        out.orderBy("id").select("thesis.title.url").collectAsList());
    Dataset<Row> nulled =
        docs.withColumn(
            "thesis",
            org.apache
                .spark
                .sql
                .functions
                .lit(null)
                .cast(docs.schema().apply("thesis").dataType()));
    Dataset<Row> res =
        DocArrayPreprocessor.builder().map("thesis.title.text", s -> "x").build().apply(nulled);
    for (Row r : res.select("thesis").collectAsList()) assertNull(r.get(0));
  }

  @Test
  void badPathsFailOnTheDriverNamingThePath() {
    Dataset<Row> docs = read("students.protobuf");
    IllegalArgumentException a =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                DocArrayPreprocessor.builder().map("thesis.nope.text", s -> s).build().apply(docs));
    assertTrue(
        a.getMessage().contains("'thesis.nope.text'") && a.getMessage().contains("no field 'nope'"),
        a.getMessage());
    IllegalArgumentException b =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                DocArrayPreprocessor.builder()
                    .map("thesis.title.text.x", s -> s)
                    .build()
                    .apply(docs));
    assertTrue(
        b.getMessage().contains("thesis.title.text") && b.getMessage().contains("not a document"),
        b.getMessage());
    IllegalArgumentException c =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                DocArrayPreprocessor.builder()
                    .map("thesis.title.fresh", s -> s)
                    .build()
                    .apply(docs));
    assertTrue(c.getMessage().contains("give its return type"), c.getMessage());
  }
}
