package org.docarray.spark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.docarray.spark.testing.SidecarAssert;
import org.docarray.spark.testing.SparkTestBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command-line tool: schema, count, head, tojson, validate on real fixtures and a corrupt file.
 */
class ToolTest {
  static String[] run(String... args) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    java.lang.reflect.Method m =
        Class.forName("org.docarray.spark.cli.DocArrayTool")
            .getDeclaredMethod("run", String[].class, PrintStream.class, PrintStream.class);
    m.setAccessible(true);
    int rc =
        (int)
            m.invoke(
                null,
                args,
                new PrintStream(out, true, "UTF-8"),
                new PrintStream(err, true, "UTF-8"));
    return new String[] {
      Integer.toString(rc),
      out.toString(StandardCharsets.UTF_8),
      err.toString(StandardCharsets.UTF_8)
    };
  }

  static String f(String name) {
    return SparkTestBase.fixtures().resolve(name).toString();
  }

  @Test
  void countSchemaHeadToJsonValidate(@TempDir Path tmp) throws Exception {
    assertEquals("3", run("count", f("students.protobuf.lz4"))[1].trim());
    assertEquals("4", run("count", f("docvec.protobuf-array"))[1].trim());
    String schema = run("schema", f("students.protobuf"))[1];
    assertTrue(
        schema.contains("thesis: doc")
            && schema.contains("embedding: tensor [<f4] (ndarray_embedding)"),
        schema);
    String[] head = run("head", "-n", "2", f("pages.protobuf-array"));
    assertEquals(2, head[1].trim().split("\n").length);
    {
      com.fasterxml.jackson.databind.JsonNode first =
          SidecarAssert.parse(head[1].trim().split("\n")[0]);
      SidecarAssert.assertJsonNode(
          "head[0]", SidecarAssert.sidecarOf("pages.protobuf-array").get("docs").get(0), first);
    }
    assertEquals(3, run("tojson", f("students.json-array.gzip"))[1].trim().split("\n").length);
    String[] ok = run("validate", f("dtypes.protobuf"));
    assertEquals("0", ok[0]);
    assertTrue(ok[1].startsWith("OK"), ok[1]);
    byte[] b = Files.readAllBytes(Path.of(f("students.protobuf")));
    b[9 + 4] = 0x0B;
    Path bad = tmp.resolve("bad.protobuf");
    Files.write(bad, b);
    String[] invalid = run("validate", bad.toString());
    assertEquals("1", invalid[0]);
    assertTrue(invalid[2].contains("bad.protobuf, document 0, byte offset 9"), invalid[2]);
    assertEquals("2", run("frobnicate", f("students.protobuf"))[0]);
    assertTrue(
        run("count", f("students.pickle"))[2].contains("pickle"),
        Arrays.toString(run("count", f("students.pickle"))));
  }

  @Test
  void manyFilesDirectoriesHelpAndOneLineErrors(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("shards");
    Files.createDirectories(dir.resolve("year=2024"));
    Files.copy(Path.of(f("students.protobuf.lz4")), dir.resolve("part-0.protobuf.lz4"));
    Files.copy(
        Path.of(f("students.protobuf")), dir.resolve("year=2024").resolve("part-1.protobuf"));
    Files.copy(Path.of(f("docvec.protobuf-array")), dir.resolve("part-2.protobuf-array"));
    Files.write(dir.resolve("_SUCCESS"), new byte[0]);
    // counts are summed over files and directories (3 + 3 + 4), not the last file's
    assertEquals("10", run("count", dir.toString())[1].trim());
    assertEquals("7", run("count", f("students.protobuf"), f("docvec.protobuf-array"))[1].trim());
    // validate reports every file; one bad file makes the exit status 1 and the good ones still say
    // OK
    byte[] b = Files.readAllBytes(Path.of(f("students.protobuf")));
    b[9 + 4] = 0x0B;
    Path bad = tmp.resolve("bad.protobuf");
    Files.write(bad, b);
    String[] both = run("validate", f("dtypes.protobuf"), bad.toString(), f("students.protobuf"));
    assertEquals("1", both[0]);
    assertEquals(2, both[1].trim().split("\n").length, both[1]);
    assertTrue(both[2].contains("INVALID " + bad + ", document 0"), both[2]);
    String[] dirOk = run("validate", dir.toString());
    assertEquals("0", dirOk[0], dirOk[2]);
    assertEquals(3, dirOk[1].trim().split("\n").length, dirOk[1]);
    assertEquals(7, run("head", "-n", "7", dir.toString())[1].trim().split("\n").length);
    // help, and bad arguments as one line with exit status 2
    String[] help = run("--help");
    assertEquals("0", help[0]);
    assertTrue(help[1].contains("validate") && help[1].contains("exit status"), help[1]);
    for (String[] args :
        new String[][] {
          {"head", "-n", "many", f("students.protobuf")},
          {"head", "-n"},
          {"count", "--compression", "snappy", f("students.protobuf")},
          {"count"},
          {"count", "--frob", "x"}
        }) {
      String[] r = run(args);
      assertEquals("2", r[0], Arrays.toString(args));
      assertEquals(1, r[2].trim().split("\n").length, r[2]);
      assertTrue(r[2].startsWith("docarray-tool: "), r[2]);
    }
    String[] missing = run("count", tmp.resolve("nope.protobuf").toString());
    assertEquals("1", missing[0]);
    assertTrue(missing[2].contains("nope.protobuf: no such file or directory"), missing[2]);
  }

  @Test
  void bytesAfterACompressedStreamAreAnErrorUnlessAnotherMember(@TempDir Path tmp)
      throws Exception {
    byte[] plain = Files.readAllBytes(Path.of(f("students.protobuf-array")));
    byte[] gz = gzip(plain);
    // another gzip member is more data (a DocListProto concatenated is merged: 3 + 3 documents), as
    // Python's gzip
    Path two = tmp.resolve("two.protobuf-array.gzip");
    Files.write(two, concat(gz, gzip(plain)));
    assertEquals("6", run("count", two.toString())[1].trim());
    // zero padding is accepted, as Python's gzip does
    Path padded = tmp.resolve("padded.protobuf-array.gzip");
    Files.write(padded, concat(gz, new byte[8]));
    assertEquals("3", run("count", padded.toString())[1].trim());
    // anything else is an error naming the file and the offset where the gzip stream ended
    Path garbage = tmp.resolve("garbage.protobuf-array.gzip");
    Files.write(garbage, concat(gz, "garbage!".getBytes(StandardCharsets.US_ASCII)));
    String[] r = run("validate", garbage.toString());
    assertEquals("1", r[0]);
    assertTrue(
        r[2].contains("garbage.protobuf-array.gzip")
            && r[2].contains("byte offset " + gz.length)
            && r[2].contains("not another gzip member"),
        r[2]);
  }

  @Test
  void foreignFilesAreCalledWhatTheyLookLike(@TempDir Path tmp) throws Exception {
    Path csv = tmp.resolve("table.protobuf");
    Files.write(csv, "id,name,score\n1,ada,0.5\n".getBytes(StandardCharsets.UTF_8));
    String[] r = run("validate", csv.toString());
    assertEquals("1", r[0]);
    assertTrue(
        r[2].contains("not a DocArray file: it looks like text (it starts \"id,name,s\")"), r[2]);
    Path png = tmp.resolve("picture.protobuf-array");
    Files.write(
        png,
        new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13, 'I', 'H', 'D', 'R'});
    r = run("count", png.toString());
    assertEquals("1", r[0]);
    assertTrue(
        r[2].contains("picture.protobuf-array")
            && r[2].contains("not a DocArray file: it looks like a PNG image"),
        r[2]);
    Path parquet = tmp.resolve("data.protobuf");
    Files.write(parquet, new byte[] {'P', 'A', 'R', '1', 0, 0, 0, 0, 0, 0, 0, 0});
    assertTrue(run("count", parquet.toString())[2].contains("it looks like a Parquet file"));
  }

  @Test
  void everyWholeFileCodecTreatsAFurtherMemberAsDataAndGarbageAsAnError(@TempDir Path tmp)
      throws Exception {
    byte[] plain = Files.readAllBytes(Path.of(f("students.protobuf-array")));
    for (org.docarray.spark.format.Codec c :
        new org.docarray.spark.format.Codec[] {
          org.docarray.spark.format.Codec.GZIP,
          org.docarray.spark.format.Codec.BZ2,
          org.docarray.spark.format.Codec.LZMA,
          org.docarray.spark.format.Codec.LZ4
        }) {
      byte[] one = compress(c, plain);
      String ext = ".protobuf-array." + c.wireName();
      Path two = tmp.resolve("two" + ext);
      Files.write(two, concat(one, compress(c, plain)));
      assertEquals("6", run("count", two.toString())[1].trim(), c.wireName());
      Path garbage = tmp.resolve("garbage" + ext);
      Files.write(garbage, concat(one, "garbage!".getBytes(StandardCharsets.US_ASCII)));
      String[] r = run("validate", garbage.toString());
      assertEquals("1", r[0], c.wireName() + ": " + Arrays.toString(r));
      assertTrue(r[2].contains("garbage" + ext) && r[2].contains("byte offset"), r[2]);
    }
  }

  private static byte[] compress(org.docarray.spark.format.Codec c, byte[] b)
      throws java.io.IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try (java.io.OutputStream z = c.compress(out, true)) {
      z.write(b);
    }
    return out.toByteArray();
  }

  private static byte[] gzip(byte[] b) throws java.io.IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream z = new java.util.zip.GZIPOutputStream(out)) {
      z.write(b);
    }
    return out.toByteArray();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
