package org.docarray.spark.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Options nothing reads are named, with the nearest known one; Hadoop settings and Spark's own
 * pass.
 */
class OptionCheckTest {
  @Test
  void aMisspelledOptionIsNamedWithTheNearestKnownOne() {
    Map<String, String> given = new HashMap<>();
    given.put("compresion", "lz4");
    given.put("path", "/x");
    given.put("fs.s3a.endpoint", "http://127.0.0.1:9000");
    given.put("__partition_columns", "[\"year\"]");
    given.put("Protocol", "protobuf");
    List<String> write = OptionCheck.unknown(given, OptionNames.WRITE, "write");
    assertEquals(1, write.size(), write.toString());
    assertTrue(
        write
            .get(0)
            .startsWith(
                "Unknown docarray write option 'compresion' is ignored: did you mean "
                    + "'compression'?"),
        write.get(0));
    given.put("tensormod", "binary");
    given.put("zzzqqq", "1");
    List<String> read = OptionCheck.unknown(given, OptionNames.READ, "read");
    assertEquals(3, read.size(), read.toString());
    assertTrue(
        read.get(1).contains("'tensormod' is ignored: did you mean 'tensorMode'?"), read.get(1));
    assertTrue(
        read.get(2).startsWith("Unknown docarray read option 'zzzqqq' is ignored (options: "),
        read.get(2));
  }

  @Test
  void theReaderAndWriterTakeEveryListedOption() {
    // each listed read option parses (a typo in the list would name an option nothing reads)
    Map<String, String> all = new HashMap<>();
    for (String k : OptionNames.READ) all.put(k, "");
    assertTrue(OptionCheck.unknown(all, OptionNames.READ, "read").isEmpty());
    assertEquals("maxPartitionBytes", OptionCheck.nearest("maxPartitionByte", OptionNames.READ));
    assertEquals(null, OptionCheck.nearest("somethingelse", OptionNames.WRITE));
  }
}
