package org.docarray.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command-line tool: schema, count, head, tojson, validate on real fixtures and a corrupt file. */
class ToolTest {
  static String[] run(String... args) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    java.lang.reflect.Method m = Class.forName("org.docarray.spark.cli.DocArrayTool")
        .getDeclaredMethod("run", String[].class, PrintStream.class, PrintStream.class);
    m.setAccessible(true);
    int rc = (int) m.invoke(null, args, new PrintStream(out, true, "UTF-8"), new PrintStream(err, true, "UTF-8"));
    return new String[] {Integer.toString(rc), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
  }

  static String f(String name) {
    return SparkTestBase.fixtures().resolve(name).toString();
  }

  @Test
  void countSchemaHeadToJsonValidate(@TempDir Path tmp) throws Exception {
    assertEquals("3", run("count", f("students.protobuf.lz4"))[1].trim());
    assertEquals("4", run("count", f("docvec.protobuf-array"))[1].trim());
    String schema = run("schema", f("students.protobuf"))[1];
    assertTrue(schema.contains("thesis: doc") && schema.contains("embedding: tensor [<f4] (ndarray_embedding)"), schema);
    String[] head = run("head", "-n", "2", f("pages.protobuf-array"));
    assertEquals(2, head[1].trim().split("\n").length);
    {
      com.fasterxml.jackson.databind.JsonNode first = SidecarAssert.parse(head[1].trim().split("\n")[0]);
      SidecarAssert.assertJsonNode("head[0]", SidecarAssert.sidecarOf("pages.protobuf-array").get("docs").get(0), first);
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
    assertTrue(run("count", f("students.pickle"))[2].contains("pickle"), Arrays.toString(run("count", f("students.pickle"))));
  }
}
