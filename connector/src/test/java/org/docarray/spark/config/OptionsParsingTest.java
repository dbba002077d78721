package org.docarray.spark.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.docarray.spark.format.Codec;
import org.docarray.spark.format.Protocol;
import org.junit.jupiter.api.Test;

/**
 * Read and write options parsed alike, without a Spark job: names case-insensitive, values strict.
 */
class OptionsParsingTest {
  private static Map<String, String> of(String... kv) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
    return m;
  }

  @Test
  void readOptions() {
    DocArrayReadConf o =
        DocArrayReadConf.withSparkDefaults(
            of(
                "path",
                "/x",
                "Codec",
                "LZ4",
                "TENSORMODE",
                "binary",
                "splitFiles",
                "FALSE",
                "maxPartitionBytes",
                "16m",
                "container",
                "docvec"));
    assertEquals(Codec.LZ4, o.compression, "codec is an alias of compression");
    assertTrue(o.binaryTensors());
    assertTrue(!o.splitFiles);
    assertEquals(16L << 20, o.maxPartitionBytes);
    assertEquals(Container.DOCVEC, o.container);
    assertNull(
        DocArrayReadConf.withSparkDefaults(of("path", "/x")).protocol, "the file name decides");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> DocArrayReadConf.withSparkDefaults(of("path", "/x", "splitFiles", "yes")));
    assertEquals("Option 'splitFiles' must be true or false, not 'yes'", e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> DocArrayReadConf.withSparkDefaults(of("path", "/x", "tensorMode", "exact")));
    assertThrows(
        IllegalArgumentException.class,
        () -> DocArrayReadConf.withSparkDefaults(of("path", "/x", "maxNestingDepth", "0")));
  }

  /**
   * Read option, then the session's setting, then Spark's default: resolved in DocArrayReadConf
   * alone.
   */
  @Test
  void sessionSettingsComeAfterTheReadOption() {
    org.apache.spark.sql.internal.SQLConf session = new org.apache.spark.sql.internal.SQLConf();
    DocArrayReadConf defaults = DocArrayReadConf.withSparkDefaults(of("path", "/x"));
    assertEquals(false, defaults.ignoreCorruptFiles, "Spark's default");
    assertEquals(128L << 20, defaults.maxPartitionBytes, "Spark's default");
    assertEquals("_corrupt_record", defaults.columnNameOfCorruptRecord);
    session.setConfString("spark.sql.files.ignoreCorruptFiles", "true");
    session.setConfString("spark.sql.files.maxPartitionBytes", "32m");
    session.setConfString("spark.sql.columnNameOfCorruptRecord", "_bad");
    DocArrayReadConf fromSession = new DocArrayReadConf(of("path", "/x"), session);
    assertEquals(true, fromSession.ignoreCorruptFiles, "the session's setting");
    assertEquals(32L << 20, fromSession.maxPartitionBytes, "the session's setting");
    assertEquals("_bad", fromSession.columnNameOfCorruptRecord, "the session's setting");
    DocArrayReadConf fromOption =
        new DocArrayReadConf(
            of(
                "path",
                "/x",
                "ignoreCorruptFiles",
                "false",
                "maxPartitionBytes",
                "1m",
                "columnNameOfCorruptRecord",
                "why"),
            session);
    assertEquals(false, fromOption.ignoreCorruptFiles, "the read option wins");
    assertEquals(1L << 20, fromOption.maxPartitionBytes, "the read option wins");
    assertEquals("why", fromOption.columnNameOfCorruptRecord, "the read option wins");
  }

  /**
   * Spark compares scans (exchange reuse, cached plans): equal options and session settings make
   * equal confs.
   */
  @Test
  void readConfsCompareByWhatTheyWereGiven() {
    assertEquals(
        DocArrayReadConf.withSparkDefaults(of("path", "/x", "Mode", "permissive")),
        DocArrayReadConf.withSparkDefaults(of("path", "/x", "mode", "permissive")));
    assertEquals(
        DocArrayReadConf.withSparkDefaults(of("path", "/x")).hashCode(),
        DocArrayReadConf.withSparkDefaults(of("path", "/x")).hashCode());
    assertTrue(
        !DocArrayReadConf.withSparkDefaults(of("path", "/x"))
            .equals(DocArrayReadConf.withSparkDefaults(of("path", "/y"))));
    org.apache.spark.sql.internal.SQLConf session = new org.apache.spark.sql.internal.SQLConf();
    session.setConfString("spark.sql.files.ignoreMissingFiles", "true");
    assertTrue(
        !DocArrayReadConf.withSparkDefaults(of("path", "/x"))
            .equals(new DocArrayReadConf(of("path", "/x"), session)),
        "a different session setting reads differently");
  }

  @Test
  void writeOptions() {
    DocArrayWriteConf w =
        new DocArrayWriteConf(
            of(
                "PROTOCOL",
                "protobuf-array",
                "codec",
                "zlib",
                "container",
                "DocVec",
                "manifest",
                "TRUE"));
    assertEquals(Protocol.PROTOBUF_ARRAY, w.protocol);
    assertEquals(Codec.ZLIB, w.compression);
    assertEquals(Codec.NONE, w.effectiveCodec(), "DocArray never compresses array files with zlib");
    assertEquals(Container.DOCVEC, w.container);
    assertTrue(w.manifest);
    assertEquals(".protobuf-array.zlib", w.extension());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> new DocArrayWriteConf(of("manifest", "yes")));
    assertEquals(
        "Option 'manifest' must be true or false, not 'yes'",
        e.getMessage(),
        "strict, as the reader");
    e =
        assertThrows(
            IllegalArgumentException.class, () -> new DocArrayWriteConf(of("container", "auto")));
    assertEquals("Option 'container' must be one of doclist, docvec, not 'auto'", e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> new DocArrayWriteConf(of("container", "docvec")),
        "a DocVec needs protocol=protobuf-array");
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new DocArrayWriteConf(
                of(
                    "protocol",
                    "protobuf-array",
                    "container",
                    "docvec",
                    "absentFieldsColumn",
                    "absent")),
        "a DocVec has one set of columns");
    assertThrows(
        IllegalArgumentException.class, () -> new DocArrayWriteConf(of("protocol", "pickle")));
    assertEquals(
        "absent", new DocArrayWriteConf(of("absentFieldsColumn", "absent")).absentFieldsColumn);
  }
}
