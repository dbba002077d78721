package org.docarray.spark.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.docarray.spark.format.Codec;
import org.docarray.spark.format.proto.DenseNdArrayProto;
import org.docarray.spark.format.proto.DocProto;
import org.docarray.spark.format.proto.DocVecProto;
import org.docarray.spark.format.proto.ListOfAnyProto;
import org.docarray.spark.format.proto.NdArrayProto;
import org.docarray.spark.format.proto.NodeProto;
import org.docarray.spark.testing.SparkTestBase;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * A corpus of named corrupt files, built from the real fixtures (truncations, bit flips, wrong
 * counts, wrong codecs, crafted documents, bombs...), each read in the three modes with the
 * expected outcome: FAILFAST fails naming the file and what was wrong; DROPMALFORMED returns
 * exactly the good documents; PERMISSIVE returns them plus one row per malformed part, whose {@code
 * _corrupt_record} holds the error.
 */
class CorruptCorpusTest extends SparkTestBase {
  @TempDir static Path tmp;

  /** One corrupt file and what each mode must do with it. */
  static final class Case {
    final String name;
    final String fileName;
    final byte[] bytes;
    final String base; // fixture whose schema is read
    final String failfast; // substring of the FAILFAST error
    final int good; // rows DROPMALFORMED returns
    final int corrupt; // extra corrupt rows PERMISSIVE returns

    Case(
        String name,
        String fileName,
        byte[] bytes,
        String base,
        String failfast,
        int good,
        int corrupt) {
      this.name = name;
      this.fileName = fileName;
      this.bytes = bytes;
      this.base = base;
      this.failfast = failfast;
      this.good = good;
      this.corrupt = corrupt;
    }
  }

  static byte[] bytes(String fixture) {
    try {
      return Files.readAllBytes(fixture(fixture));
    } catch (IOException e) {
      throw new RuntimeException(e);
    }
  }

  /** The payloads of a 'protobuf' stream. */
  static List<byte[]> payloads(byte[] stream) {
    List<byte[]> out = new ArrayList<>();
    int pos = 9;
    while (pos < stream.length) {
      int len = ByteBuffer.wrap(stream, pos, 4).getInt();
      out.add(Arrays.copyOfRange(stream, pos + 4, pos + 4 + len));
      pos += 4 + len;
    }
    return out;
  }

  /** A 'protobuf' stream of these payloads with this header count. */
  static byte[] stream(long count, List<byte[]> docs) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(2);
    b.writeBytes(ByteBuffer.allocate(8).putLong(count).array());
    for (byte[] d : docs) {
      b.writeBytes(ByteBuffer.allocate(4).putInt(d.length).array());
      b.writeBytes(d);
    }
    return b.toByteArray();
  }

  static byte[] cut(byte[] b, int len) {
    return Arrays.copyOf(b, len);
  }

  static byte[] flip(byte[] b, int at, int value) {
    byte[] c = b.clone();
    c[at] = (byte) value;
    return c;
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  /** A DocProto with one entry whose NodeProto is raw bytes. */
  static byte[] docWithRawNode(String key, byte[] node) {
    ByteArrayOutputStream entry = new ByteArrayOutputStream();
    entry.write(0x0A);
    entry.write(key.length());
    entry.writeBytes(key.getBytes());
    entry.write(0x12);
    writeVarint(entry, node.length);
    entry.writeBytes(node);
    ByteArrayOutputStream doc = new ByteArrayOutputStream();
    doc.write(0x0A);
    writeVarint(doc, entry.size());
    doc.writeBytes(entry.toByteArray());
    return doc.toByteArray();
  }

  static void writeVarint(ByteArrayOutputStream o, long v) {
    while ((v & ~0x7FL) != 0) {
      o.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    o.write((int) v);
  }

  static byte[] tensorDoc(String key, String dtype, int[] shape, int bufferBytes) {
    DenseNdArrayProto.Builder d =
        DenseNdArrayProto.newBuilder()
            .setDtype(dtype)
            .setBuffer(ByteString.copyFrom(new byte[bufferBytes]));
    for (int s : shape) d.addShape(s);
    return DocProto.newBuilder()
        .putData(
            key,
            NodeProto.newBuilder()
                .setNdarray(NdArrayProto.newBuilder().setDense(d))
                .setType("ndarray")
                .build())
        .build()
        .toByteArray();
  }

  static byte[] deepList(int depth) {
    NodeProto n = NodeProto.newBuilder().setInteger(1).build();
    for (int i = 0; i < depth; i++)
      n = NodeProto.newBuilder().setList(ListOfAnyProto.newBuilder().addData(n)).build();
    return DocProto.newBuilder().putData("l", n).build().toByteArray();
  }

  static byte[] deepDoc(int depth) {
    DocProto d =
        DocProto.newBuilder().putData("id", NodeProto.newBuilder().setText("leaf").build()).build();
    for (int i = 0; i < depth; i++)
      d = DocProto.newBuilder().putData("thesis", NodeProto.newBuilder().setDoc(d).build()).build();
    return d.toByteArray();
  }

  static byte[] compress(Codec c, byte[] data) {
    try {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      try (OutputStream o = c.compress(b, true)) {
        o.write(data);
      }
      return b.toByteArray();
    } catch (IOException e) {
      throw new RuntimeException(e);
    }
  }

  /** Three documents: a good one, the given one, another good one. */
  static byte[] sandwich(String base, byte[] middle) {
    List<byte[]> p = payloads(bytes(base));
    return stream(3, List.of(p.get(0), middle, p.get(p.size() - 1)));
  }

  static List<Case> cases() {
    List<Case> c = new ArrayList<>();
    String st = "students.protobuf";
    byte[] s = bytes(st);
    List<byte[]> p = payloads(s);
    int doc1 = 9 + 4 + p.get(0).length;
    int doc2 = doc1 + 4 + p.get(1).length;
    // --- framing of the 'protobuf' stream
    c.add(
        new Case("version-byte-3", "a.protobuf", flip(s, 0, 3), st, "version byte is 0x03", 0, 1));
    c.add(
        new Case("version-byte-0", "a.protobuf", flip(s, 0, 0), st, "version byte is 0x00", 0, 1));
    c.add(new Case("empty-file", "a.protobuf", new byte[0], st, "empty file", 0, 1));
    c.add(
        new Case(
            "header-truncated", "a.protobuf", cut(s, 5), st, "inside the 9-byte header", 0, 1));
    c.add(
        new Case("count-one-too-many", "a.protobuf", flip(s, 8, 4), st, "header declares 4", 3, 1));
    c.add(new Case("count-absurd", "a.protobuf", flip(s, 3, 0x40), st, "file has only", 0, 1));
    c.add(new Case("count-negative", "a.protobuf", flip(s, 1, 0x80), st, "absurd", 0, 1));
    c.add(new Case("count-one-too-few", "a.protobuf", flip(s, 8, 2), st, "trailing bytes", 2, 1));
    c.add(
        new Case(
            "count-zero-with-documents", "a.protobuf", flip(s, 8, 0), st, "trailing bytes", 0, 1));
    c.add(
        new Case(
            "trailing-garbage",
            "a.protobuf",
            concat(s, new byte[] {1, 2, 3}),
            st,
            "trailing bytes",
            3,
            1));
    c.add(
        new Case(
            "trailing-zero-byte",
            "a.protobuf",
            concat(s, new byte[1]),
            st,
            "trailing bytes",
            3,
            1));
    c.add(
        new Case(
            "truncated-in-length-prefix",
            "a.protobuf",
            cut(s, doc1 + 2),
            st,
            "inside the 4-byte length prefix",
            1,
            1));
    c.add(
        new Case(
            "truncated-in-first-document",
            "a.protobuf",
            cut(s, 9 + 4 + 10),
            st,
            "runs past the end of the file",
            0,
            1));
    c.add(
        new Case(
            "truncated-in-last-document",
            "a.protobuf",
            cut(s, s.length - 1),
            st,
            "runs past the end of the file",
            2,
            1));
    c.add(
        new Case(
            "truncated-after-two-documents",
            "a.protobuf",
            cut(s, doc2),
            st,
            "file ends after 2 documents",
            2,
            1));
    c.add(
        new Case(
            "length-prefix-past-end",
            "a.protobuf",
            flip(s, doc1 + 2, 0x7f),
            st,
            "runs past the end of the file",
            1,
            1));
    c.add(
        new Case(
            "length-prefix-4GiB",
            "a.protobuf",
            flip(flip(flip(flip(s, 9, 0xff), 10, 0xff), 11, 0xff), 12, 0xff),
            st,
            "exceeds maxDocumentBytes",
            0,
            1));
    // --- payloads that are not DocProtos (per document: the next document is still read)
    c.add(
        new Case(
            "bitflip-entry-tag",
            "a.protobuf",
            flip(s, doc1 + 4, 0x0B),
            st,
            "not a DocProto",
            2,
            1));
    c.add(
        new Case(
            "payload-all-0xff",
            "a.protobuf",
            sandwich(st, filled(40, 0xff)),
            st,
            "document 1",
            2,
            1));
    c.add(
        new Case(
            "payload-is-a-pickle",
            "a.protobuf",
            sandwich(st, new byte[] {(byte) 0x80, 4, (byte) 0x95, 0, 0, 0}),
            st,
            "document 1",
            2,
            1));
    c.add(
        new Case(
            "payload-end-group-tag",
            "a.protobuf",
            sandwich(st, new byte[] {0x0C, 0x0A, 0x00}),
            st,
            "document 1",
            2,
            1));
    c.add(
        new Case(
            "node-two-oneof-contents",
            "a.protobuf",
            sandwich(st, docWithRawNode("id", new byte[] {0x0A, 0x01, 'a', 0x10, 0x05})),
            st,
            "share one oneof",
            2,
            1));
    c.add(
        new Case(
            "node-wrong-wire-type",
            "a.protobuf",
            sandwich(st, docWithRawNode("id", new byte[] {0x08, 0x01})),
            st,
            "not a NodeProto",
            2,
            1));
    c.add(
        new Case(
            "node-unknown-field-14",
            "a.protobuf",
            sandwich(st, docWithRawNode("id", new byte[] {0x72, 0x00})),
            st,
            "not a NodeProto",
            2,
            1));
    c.add(
        new Case(
            "node-length-past-end",
            "a.protobuf",
            sandwich(st, docWithRawNode("id", new byte[] {0x0A, 0x50, 'a'})),
            st,
            "runs past the end",
            2,
            1));
    c.add(
        new Case(
            "text-invalid-utf8",
            "a.protobuf",
            sandwich(st, docWithRawNode("id", new byte[] {0x0A, 0x02, (byte) 0xC3, 0x28})),
            st,
            "not valid UTF-8",
            2,
            1));
    c.add(
        new Case(
            "text-surrogate-utf8",
            "a.protobuf",
            sandwich(
                st,
                docWithRawNode(
                    "id", new byte[] {0x0A, 0x03, (byte) 0xED, (byte) 0xA0, (byte) 0x80})),
            st,
            "not valid UTF-8",
            2,
            1));
    c.add(
        new Case(
            "doc-where-text-expected-kind",
            "a.protobuf",
            sandwich(st, docWithRawNode("thesis", new byte[] {0x10, 0x05})),
            st,
            "does not convert",
            2,
            1));
    // nesting: a pruned read never descends into keys it does not need, so depth only matters where
    // the reader does descend: here an untyped list (a JSON column) nested 200 deep
    c.add(
        new Case(
            "nesting-too-deep",
            "a.protobuf",
            sandwich("anybag.protobuf", deepList(200)),
            "anybag.protobuf",
            "maxNestingDepth",
            2,
            1));
    c.add(
        new Case(
            "nesting-deep-but-pruned",
            "a.protobuf",
            sandwich(st, deepDoc(200)),
            st,
            "no error",
            3,
            0));
    // --- tensors (read with the dtypes fixture's schema)
    String dt = "dtypes.protobuf";
    c.add(
        new Case(
            "tensor-unknown-dtype",
            "a.protobuf",
            sandwich(dt, tensorDoc("f32", "<x4", new int[] {2}, 8)),
            dt,
            "unknown tensor dtype",
            2,
            1));
    c.add(
        new Case(
            "tensor-object-dtype",
            "a.protobuf",
            sandwich(dt, tensorDoc("f32", "|O", new int[] {2}, 16)),
            dt,
            "unknown tensor dtype",
            2,
            1));
    c.add(
        new Case(
            "tensor-buffer-too-short",
            "a.protobuf",
            sandwich(dt, tensorDoc("f32", "<f4", new int[] {4}, 12)),
            dt,
            "needs 16",
            2,
            1));
    c.add(
        new Case(
            "tensor-buffer-too-long",
            "a.protobuf",
            sandwich(dt, tensorDoc("f32", "<f4", new int[] {2}, 12)),
            dt,
            "needs 8",
            2,
            1));
    c.add(
        new Case(
            "tensor-shape-overflow",
            "a.protobuf",
            sandwich(
                dt,
                tensorDoc(
                    "f32",
                    "<f4",
                    new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE},
                    0)),
            dt,
            "overflows",
            2,
            1));
    c.add(
        new Case(
            "tensor-too-many-elements",
            "a.protobuf",
            sandwich(dt, tensorDoc("f32", "<f4", new int[] {1 << 29}, 0)),
            dt,
            "maxTensorElements",
            2,
            1));
    c.add(
        new Case(
            "tensor-huge-dimension",
            "a.protobuf",
            sandwich(dt, tensorDoc("f32", "<f4", new int[] {-1}, 0)),
            dt,
            "too large",
            2,
            1));
    c.add(
        new Case(
            "tensor-complex-in-typed-mode",
            "a.protobuf",
            sandwich(dt, tensorDoc("f32", "<c8", new int[] {1}, 8)),
            dt,
            "tensorMode=binary",
            2,
            1));
    c.add(
        new Case(
            "tensor-without-dtype",
            "a.protobuf",
            sandwich(dt, tensorDoc("f32", "", new int[] {1}, 4)),
            dt,
            "has no dtype",
            2,
            1));
    // --- codecs
    String lz = "students.protobuf.lz4";
    byte[] l = bytes(lz);
    List<byte[]> lp = payloads(l);
    int l1 = 9 + 4 + lp.get(0).length;
    c.add(
        new Case(
            "lz4-document-corrupt",
            "a.protobuf.lz4",
            flip(l, l1 + 4 + 12, 0x55),
            st,
            "document 1",
            2,
            1));
    c.add(
        new Case(
            "lz4-document-not-lz4",
            "a.protobuf.lz4",
            stream(3, List.of(lp.get(0), p.get(1), lp.get(2))),
            st,
            "cannot decompress",
            2,
            1));
    c.add(new Case("lz4-stream-read-as-plain", "a.protobuf", l, st, "not a DocProto", 0, 3));
    c.add(
        new Case(
            "gzip-document-truncated",
            "a.protobuf.gzip",
            stream(3, List.of(gz(p.get(0)), cut(gz(p.get(1)), 20), gz(p.get(2)))),
            st,
            "cannot decompress",
            2,
            1));
    c.add(
        new Case(
            "bz2-document-corrupt",
            "a.protobuf.bz2",
            flipXor(bytes("students.protobuf.bz2"), 9 + 4 + 30),
            st,
            "cannot decompress",
            2,
            1));
    c.add(
        new Case(
            "xz-document-crc-mismatch",
            "a.protobuf.lzma",
            flipLast(bytes("students.protobuf.lzma"), 3),
            st,
            "document 2",
            2,
            1));
    c.add(
        new Case(
            "zlib-document-corrupt",
            "a.protobuf.zlib",
            flipXor(bytes("students.protobuf.zlib"), 9 + 4 + 5),
            st,
            "document 0",
            2,
            1));
    byte[] ga = bytes("students.protobuf-array.gzip");
    c.add(
        new Case(
            "gzip-file-truncated", "a.protobuf-array.gzip", cut(ga, 40), st, "Malformed", 0, 1));
    // a whole-file codec cut off at 3/5: the codec's bare EOF becomes an error naming file, codec
    // and offset.
    // Good documents are those the codec delivered whole before the cut: gzip streams 298 bytes
    // (document
    // 0 complete), lz4 its first block (323 bytes), bz2 and xz deliver nothing from an unfinished
    // block.
    String[][] cuts = {{"gzip", "1"}, {"bz2", "0"}, {"lzma", "0"}, {"lz4", "1"}};
    for (String[] k : cuts) {
      byte[] whole = bytes("students.protobuf-array." + k[0]);
      c.add(
          new Case(
              k[0] + "-file-cut-midway",
              "a.protobuf-array." + k[0],
              cut(whole, whole.length * 3 / 5),
              st,
              "the " + k[0] + " stream is cut short or corrupt",
              Integer.parseInt(k[1]),
              1));
    }
    c.add(
        new Case(
            "gzip-file-read-as-plain",
            "a.protobuf-array",
            ga,
            st,
            "expected a DocListProto record",
            0,
            1));
    c.add(
        new Case(
            "lz4-file-read-as-plain",
            "a.protobuf-array",
            bytes("students.protobuf-array.lz4"),
            st,
            "expected a DocListProto record",
            0,
            1));
    c.add(
        new Case(
            "plain-file-read-as-gzip",
            "a.protobuf-array.gzip",
            bytes("students.protobuf-array"),
            st,
            "not a gzip",
            0,
            1));
    c.add(
        new Case(
            "decompression-bomb-zeros",
            "a.protobuf-array.gzip",
            bomb(64 << 20),
            st,
            "expected a DocListProto record",
            0,
            1));
    // --- 'protobuf-array' framing
    String ar = "students.protobuf-array";
    byte[] a = bytes(ar);
    c.add(
        new Case(
            "array-truncated",
            "a.protobuf-array",
            cut(a, a.length - 5),
            st,
            "input ends inside a document",
            2,
            1));
    c.add(
        new Case(
            "array-wrong-top-level-tag",
            "a.protobuf-array",
            flip(a, 0, 0x08),
            st,
            "found tag 0x8",
            0,
            1));
    c.add(
        new Case(
            "array-malformed-varint",
            "a.protobuf-array",
            concat(new byte[] {0x0A}, filled(11, 0xff)),
            st,
            "varint",
            0,
            1));
    c.add(
        new Case(
            "array-length-past-end",
            "a.protobuf-array",
            new byte[] {0x0A, (byte) 0xff, 0x7f, 0x0A},
            st,
            "input ends inside a document",
            0,
            1));
    c.add(
        new Case(
            "array-trailing-partial-tag",
            "a.protobuf-array",
            concat(a, new byte[] {0x0A}),
            st,
            "varint",
            3,
            1));
    c.add(
        new Case(
            "array-document-bitflip",
            "a.protobuf-array",
            flip(a, 3, 0x0B),
            st,
            "not a DocProto",
            2,
            1));
    // --- DocVec
    c.add(
        new Case(
            "docvec-unequal-columns",
            "a.protobuf-array",
            unequalDocVec(),
            "docvec.protobuf-array",
            "has 3 rows",
            0,
            1));
    // the columns parse, so each of the 4 rows fails on its own slice
    c.add(
        new Case(
            "docvec-tensor-buffer-mismatch",
            "a.protobuf-array",
            docVecBadTensor(),
            "docvec.protobuf-array",
            "needs 32",
            0,
            4));
    byte[] dv = bytes("docvec.protobuf-array");
    c.add(
        new Case(
            "docvec-truncated",
            "a.protobuf-array",
            cut(dv, dv.length - 7),
            "docvec.protobuf-array",
            "not a DocVecProto",
            0,
            1));
    // --- json-array
    String js = "students.json-array";
    byte[] j = bytes(js);
    c.add(new Case("json-truncated", "a.json-array", cut(j, j.length - 20), js, "Malformed", 2, 1));
    c.add(
        new Case(
            "json-object-not-array",
            "a.json-array",
            "{\"tensor_columns\": {}}".getBytes(),
            js,
            "DocVec.to_json",
            0,
            1));
    c.add(
        new Case(
            "json-trailing-data",
            "a.json-array",
            concat(j, "[]".getBytes()),
            js,
            "trailing data",
            3,
            1));
    c.add(
        new Case(
            "json-number-for-document",
            "a.json-array",
            "[{\"id\": \"x\"}, 5]".getBytes(),
            js,
            "expected a document object",
            1,
            1));
    c.add(new Case("json-not-json", "a.json-array", "hello".getBytes(), js, "not JSON", 0, 1));
    c.add(
        new Case(
            "json-ragged-tensor",
            "a.json-array",
            ("[{\"id\": \"a\", \"thesis\": {\"title\": {\"embedding\": [[1, 2], [3]]}}}, {\"id\": \"b\"}]")
                .getBytes(),
            js,
            "not a rectangular number array",
            1,
            1));
    return c;
  }

  static byte[] filled(int n, int v) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) v);
    return b;
  }

  static byte[] flipXor(byte[] b, int at) {
    return flip(b, at, b[at] ^ 0x5A);
  }

  static byte[] flipLast(byte[] b, int fromEnd) {
    return flip(b, b.length - fromEnd, b[b.length - fromEnd] ^ 0x20);
  }

  static byte[] gz(byte[] d) {
    try {
      return Codec.GZIP.compressBytes(d, 0, d.length);
    } catch (IOException e) {
      throw new RuntimeException(e);
    }
  }

  /** gzip of n zero bytes: a small file that inflates to n bytes of nothing useful. */
  static byte[] bomb(int n) {
    try {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      try (OutputStream o = Codec.GZIP.compress(b, true)) {
        byte[] zeros = new byte[1 << 20];
        for (int i = 0; i < n / zeros.length; i++) o.write(zeros);
      }
      return b.toByteArray();
    } catch (IOException e) {
      throw new RuntimeException(e);
    }
  }

  static byte[] unequalDocVec() {
    ListOfAnyProto.Builder ids = ListOfAnyProto.newBuilder();
    ListOfAnyProto.Builder labels = ListOfAnyProto.newBuilder();
    for (int i = 0; i < 4; i++) ids.addData(NodeProto.newBuilder().setText("v" + i).setType("id"));
    for (int i = 0; i < 3; i++) labels.addData(NodeProto.newBuilder().setInteger(i));
    return DocVecProto.newBuilder()
        .putAnyColumns("id", ids.build())
        .putAnyColumns("label", labels.build())
        .build()
        .toByteArray();
  }

  static byte[] docVecBadTensor() {
    ListOfAnyProto.Builder ids = ListOfAnyProto.newBuilder();
    for (int i = 0; i < 4; i++) ids.addData(NodeProto.newBuilder().setText("v" + i).setType("id"));
    NdArrayProto t =
        NdArrayProto.newBuilder()
            .setDense(
                DenseNdArrayProto.newBuilder()
                    .setDtype("<f4")
                    .addShape(4)
                    .addShape(2)
                    .setBuffer(ByteString.copyFrom(new byte[30])))
            .build();
    return DocVecProto.newBuilder()
        .putAnyColumns("id", ids.build())
        .putTensorColumns("emb", t)
        .build()
        .toByteArray();
  }

  static StructType schemaOf(String base) {
    return read(base).schema().add("_corrupt_record", DataTypes.StringType);
  }

  @Test
  void aDtypeTypedColumnsCannotHoldNamesTheFileAndDocument() throws IOException {
    byte[] b = Files.readAllBytes(fixture("students.protobuf"));
    String text = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
    int at = text.indexOf("<f4");
    assertTrue(at > 0 && text.indexOf("<f4", at + 1) < 0);
    b[at + 2] = '3'; // '<f3': no such numpy dtype
    Path f = tmp.resolve("f3").resolve("odd.protobuf");
    Files.createDirectories(f.getParent());
    Files.write(f, b);
    Exception e =
        assertThrows(Exception.class, () -> spark().read().format("docarray").load(f.toString()));
    String m = rootMessage(e);
    assertTrue(
        m.contains("Tensor field 'thesis.title.embedding' has dtype '<f3' (first in " + "file:" + f)
            && m.contains(", document 1)")
            && m.contains("tensorMode=binary"),
        m);
    // the exact bytes, in binary mode
    List<Row> rows =
        spark()
            .read()
            .format("docarray")
            .option("tensorMode", "binary")
            .load(f.toString())
            .orderBy("id")
            .collectAsList();
    assertEquals(3, rows.size());
    Row thesis = rows.get(1).getStruct(rows.get(1).fieldIndex("thesis"));
    Row title = thesis.getStruct(thesis.fieldIndex("title"));
    Row emb = title.getStruct(title.fieldIndex("embedding"));
    assertEquals("<f3", emb.getString(emb.fieldIndex("dtype")));
  }

  @Test
  void permissiveWithAnInferredSchemaAddsTheCorruptRecordColumn() throws IOException {
    byte[] b = Files.readAllBytes(fixture("students.protobuf"));
    b[9 + 4] = 0x0B; // the first document's first field: a tag DocProto does not have
    Path f = tmp.resolve("permissive").resolve("damaged.protobuf");
    Files.createDirectories(f.getParent());
    Files.write(f, b);
    Dataset<Row> df =
        spark().read().format("docarray").option("mode", "PERMISSIVE").load(f.toString());
    assertEquals(DataTypes.StringType, df.schema().apply("_corrupt_record").dataType());
    List<Row> rows = df.collectAsList();
    assertEquals(3, rows.size());
    List<String> errors = new ArrayList<>();
    for (Row r : rows)
      if (!r.isNullAt(r.fieldIndex("_corrupt_record")))
        errors.add(r.getString(r.fieldIndex("_corrupt_record")));
    assertEquals(1, errors.size(), errors.toString());
    assertTrue(
        errors.get(0).contains("damaged.protobuf") && errors.get(0).contains("document 0"),
        errors.get(0));
    // a custom column name, and FAILFAST (the default) adds nothing
    assertTrue(
        Arrays.asList(
                spark()
                    .read()
                    .format("docarray")
                    .option("mode", "PERMISSIVE")
                    .option("columnNameOfCorruptRecord", "why")
                    .load(f.toString())
                    .schema()
                    .fieldNames())
            .contains("why"));
    assertTrue(
        !Arrays.asList(
                spark()
                    .read()
                    .format("docarray")
                    .load(fixture("students.protobuf").toString())
                    .schema()
                    .fieldNames())
            .contains("_corrupt_record"));
  }

  @TestFactory
  Stream<DynamicTest> everyCorruptFileInEveryMode() throws IOException {
    List<Case> all = cases();
    assertTrue(all.size() >= 50, "corpus size " + all.size());
    List<DynamicTest> tests = new ArrayList<>();
    for (Case k : all) {
      Path dir = tmp.resolve(k.name);
      Files.createDirectories(dir);
      Path f = dir.resolve(k.fileName);
      Files.write(f, k.bytes);
      StructType schema = schemaOf(k.base);
      tests.add(
          DynamicTest.dynamicTest(
              k.name + " / FAILFAST",
              () -> {
                if (k.corrupt == 0) {
                  assertEquals(
                      k.good,
                      spark()
                          .read()
                          .format("docarray")
                          .schema(schema)
                          .load(f.toString())
                          .collectAsList()
                          .size());
                  return;
                }
                try {
                  List<Row> rows =
                      spark()
                          .read()
                          .format("docarray")
                          .schema(schema)
                          .load(f.toString())
                          .collectAsList();
                  fail("read " + rows.size() + " rows without an error");
                } catch (Exception e) {
                  String m = rootMessage(e);
                  assertTrue(m.contains(k.fileName), "names the file: " + m);
                  assertTrue(m.contains(k.failfast), "says '" + k.failfast + "': " + m);
                }
              }));
      tests.add(
          DynamicTest.dynamicTest(
              k.name + " / FAILFAST, schema inferred",
              () -> {
                // damage relative to the declared schema only (a kind or shape the schema does not
                // expect) is no damage
                // to an inferred schema
                if (k.corrupt == 0
                    || k.name.equals("doc-where-text-expected-kind")
                    || k.name.equals("json-ragged-tensor")) return;
                // inference meets the damage first (or the read does): either way the error names
                // the file
                try {
                  List<Row> rows =
                      spark().read().format("docarray").load(f.toString()).collectAsList();
                  fail(k.name + ": read " + rows.size() + " rows without an error");
                } catch (Exception e) {
                  String m = rootMessage(e);
                  assertTrue(m.contains(k.fileName), "names the file: " + m);
                }
              }));
      tests.add(
          DynamicTest.dynamicTest(
              k.name + " / DROPMALFORMED",
              () -> {
                List<Row> rows =
                    spark()
                        .read()
                        .format("docarray")
                        .schema(schema)
                        .option("mode", "DROPMALFORMED")
                        .load(f.toString())
                        .collectAsList();
                assertEquals(k.good, rows.size(), "good documents of " + k.name);
                for (Row r : rows) assertTrue(r.isNullAt(r.fieldIndex("_corrupt_record")));
              }));
      tests.add(
          DynamicTest.dynamicTest(
              k.name + " / PERMISSIVE",
              () -> {
                List<Row> rows =
                    spark()
                        .read()
                        .format("docarray")
                        .schema(schema)
                        .option("mode", "PERMISSIVE")
                        .load(f.toString())
                        .collectAsList();
                assertEquals(k.good + k.corrupt, rows.size(), "good documents plus corrupt rows");
                long corrupt =
                    rows.stream().filter(r -> !r.isNullAt(r.fieldIndex("_corrupt_record"))).count();
                assertEquals(k.corrupt, corrupt, "corrupt rows");
                for (Row r : rows) {
                  if (!r.isNullAt(r.fieldIndex("_corrupt_record"))) {
                    String m = r.getString(r.fieldIndex("_corrupt_record"));
                    assertTrue(m.contains(k.fileName) && m.contains(k.failfast), m);
                  }
                }
              }));
    }
    return tests.stream();
  }
}
