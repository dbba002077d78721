package org.docarray.spark.format;

import java.io.IOException;
import java.io.InputStream;

/**
 * The {@code protobuf-array} layout (docarray-format.md §6.3): the (decompressed) file is one
 * {@code DocListProto}, a plain sequence of field-1 records {@code 0x0A, varint length, DocProto}.
 * It is streamed record by record, so files above protobuf's 2 GiB message limit read fine.
 */
public final class ArrayFramingSource extends AbstractDocumentSource {
  private final CountingInputStream in;
  private final Limits limits;
  private final long endPosition;

  /**
   * @param in the decompressed stream, positioned at {@code start}
   * @param end exclusive end position of the range to read, or -1 for the end of the stream
   */
  public ArrayFramingSource(
      InputStream in, String fileName, Limits limits, long start, long end, long firstIndex) {
    super(fileName);
    this.in = new CountingInputStream(in, start, limits.maxDecompressedFileBytes);
    this.limits = limits;
    this.endPosition = end;
    this.index = firstIndex - 1;
  }

  public ArrayFramingSource(InputStream in, String fileName, Limits limits) {
    this(in, fileName, limits, 0, -1, 0);
  }

  @Override
  public boolean next() throws IOException {
    position = in.position();
    if (endPosition >= 0 && position >= endPosition) return false;
    long tag;
    try {
      byte[] head = null;
      int headLength = 0;
      if (index < 0
          && position == 0
          && in.markSupported()) { // the file's first bytes, for the refusal below
        head = new byte[32];
        in.mark(head.length);
        headLength = in.readNBytes(head, 0, head.length);
        in.reset();
      }
      int first = in.read();
      if (first < 0) return false;
      tag = readVarint(first);
      if (tag != 0x0A) {
        int field = (int) (tag >>> 3);
        if (field >= 2 && field <= 4 && (tag & 7) == 2) {
          throw new DocArrayFormatException(
              fileName,
              index + 1,
              position,
              "top-level field "
                  + field
                  + " belongs to a DocVecProto, not a DocListProto: read it with 'container'='docvec'");
        }
        String looks =
            head != null && first != 0x02 ? ForeignBytes.describe(head, headLength) : null;
        String expected =
            String.format("expected a DocListProto record (tag 0x0a), found tag 0x%x", tag);
        throw new DocArrayFormatException(
            fileName,
            index + 1,
            position,
            looks != null
                ? "not a DocArray file: it looks like " + looks + " (" + expected + ")"
                : expected
                    + ": not a 'protobuf-array' DocList file"
                    + (first == 0x02
                        ? " (it may be a 'protobuf' stream: set 'protocol'='protobuf')"
                        : ""));
      }
      long len = readVarint(-1);
      if (len < 0 || len > limits.maxDocumentBytes) {
        throw new DocArrayFormatException(
            fileName,
            index + 1,
            position,
            "document length "
                + Long.toUnsignedString(len)
                + " exceeds maxDocumentBytes ("
                + limits.maxDocumentBytes
                + "); raise the option if the file is genuine");
      }
      int l = (int) len;
      if (current.length < l)
        current =
            new byte[(int) Math.max(l, Math.min(limits.maxDocumentBytes, current.length * 2L))];
      int r = in.readFully(current, 0, l);
      if (r < l) {
        throw new DocArrayFormatException(
            fileName,
            index + 1,
            position,
            "input ends inside a document: expected " + l + " bytes, found " + r);
      }
      currentLength = l;
      index++;
      return true;
    } catch (CountingInputStream.LimitExceededException e) {
      throw new DocArrayFormatException(
          fileName,
          index + 1,
          position,
          "decompressed data exceeds maxDecompressedFileBytes (" + e.limit + ")");
    }
  }

  private long readVarint(int first) throws IOException {
    long result = 0;
    int shift = 0;
    int b = first >= 0 ? first : in.read();
    while (true) {
      if (b < 0) {
        throw new DocArrayFormatException(
            fileName, index + 1, position, "input ends inside a varint");
      }
      result |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) return result;
      shift += 7;
      if (shift >= 64)
        throw new DocArrayFormatException(fileName, index + 1, position, "malformed varint");
      b = in.read();
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
