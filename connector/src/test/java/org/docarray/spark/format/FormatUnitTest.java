package org.docarray.spark.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** The wire layer on its own: names, dtypes, codecs, framing and its strict checks. No Spark. */
class FormatUnitTest {
  static Path fixture(String name) {
    String p = System.getProperty("docarray.fixtures", "src/test/resources/fixtures");
    return Paths.get(p).resolve(name);
  }

  @ParameterizedTest(name = "{0} -> {1} {2}")
  @CsvSource({
    "students.protobuf.lz4, protobuf, lz4",
    "students.protobuf-array, protobuf-array, none",
    "x.protobuf.gz, protobuf, none",
    "x.xz, protobuf-array, none",
    "x.bin, protobuf-array, none",
    "x.lz4.protobuf, protobuf, lz4",
    "x.protobuf.protobuf-array.bz2, protobuf-array, bz2",
    "x.protobuf-array.zlib, protobuf-array, zlib",
    "x.json-array.lzma, json-array, lzma",
    "dir/x.pickle, pickle, none",
    "s3://b/p/.protobuf, protobuf-array, none",
    "x.gzip.lz4, protobuf-array, lz4",
  })
  void protocolAndCodecFromTheNameAsDocArrayDoes(String name, String protocol, String codec) {
    FileFormatDetector.Detected d = FileFormatDetector.fromName(name);
    assertEquals(protocol, d.protocol.wireName());
    assertEquals(codec, d.codec.wireName());
  }

  @Test
  void optionsOverrideTheName() {
    FileFormatDetector.Detected d =
        FileFormatDetector.detect("x.protobuf.lz4", Protocol.PROTOBUF_ARRAY, Codec.NONE);
    assertEquals(Protocol.PROTOBUF_ARRAY, d.protocol);
    assertEquals(Codec.NONE, d.codec);
  }

  @ParameterizedTest
  @CsvSource({
    "<f4, FLOAT, 4, false",
    ">f4, FLOAT, 4, true",
    "|u1, UINT, 1, false",
    "<c16, COMPLEX, 16, false",
    "<U2, UNICODE, 8, false",
    "<M8[D], DATETIME, 8, false",
    "|b1, BOOL, 1, false",
    ">i8, INT, 8, true",
    "|O, OBJECT, 0, false"
  })
  void dtypeStrings(String text, String kind, int size, boolean big) {
    if (text.equals("|O")) {
      assertThrows(
          IllegalArgumentException.class, () -> DType.parse(text), "no item size: never readable");
      return;
    }
    DType d = DType.parse(text);
    assertEquals(DType.Kind.valueOf(kind), d.kind());
    assertEquals(size, d.itemSize());
    assertEquals(big, d.bigEndian());
  }

  @Test
  void badDtypeStringsAreRejected() {
    for (String s : new String[] {"", "<", "<x4", "<f3", "<f", "<i4garbage", "None"}) {
      assertThrows(IllegalArgumentException.class, () -> DType.parse(s), s);
    }
    assertEquals("D", DType.parse("<M8[D]").unit());
  }

  @Test
  void halfFloatsConvertExactly() {
    assertEquals(65504f, Half.toFloat((short) 0x7bff));
    assertEquals(5.9604645E-8f, Half.toFloat((short) 0x0001));
    assertEquals(Float.NEGATIVE_INFINITY, Half.toFloat((short) 0xfc00));
    assertTrue(Float.isNaN(Half.toFloat((short) 0x7e00)));
    assertEquals(-0f, Half.toFloat((short) 0x8000));
    for (int h = 0; h < 0x10000; h++) {
      float f = Half.toFloat((short) h);
      if (!Float.isNaN(f))
        assertEquals((short) h, Half.fromFloat(f), "round trip of 0x" + Integer.toHexString(h));
    }
  }

  @ParameterizedTest
  @EnumSource(Codec.class)
  void codecsRoundTripPerDocumentAndWholeFile(Codec c) throws IOException {
    byte[] data = new byte[200_000];
    for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 31 % 251);
    byte[] perDoc = c.compressBytes(data, 0, data.length);
    assertArrayEquals(data, c.decompress(new ByteArrayInputStream(perDoc)).readAllBytes());
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (OutputStream os = c.compress(bos, true)) {
      os.write(data);
    }
    assertArrayEquals(
        data, c.decompress(new ByteArrayInputStream(bos.toByteArray())).readAllBytes());
  }

  @Test
  void lz4LinkedAndIndependentBlockFramesFromDocArrayBothDecode() throws IOException {
    // per-document frames use FLG 0x68 (independent blocks, content size), whole-file frames 0x40
    // (linked)
    byte[] whole = Files.readAllBytes(fixture("students.protobuf-array.lz4"));
    assertEquals(0x40, whole[4] & 0xff, "linked-block frame");
    byte[] plain = Files.readAllBytes(fixture("students.protobuf-array"));
    assertEquals(
        plain.length, Codec.LZ4.decompress(new ByteArrayInputStream(whole)).readAllBytes().length);
    List<byte[]> docs =
        docs(
            new StreamFramingSource(
                Files.newInputStream(fixture("students.protobuf.lz4")),
                "students.protobuf.lz4",
                -1,
                Codec.LZ4,
                Limits.defaults()));
    assertEquals(3, docs.size());
  }

  @Test
  void everyCodecOfTheStudentsFixtureYieldsTheSameDocuments() throws IOException {
    List<byte[]> stream =
        docs(
            new StreamFramingSource(
                Files.newInputStream(fixture("students.protobuf")),
                "students.protobuf",
                Files.size(fixture("students.protobuf")),
                Codec.NONE,
                Limits.defaults()));
    for (Codec c : new Codec[] {Codec.LZ4, Codec.BZ2, Codec.LZMA, Codec.ZLIB, Codec.GZIP}) {
      Path p = fixture("students.protobuf." + c.wireName());
      List<byte[]> d =
          docs(
              new StreamFramingSource(
                  Files.newInputStream(p), p.toString(), Files.size(p), c, Limits.defaults()));
      assertEquals(stream.size(), d.size(), c.name());
      Path a = fixture("students.protobuf-array." + c.wireName());
      InputStream in = Files.newInputStream(a);
      List<byte[]> ad =
          docs(
              new ArrayFramingSource(
                  c == Codec.ZLIB ? in : c.decompress(in), a.toString(), Limits.defaults()));
      assertEquals(stream.size(), ad.size(), "array " + c.name());
    }
  }

  @Test
  void containerSnifferTellsDocVecFromDocList() throws IOException {
    assertTrue(sniff(Files.readAllBytes(fixture("docvec.protobuf-array"))));
    assertFalse(sniff(Files.readAllBytes(fixture("students.protobuf-array"))));
    assertFalse(sniff(Files.readAllBytes(fixture("dtypes.protobuf-array"))));
    assertFalse(sniff(new byte[0]));
    assertTrue(
        sniff(
            Codec.LZ4
                .decompress(Files.newInputStream(fixture("docvec.protobuf-array.lz4")))
                .readAllBytes()));
  }

  private static boolean sniff(byte[] b) throws IOException {
    return ContainerSniffer.isDocVec(new java.io.BufferedInputStream(new ByteArrayInputStream(b)));
  }

  @Test
  void streamFramingIsStrict() throws IOException {
    byte[] good = Files.readAllBytes(fixture("students.protobuf"));
    byte[] v3 = good.clone();
    v3[0] = 3;
    assertTrue(fails(v3).contains("version byte is 0x03"));
    byte[] trailing = java.util.Arrays.copyOf(good, good.length + 1);
    assertTrue(fails(trailing).contains("trailing bytes"));
    byte[] more = good.clone();
    more[8] = 4;
    assertTrue(fails(more).contains("header declares 4"), fails(more));
    byte[] fewer = good.clone();
    fewer[8] = 2;
    assertTrue(fails(fewer).contains("trailing bytes"));
    byte[] hugeLen = good.clone();
    hugeLen[9] = (byte) 0xff;
    assertTrue(
        fails(hugeLen).contains("exceeds maxDocumentBytes")
            || fails(hugeLen).contains("past the end"));
    assertTrue(fails(new byte[0]).contains("empty file"));
    assertTrue(fails(Files.readAllBytes(fixture("students.protobuf-array.gzip"))).contains("gzip"));
  }

  private static String fails(byte[] bytes) {
    try {
      docs(
          new StreamFramingSource(
              new ByteArrayInputStream(bytes),
              "f.protobuf",
              bytes.length,
              Codec.NONE,
              Limits.defaults()));
    } catch (DocArrayFormatException e) {
      assertTrue(e.getMessage().contains("f.protobuf"), e.getMessage());
      return e.getMessage();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("no error");
  }

  static List<byte[]> docs(DocumentSource s) throws IOException {
    List<byte[]> out = new ArrayList<>();
    try (s) {
      while (s.next())
        out.add(java.util.Arrays.copyOfRange(s.buffer(), s.offset(), s.offset() + s.length()));
    }
    return out;
  }
}
