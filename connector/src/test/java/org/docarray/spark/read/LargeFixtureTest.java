package org.docarray.spark.read;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.docarray.spark.testing.SidecarAssert;
import org.docarray.spark.testing.SparkTestBase;
import org.junit.jupiter.api.Test;

/** The 20,000-document fixture, every value checked against the sidecar's generator formula. */
class LargeFixtureTest extends SparkTestBase {
  private static final String[] WORDS = words();

  private static String[] words() {
    // the sidecar's generator: text = "doc %05d <word>", word = words[i % 5]
    com.fasterxml.jackson.databind.JsonNode g =
        SidecarAssert.sidecarOf("large.protobuf").get("generator");
    com.fasterxml.jackson.databind.JsonNode w = g.get("words");
    String[] out = new String[w.size()];
    for (int i = 0; i < out.length; i++) out[i] = w.get(i).asText();
    return out;
  }

  @Test
  void everyDocumentMatchesTheGenerator() {
    Dataset<Row> df = read("large.protobuf");
    List<Row> rows = df.collectAsList();
    assertEquals(20000, rows.size());
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      assertEquals(String.format("large-%06d", i), r.getAs("id"));
      assertEquals(String.format("doc %05d %s", i, WORDS[i % WORDS.length]), r.getAs("text"));
      assertEquals(i % 10, (int) r.getAs("label"));
      List<Object> emb = ((Row) r.getAs("embedding")).getList(1);
      assertEquals(128, emb.size());
      for (int j = 0; j < 128; j++) {
        float expected = (float) (((i * 128L + j) % 9973) / 9973.0);
        assertEquals(expected, (float) emb.get(j), "doc " + i + " embedding[" + j + "]");
      }
    }
  }

  @Test
  void sampledDocumentsMatchTheSidecar() {
    com.fasterxml.jackson.databind.JsonNode sample =
        SidecarAssert.sidecarOf("large.protobuf").get("docs_sample");
    Dataset<Row> df = read("large.protobuf");
    for (com.fasterxml.jackson.databind.JsonNode entry : sample) {
      com.fasterxml.jackson.databind.JsonNode doc = entry.has("doc") ? entry.get("doc") : entry;
      String id = doc.get("id").get("text").asText();
      Row r = df.filter(df.col("id").equalTo(id)).collectAsList().get(0);
      SidecarAssert.assertDoc("large[" + id + "]", df.schema(), r, doc);
    }
  }
}
