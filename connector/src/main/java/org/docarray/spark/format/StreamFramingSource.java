package org.docarray.spark.format;

import java.io.IOException;
import java.io.InputStream;

/**
 * The {@code protobuf} streaming layout (docarray-format.md §6.2): version byte 0x02, an 8-byte
 * big-endian document count, then per document a 4-byte big-endian length and the payload,
 * compressed on its own when a codec is set. The reader is strict where DocArray is lenient: a
 * count that disagrees with the data and trailing bytes are errors.
 *
 * <p>It can also read a byte range of the file that starts and ends at document boundaries (a
 * split): then {@code firstIndex} is the index of the first document in the range and the header is
 * not read.
 */
public final class StreamFramingSource extends AbstractDocumentSource {
  public static final int HEADER_BYTES = 9;
  public static final int VERSION = 2;

  private final CountingInputStream in;
  private final Codec codec;
  private final Limits limits;
  private final long fileLength; // -1 when unknown
  private final long endPosition; // exclusive end of the range, or -1 for "to the declared count"
  private long declaredCount = -1;

  /**
   * Read-ahead window over the file: documents are decoded in place from it (no copy per document).
   * chunk[chunkPos, chunkLimit) holds the bytes at file positions [chunkStart + chunkPos, ...).
   */
  private static final int CHUNK = 1 << 20;

  private byte[] chunk = new byte[0];
  private int chunkPos;
  private int chunkLimit;
  private long chunkStart;
  private byte[] decoded = new byte[0];
  private final boolean whole;

  /** Whole file from offset 0: header, all documents, trailing-byte check. */
  public StreamFramingSource(
      InputStream in, String fileName, long fileLength, Codec codec, Limits limits)
      throws IOException {
    super(fileName);
    this.in = new CountingInputStream(in, 0, Long.MAX_VALUE);
    this.codec = codec;
    this.limits = limits;
    this.fileLength = fileLength;
    this.endPosition = -1;
    this.whole = true;
    readHeader();
    this.index = -1;
    this.chunkStart = this.in.position();
  }

  /**
   * A range [start, end) of the file, positioned at {@code start} already, that starts at a
   * document boundary; {@code firstIndex} is the index of that document.
   */
  public StreamFramingSource(
      InputStream in,
      String fileName,
      long fileLength,
      Codec codec,
      Limits limits,
      long start,
      long end,
      long firstIndex,
      long declaredCount) {
    super(fileName);
    this.in = new CountingInputStream(in, start, Long.MAX_VALUE);
    this.codec = codec;
    this.limits = limits;
    this.fileLength = fileLength;
    this.endPosition = end;
    this.whole = false;
    this.index = firstIndex - 1;
    this.declaredCount = declaredCount;
    this.chunkStart = start;
  }

  private void readHeader() throws IOException {
    byte[] h = new byte[HEADER_BYTES];
    int n = in.readFully(h, 0, HEADER_BYTES);
    if (n == 0) {
      throw new DocArrayFormatException(
          fileName,
          -1,
          0,
          "empty file; a 'protobuf' DocList file starts with a 9-byte header (an empty DocList is 02 00 00 00 00 00 00 00 00)");
    }
    if ((h[0] & 0xff) != VERSION) {
      String hint = hint(h, n);
      String looks = ForeignBytes.describe(h, n);
      throw new DocArrayFormatException(
          fileName,
          -1,
          0,
          hint.isEmpty() && looks != null
              ? String.format(
                  "not a DocArray file: it looks like %s (version byte is 0x%02x, expected 0x02 of DocArray's "
                      + "'protobuf' format)",
                  looks, h[0] & 0xff)
              : String.format(
                  "version byte is 0x%02x, expected 0x02 of DocArray's 'protobuf' format%s",
                  h[0] & 0xff, hint));
    }
    if (n < HEADER_BYTES) {
      throw new DocArrayFormatException(fileName, -1, n, "file ends inside the 9-byte header");
    }
    long count = 0;
    for (int i = 1; i < 9; i++) count = (count << 8) | (h[i] & 0xff);
    if (count < 0) {
      throw new DocArrayFormatException(
          fileName, -1, 1, "document count " + Long.toUnsignedString(count) + " is absurd");
    }
    if (fileLength >= 0 && count > (fileLength - HEADER_BYTES) / 4) {
      throw new DocArrayFormatException(
          fileName,
          -1,
          1,
          "header declares "
              + count
              + " documents but the file has only "
              + fileLength
              + " bytes (each document needs at least 4)");
    }
    this.declaredCount = count;
  }

  private static String hint(byte[] h, int n) {
    if (n >= 4
        && (h[0] & 0xff) == 0x04
        && (h[1] & 0xff) == 0x22
        && (h[2] & 0xff) == 0x4d
        && (h[3] & 0xff) == 0x18) {
      return " (the bytes are an LZ4 frame: is the whole file compressed? set the 'compression' option)";
    }
    if (n >= 2 && (h[0] & 0xff) == 0x1f && (h[1] & 0xff) == 0x8b)
      return " (the bytes are gzip: set 'compression'='gzip')";
    if (n >= 3 && h[0] == 'B' && h[1] == 'Z' && h[2] == 'h')
      return " (the bytes are bzip2: set 'compression'='bz2')";
    if (n >= 2 && (h[0] & 0xff) == 0xfd && h[1] == '7')
      return " (the bytes are xz: set 'compression'='lzma')";
    if (n >= 1 && (h[0] & 0xff) == 0x80)
      return " (this looks like a Python pickle, which is never read)";
    if (n >= 1 && (h[0] & 0xff) == 0x0a)
      return " (this looks like a 'protobuf-array' file: set 'protocol'='protobuf-array')";
    if (n >= 1 && (h[0] == '[' || h[0] == '{'))
      return " (this looks like JSON: set 'protocol'='json-array')";
    return "";
  }

  /** File position of the next unread byte. */
  private long position() {
    return chunkStart + chunkPos;
  }

  /**
   * Makes {@code n} bytes available at chunk[chunkPos...], reading ahead in CHUNK-sized reads;
   * returns how many are available (fewer only at the end of the input).
   */
  private int ensure(int n) throws IOException {
    int have = chunkLimit - chunkPos;
    if (have >= n) return have;
    if (chunk.length - chunkPos < n) {
      // compact, growing the window when one document is bigger than it
      byte[] target =
          chunk.length >= n && chunkPos > 0
              ? chunk
              : new byte[Math.max(n, Math.max(CHUNK, chunk.length))];
      System.arraycopy(chunk, chunkPos, target, 0, have);
      chunk = target;
      chunkStart += chunkPos;
      chunkLimit = have;
      chunkPos = 0;
    }
    while (chunkLimit - chunkPos < n) {
      int r = in.read(chunk, chunkLimit, chunk.length - chunkLimit);
      if (r < 0) break;
      chunkLimit += r;
    }
    return chunkLimit - chunkPos;
  }

  @Override
  public boolean next() throws IOException {
    long nextIndex = index + 1;
    position = position();
    if (endPosition >= 0) {
      if (position >= endPosition) return false;
    } else if (nextIndex >= declaredCount) {
      if (whole) checkTrailing();
      return false;
    }
    int got = ensure(4);
    if (got < 4) {
      throw new DocArrayFormatException(
          fileName,
          nextIndex,
          position,
          got == 0
              ? "file ends after "
                  + nextIndex
                  + " documents but the header declares "
                  + declaredCount
              : "file ends inside the 4-byte length prefix");
    }
    byte[] c = chunk;
    int at = chunkPos;
    long len =
        ((c[at] & 0xffL) << 24)
            | ((c[at + 1] & 0xffL) << 16)
            | ((c[at + 2] & 0xffL) << 8)
            | (c[at + 3] & 0xffL);
    if (len > limits.maxDocumentBytes) {
      throw new DocArrayFormatException(
          fileName,
          nextIndex,
          position,
          "length prefix "
              + len
              + " exceeds maxDocumentBytes ("
              + limits.maxDocumentBytes
              + "); raise the option if the file is genuine");
    }
    long remaining = fileLength >= 0 ? fileLength - position - 4 : Long.MAX_VALUE;
    if (len > remaining) {
      throw new DocArrayFormatException(
          fileName,
          nextIndex,
          position,
          "length prefix " + len + " runs past the end of the file (" + remaining + " bytes left)");
    }
    int l = (int) len;
    int r = ensure(4 + l) - 4;
    if (r < l) {
      throw new DocArrayFormatException(
          fileName,
          nextIndex,
          position,
          "file ends inside a document: expected " + l + " bytes, found " + r);
    }
    int payload = chunkPos + 4;
    chunkPos = payload + l;
    index = nextIndex;
    payloadError = null;
    if (codec == Codec.NONE) {
      current = chunk;
      currentOffset = payload;
      currentLength = l;
    } else {
      decompress(payload, l);
    }
    return true;
  }

  private void decompress(int off, int l) throws IOException {
    currentOffset = 0;
    try (InputStream dec = codec.decompress(new java.io.ByteArrayInputStream(chunk, off, l))) {
      int n = 0;
      if (decoded.length == 0) decoded = new byte[Math.max(1024, l * 2)];
      while (true) {
        if (n == decoded.length) {
          if (n >= limits.maxDocumentBytes) {
            throw new DocArrayFormatException(
                fileName,
                index,
                position,
                "document decompresses to more than maxDocumentBytes ("
                    + limits.maxDocumentBytes
                    + ")");
          }
          decoded =
              java.util.Arrays.copyOf(
                  decoded, (int) Math.min(limits.maxDocumentBytes, (long) n * 2));
        }
        int k = dec.read(decoded, n, decoded.length - n);
        if (k < 0) break;
        n += k;
      }
      current = decoded;
      currentLength = n;
    } catch (DocArrayFormatException e) {
      payloadError = e.getMessage();
      currentLength = 0;
    } catch (IOException | RuntimeException e) {
      // the length prefix was right, so the next document is still reachable
      payloadError = "cannot decompress the document as " + codec.wireName() + ": " + e;
      currentLength = 0;
    }
  }

  private void checkTrailing() throws IOException {
    long at = position();
    if (ensure(1) > 0) {
      throw new DocArrayFormatException(
          fileName,
          declaredCount,
          at,
          "trailing bytes after the " + declaredCount + " documents the header declares");
    }
  }

  @Override
  public long declaredCount() {
    return declaredCount;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
