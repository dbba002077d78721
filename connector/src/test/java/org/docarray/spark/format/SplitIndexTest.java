package org.docarray.spark.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Document-aligned cuts of a stream file: contiguous, complete, nearly equal, never empty. */
class SplitIndexTest {
  private static final Limits LIMITS = Limits.defaults();

  /**
   * A protobuf stream (version byte, count, 4-byte big-endian lengths) of documents of the given
   * payload sizes (payload bytes are not parsed).
   */
  private static byte[] stream(int[] sizes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(StreamFramingSource.VERSION);
    for (int i = 7; i >= 0; i--) out.write((int) ((long) sizes.length >>> (8 * i)));
    for (int s : sizes) {
      out.write(s >>> 24);
      out.write(s >>> 16);
      out.write(s >>> 8);
      out.write(s);
      out.write(new byte[s], 0, s);
    }
    return out.toByteArray();
  }

  private static List<SplitIndex.Range> plan(byte[] file, long target) throws IOException {
    return SplitIndex.plan(
        new ByteArrayInputStream(file), file.length, Protocol.PROTOBUF, target, LIMITS);
  }

  private static void assertCovers(List<SplitIndex.Range> ranges, long fileLength, long docs) {
    long pos = 9, first = 0;
    for (SplitIndex.Range r : ranges) {
      assertEquals(pos, r.start, "ranges are contiguous");
      assertEquals(first, r.firstIndex, "document numbering continues");
      assertTrue(r.count > 0 && r.end > r.start, "no empty range");
      pos = r.end;
      first += r.count;
    }
    assertEquals(fileLength, pos, "the last range ends at the end of the file");
    assertEquals(docs, first, "every document in exactly one range");
  }

  @Test
  void aFileIsCutIntoCeilBytesOverTargetNearlyEqualRanges() throws IOException {
    Random rnd = new Random(7);
    int[] sizes = new int[5000];
    for (int i = 0; i < sizes.length; i++) sizes[i] = 200 + rnd.nextInt(800);
    byte[] file = stream(sizes);
    long data = file.length - 9;
    for (long target : new long[] {data / 8 + 1, data / 3, 100_000, 1_000_000}) {
      List<SplitIndex.Range> ranges = plan(file, target);
      assertCovers(ranges, file.length, sizes.length);
      long pieces = (data + target - 1) / target;
      assertEquals(pieces, ranges.size(), "target " + target);
      for (SplitIndex.Range r : ranges) {
        // each range is its equal share give or take one document (at most 1000 + 4 bytes here)
        assertTrue(
            Math.abs((r.end - r.start) - data / pieces) <= 2 * 1004,
            "target "
                + target
                + ": range of "
                + (r.end - r.start)
                + " bytes, share "
                + data / pieces);
      }
    }
  }

  @Test
  void aDocumentBiggerThanSeveralSharesMakesOneRangeNotEmptyOnes() throws IOException {
    int[] sizes = {100, 100, 50_000, 100, 100, 100};
    byte[] file = stream(sizes);
    List<SplitIndex.Range> ranges = plan(file, 5_000);
    assertCovers(ranges, file.length, sizes.length);
    assertTrue(ranges.size() <= 3, "ranges: " + ranges.size());
  }

  @Test
  void aFileWithTrailingBytesIsNotSplit() throws IOException {
    byte[] good = stream(new int[] {300, 300, 300, 300});
    byte[] bad = java.util.Arrays.copyOf(good, good.length + 3);
    assertNull(plan(bad, 400));
    assertEquals(4, plan(good, 400).size());
  }

  @Test
  void sizeOptionsTakeSparkSizeStrings() {
    assertEquals(
        128L << 20,
        org.docarray.spark.config.DocArrayReadConf.withSparkDefaults(
                java.util.Map.of("maxPartitionBytes", "128m"))
            .maxPartitionBytes);
    assertEquals(
        1000L,
        org.docarray.spark.config.DocArrayReadConf.withSparkDefaults(
                java.util.Map.of("maxPartitionBytes", "1000"))
            .maxPartitionBytes);
    assertEquals(
        1L << 30,
        org.docarray.spark.config.DocArrayReadConf.withSparkDefaults(
                java.util.Map.of("maxDocumentBytes", "1g"))
            .limits
            .maxDocumentBytes);
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () ->
                org.docarray.spark.config.DocArrayReadConf.withSparkDefaults(
                    java.util.Map.of("maxPartitionBytes", "lots")));
    assertTrue(
        e.getMessage().contains("maxPartitionBytes") && e.getMessage().contains("lots"),
        e.getMessage());
  }
}
