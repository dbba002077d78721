package org.docarray.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.docarray.spark.format.Codec;
import org.docarray.spark.format.Protocol;
import org.docarray.spark.write.DocArrayWriteOptions;
import org.junit.jupiter.api.Test;

/** Read and write options parsed alike, without a Spark job: names case-insensitive, values strict. */
class OptionsParsingTest {
  private static Map<String, String> of(String... kv) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
    return m;
  }

  @Test
  void readOptions() {
    DocArrayOptions o = new DocArrayOptions(of("path", "/x", "Codec", "LZ4", "TENSORMODE", "binary", "splitFiles", "FALSE",
        "maxPartitionBytes", "16m", "container", "docvec"));
    assertEquals(Codec.LZ4, o.compression, "codec is an alias of compression");
    assertTrue(o.binaryTensors());
    assertTrue(!o.splitFiles);
    assertEquals(16L << 20, o.maxPartitionBytes);
    assertEquals(DocArrayOptions.Container.DOCVEC, o.container);
    assertNull(new DocArrayOptions(of("path", "/x")).protocol, "the file name decides");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new DocArrayOptions(of("path", "/x", "splitFiles", "yes")));
    assertEquals("Option 'splitFiles' must be true or false, not 'yes'", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new DocArrayOptions(of("path", "/x", "tensorMode", "exact")));
    assertThrows(IllegalArgumentException.class, () -> new DocArrayOptions(of("path", "/x", "maxNestingDepth", "0")));
  }

  @Test
  void writeOptions() {
    DocArrayWriteOptions w = new DocArrayWriteOptions(of("PROTOCOL", "protobuf-array", "codec", "zlib",
        "container", "DocVec", "manifest", "TRUE"));
    assertEquals(Protocol.PROTOBUF_ARRAY, w.protocol);
    assertEquals(Codec.ZLIB, w.compression);
    assertEquals(Codec.NONE, w.effectiveCodec(), "DocArray never compresses array files with zlib");
    assertEquals(DocArrayOptions.Container.DOCVEC, w.container);
    assertTrue(w.manifest);
    assertEquals(".protobuf-array.zlib", w.extension());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new DocArrayWriteOptions(of("manifest", "yes")));
    assertEquals("Option 'manifest' must be true or false, not 'yes'", e.getMessage(), "strict, as the reader");
    e = assertThrows(IllegalArgumentException.class, () -> new DocArrayWriteOptions(of("container", "auto")));
    assertEquals("Option 'container' for writing must be doclist or docvec, not 'auto'", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new DocArrayWriteOptions(of("container", "docvec")),
        "a DocVec needs protocol=protobuf-array");
    assertThrows(IllegalArgumentException.class, () -> new DocArrayWriteOptions(of("protocol", "protobuf-array",
        "container", "docvec", "absentFieldsColumn", "absent")), "a DocVec has one set of columns");
    assertThrows(IllegalArgumentException.class, () -> new DocArrayWriteOptions(of("protocol", "pickle")));
    assertEquals("absent", new DocArrayWriteOptions(of("absentFieldsColumn", "absent")).absentFieldsColumn);
  }
}
