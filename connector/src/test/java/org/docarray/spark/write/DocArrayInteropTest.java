package org.docarray.spark.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.docarray.spark.testing.DocArrayPython;
import org.docarray.spark.testing.SidecarAssert;
import org.docarray.spark.testing.SparkTestBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the connector writes, loaded by the real Python DocArray (0.40, from the venv that
 * bin/setup-python makes) and compared value by value with the fixture sidecars: every DocList
 * fixture read, written in every protocol x codec, and loaded under its class spec.
 */
class DocArrayInteropTest extends SparkTestBase {
  static final String[][] PROTOCOL_CODECS = {
    {"protobuf", "none"},
    {"protobuf", "lz4"},
    {"protobuf", "bz2"},
    {"protobuf", "lzma"},
    {"protobuf", "zlib"},
    {"protobuf", "gzip"},
    {"protobuf-array", "none"},
    {"protobuf-array", "lz4"},
    {"protobuf-array", "bz2"},
    {"protobuf-array", "lzma"},
    {"protobuf-array", "zlib"},
    {"protobuf-array", "gzip"}
  };

  @TempDir Path tmp;

  /**
   * The venv python, or the test is skipped (failed when -Ddocarray.requirePython=true, as in
   * bin/test).
   */
  /** Runs the oracle over a manifest; returns its output lines; fails the test on any failure. */
  static List<String> check(Path manifest) throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder(
                DocArrayPython.python().toString(),
                DocArrayPython.repoRoot().resolve("python/batch_check.py").toString(),
                manifest.toString())
            .redirectErrorStream(true);
    Process proc = pb.start();
    String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(proc.waitFor(10, TimeUnit.MINUTES), "oracle timed out");
    List<String> lines = List.of(out.split("\n"));
    List<String> failed =
        lines.stream().filter(l -> l.startsWith("FAIL")).collect(Collectors.toList());
    if (proc.exitValue() != 0 || !failed.isEmpty()) {
      fail(
          "DocArray could not load what we wrote:\n"
              + String.join("\n", failed.isEmpty() ? lines : failed));
    }
    return lines;
  }

  static String entry(Path file, Path expect, boolean ignoreTags, String container) {
    return entry(file, expect, ignoreTags, container, false);
  }

  static String entry(
      Path file, Path expect, boolean ignoreTags, String container, boolean ignoreIds) {
    ObjectNode n = SidecarAssert.JSON.createObjectNode();
    n.put("ignore_ids", ignoreIds);
    n.put("path", file.toString());
    n.put("expect", expect.toString());
    n.put("ignore_tags", ignoreTags);
    n.put("container", container);
    return n.toString();
  }

  /** The part file of a single-task write. */
  static Path partFile(Path dir) throws IOException {
    List<String> files = WriteTest.dataFiles(dir);
    assertEquals(1, files.size(), files.toString());
    return dir.resolve(files.get(0));
  }

  /**
   * The sidecar as DocArray will load our output: we write little-endian buffers, so big-endian
   * dtype strings ({@code >f4}) come back as their little-endian twins with the same values.
   */
  Path littleEndianSidecar(String fixture) throws IOException {
    JsonNode s = SidecarAssert.sidecarOf(fixture).deepCopy();
    boolean changed = normalise(s);
    if (!changed) return fixtures().resolve(fixture + ".expected.json");
    Path p = tmp.resolve(fixture + ".le.expected.json");
    SidecarAssert.JSON.writeValue(p.toFile(), s);
    return p;
  }

  private static boolean normalise(JsonNode n) {
    boolean changed = false;
    if (n.isObject()) {
      ObjectNode o = (ObjectNode) n;
      if (o.has("dtype") && o.get("dtype").isTextual() && o.get("dtype").asText().startsWith(">")) {
        o.put("dtype", "<" + o.get("dtype").asText().substring(1));
        changed = true;
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); )
        changed |= normalise(it.next().getValue());
    } else if (n.isArray()) {
      for (JsonNode x : n) changed |= normalise(x);
    }
    return changed;
  }

  @Test
  void everyFixtureRoundTripsThroughRealDocArrayInEveryProtocolAndCodec() throws Exception {
    DocArrayPython.python();
    List<String> manifest = new ArrayList<>();
    List<String> fixtures = SparkTestBase.binaryDocListFixtures().collect(Collectors.toList());
    fixtures.add("large.protobuf");
    for (String fixture : fixtures) {
      if (fixture.contains(".protobuf.") || fixture.contains(".protobuf-array."))
        continue; // codec variants: same docs
      // images_torch mixes uint8 and float32 in one tensor field: only the lossless mode keeps each
      // row's dtype
      boolean ragged = fixture.startsWith("images_torch");
      Dataset<Row> df =
          spark()
              .read()
              .format("docarray")
              .option("tensorMode", ragged ? "binary" : "typed")
              .load(fixture(fixture).toString())
              .coalesce(1)
              .cache();
      Path expect = littleEndianSidecar(fixture);
      boolean hetero = fixture.startsWith("hetero");
      boolean torch = fixture.contains("torch");
      // a DocVec file stores no tensor tags (the class decides), so its rows come back tagged
      // "ndarray"
      boolean docVec = fixture.startsWith("docvec.");
      for (String[] pc : PROTOCOL_CODECS) {
        // the 20,000-document fixture checks the two framings; the small ones every codec too
        if (fixture.startsWith("large") && !pc[1].equals(pc[0].equals("protobuf") ? "lz4" : "none"))
          continue;
        Path out = tmp.resolve(fixture).resolve(pc[0] + "-" + pc[1]);
        df.write()
            .format("docarray")
            .option("protocol", pc[0])
            .option("compression", pc[1])
            .option("ignoreNullFields", Boolean.toString(hetero))
            .option("keepFrameworkTags", Boolean.toString(torch))
            .save(out.toString());
        manifest.add(entry(partFile(out), expect, docVec, "doclist"));
      }
      df.unpersist();
    }
    Path m = tmp.resolve("manifest.jsonl");
    Files.write(m, manifest);
    long t0 = System.nanoTime();
    List<String> lines = check(m);
    System.out.printf(
        "DocArray loaded %d files in %.1f s%n", manifest.size(), (System.nanoTime() - t0) / 1e9);
    assertTrue(
        lines.get(lines.size() - 1).matches(manifest.size() + " passed, 0 failed"),
        lines.get(lines.size() - 1));
  }

  @Test
  void docVecContainerLoadsAsDocVec() throws Exception {
    DocArrayPython.python();
    List<String> manifest = new ArrayList<>();
    for (String codec : new String[] {"none", "lz4", "gzip"}) {
      Path out = tmp.resolve("docvec-" + codec);
      read("docvec.protobuf-array")
          .coalesce(1)
          .write()
          .format("docarray")
          .option("protocol", "protobuf-array")
          .option("container", "docvec")
          .option("compression", codec)
          .save(out.toString());
      manifest.add(
          entry(
              partFile(out),
              fixtures().resolve("docvec.protobuf-array.expected.json"),
              false,
              "docvec"));
    }
    Path m = tmp.resolve("manifest.jsonl");
    Files.write(m, manifest);
    check(m);
  }

  /**
   * A DataFrame made in Spark, with no DocArray metadata at all, loaded under a class spec written
   * here.
   */
  @Test
  void dataFrameBuiltInSparkLoadsUnderAClassSpec() throws Exception {
    DocArrayPython.python();
    Dataset<Row> df =
        spark()
            .sql(
                "SELECT * FROM VALUES "
                    + "('p-0', 'first', 0.5D, 3, array('a', 'b'), CAST(array(1.5, 2.0, -3.0, 0.25) AS ARRAY<FLOAT>), "
                    + "  named_struct('title', 'T0'), array(named_struct('text', 'c0', 'emb', array(1.0D, 2.0D))), map('x', 1)), "
                    + "('p-1', '', 0.0D, 0, array(), CAST(array(0, 0, 0, 0) AS ARRAY<FLOAT>), "
                    + "  named_struct('title', CAST(NULL AS STRING)), array(), map()) "
                    + "AS t(id, title, score, n, tags, emb, thesis, chunks, meta)");
    String spec =
        "{\"root\": \"Paper\", \"classes\": {"
            + "\"Chunk\": {\"fields\": {\"text\": {\"type\": \"str\"}, \"emb\": {\"type\": \"NdArray\"}}},"
            + "\"Thesis\": {\"fields\": {\"title\": {\"type\": \"Optional[str]\", \"default\": null}}},"
            + "\"Paper\": {\"fields\": {\"title\": {\"type\": \"str\"}, \"score\": {\"type\": \"float\"},"
            + " \"n\": {\"type\": \"int\"}, \"tags\": {\"type\": \"List[str]\"}, \"emb\": {\"type\": \"NdArray[4]\"},"
            + " \"thesis\": {\"type\": \"Thesis\"}, \"chunks\": {\"type\": \"DocList[Chunk]\"},"
            + " \"meta\": {\"type\": \"Dict[str, int]\"}}}}}";
    String doc0 =
        "{\"id\": {\"text\": \"p-0\"}, \"title\": {\"text\": \"first\"}, \"score\": {\"float\": 0.5},"
            + " \"n\": {\"integer\": 3}, \"tags\": {\"list\": [{\"text\": \"a\"}, {\"text\": \"b\"}]},"
            + " \"emb\": {\"ndarray\": {\"dtype\": \"<f4\", \"shape\": [4], \"values\": [1.5, 2.0, -3.0, 0.25]}, \"type\": \"ndarray\"},"
            + " \"thesis\": {\"doc\": {\"title\": {\"text\": \"T0\"}}},"
            + " \"chunks\": {\"doc_array\": [{\"text\": {\"text\": \"c0\"}, \"emb\": {\"ndarray\": {\"dtype\": \"<f8\", \"shape\": [2], \"values\": [1.0, 2.0]}, \"type\": \"ndarray\"}}]},"
            + " \"meta\": {\"dict\": {\"x\": {\"integer\": 1}}}}";
    String doc1 =
        "{\"id\": {\"text\": \"p-1\"}, \"title\": {\"text\": \"\"}, \"score\": {\"float\": 0.0},"
            + " \"n\": {\"integer\": 0}, \"tags\": {\"list\": []},"
            + " \"emb\": {\"ndarray\": {\"dtype\": \"<f4\", \"shape\": [4], \"values\": [0.0, 0.0, 0.0, 0.0]}, \"type\": \"ndarray\"},"
            + " \"thesis\": {\"doc\": {\"title\": null}}, \"chunks\": {\"doc_array\": []}, \"meta\": {\"dict\": {}}}";
    Path sidecar = tmp.resolve("paper.expected.json");
    Files.writeString(
        sidecar,
        "{\"file\": \"paper\", \"class_spec\": "
            + spec
            + ", \"docs\": ["
            + doc0
            + ", "
            + doc1
            + "]}");
    List<String> manifest = new ArrayList<>();
    for (String[] pc : PROTOCOL_CODECS) {
      Path out = tmp.resolve("paper").resolve(pc[0] + "-" + pc[1]);
      df.coalesce(1)
          .write()
          .format("docarray")
          .option("protocol", pc[0])
          .option("compression", pc[1])
          .save(out.toString());
      // DocArray gives the nested documents (which have no id column here) random ids on load
      manifest.add(entry(partFile(out), sidecar, false, "doclist", true));
      assertEquals(
          List.of("p-0", "p-1"),
          spark()
              .read()
              .format("docarray")
              .load(out.toString())
              .orderBy("id")
              .select("id")
              .as(org.apache.spark.sql.Encoders.STRING())
              .collectAsList(),
          "root ids written as given");
    }
    Path m = tmp.resolve("manifest.jsonl");
    Files.write(m, manifest);
    check(m);
  }
}
