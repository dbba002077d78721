package org.docarray.spark.read;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import org.docarray.spark.format.Codec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Decompression bombs and absurd lengths are rejected within the limits, by a reader whose heap is
 * 256 MB (a JVM of its own, -Xmx256m), before anything is allocated from an untrusted length.
 */
class LimitsTest {
  static final long GIB = 1L << 30;
  @TempDir Path tmp;

  /** Compresses n zero bytes, preceded by a prefix, with a codec's streaming encoder. */
  static byte[] zeros(Codec c, byte[] prefix, long n, byte[] suffix) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (OutputStream o = c.compress(b, true)) {
      o.write(prefix);
      byte[] z = new byte[1 << 20];
      for (long i = 0; i < n / z.length; i++) o.write(z);
      o.write(suffix);
    }
    return b.toByteArray();
  }

  static String probe(Path file) throws Exception {
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                java,
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                "org.docarray.spark.testing.BombProbe",
                file.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "probe finished");
    assertTrue(out.contains("max heap"), "the probe ran to the end (no OutOfMemoryError): " + out);
    assertTrue(!out.contains("OutOfMemoryError"), out);
    return out;
  }

  @Test
  void oneGiBWholeFileBombIsRejectedWithA256MBHeap() throws Exception {
    // a DocListProto record that claims 1 GiB, followed by 1 GiB of zeros, all gzip'd (about 1 MB)
    byte[] header = {0x0A, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x04};
    Path f = tmp.resolve("bomb.protobuf-array.gzip");
    Files.write(f, zeros(Codec.GZIP, header, GIB, new byte[0]));
    assertTrue(Files.size(f) < 8 << 20, "the bomb is small on disk: " + Files.size(f));
    String out = probe(f);
    assertTrue(out.contains("rejected") && out.contains("exceeds maxDocumentBytes"), out);
  }

  @Test
  void oneGiBDocumentBombIsRejectedWithA256MBHeap() throws Exception {
    byte[] doc = zeros(Codec.GZIP, new byte[0], GIB, new byte[0]);
    ByteBuffer b = ByteBuffer.allocate(9 + 4 + doc.length);
    b.put((byte) 2).putLong(1).putInt(doc.length).put(doc);
    Path f = tmp.resolve("bomb.protobuf.gzip");
    Files.write(f, b.array());
    String out = probe(f);
    assertTrue(out.contains("rejected") && out.contains("maxDocumentBytes"), out);
  }

  @Test
  void fourGiBLengthPrefixIsRejectedBeforeAllocation() throws Exception {
    ByteBuffer b = ByteBuffer.allocate(9 + 4 + 16);
    b.put((byte) 2).putLong(1).putInt(0xFFFFFFFF);
    Path f = tmp.resolve("prefix.protobuf");
    Files.write(f, b.array());
    String out = probe(f);
    assertTrue(
        out.contains("rejected")
            && out.contains("length prefix 4294967295 exceeds maxDocumentBytes"),
        out);
  }

  @Test
  void oneGiBDocVecBombIsRejectedWithA256MBHeap() throws Exception {
    // DocVecProto.tensor_columns entry claiming 1 GiB (field 1, then 1 GiB of zeros): read whole,
    // so bounded
    byte[] header = {0x22, 0x00, 0x0A, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x04};
    Path f = tmp.resolve("bomb-docvec.protobuf-array.gzip");
    Files.write(f, zeros(Codec.GZIP, header, GIB, new byte[0]));
    String out = probe(f);
    assertTrue(out.contains("rejected"), out);
  }

  @Test
  void oneGiBJsonBombIsRejectedWithA256MBHeap() throws Exception {
    byte[] head = "[{\"id\": \"".getBytes(StandardCharsets.US_ASCII);
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (OutputStream o = Codec.GZIP.compress(b, true)) {
      o.write(head);
      byte[] a = new byte[1 << 20];
      java.util.Arrays.fill(a, (byte) 'a');
      for (int i = 0; i < 1024; i++) o.write(a);
      o.write("\"}]".getBytes(StandardCharsets.US_ASCII));
    }
    Path f = tmp.resolve("bomb.json-array.gzip");
    Files.write(f, b.toByteArray());
    String out = probe(f);
    assertTrue(out.contains("rejected"), out);
  }
}
