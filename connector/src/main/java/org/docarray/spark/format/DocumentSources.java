package org.docarray.spark.format;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Opens the documents of one DocArray file from its bytes: the framing of the protocol, the
 * whole-file codec of the array protocols (never zlib, docarray-format.md §6.5), a DocVec told from
 * a DocList. The one place this is decided, for the Spark reader and the command-line tool alike
 * (no Spark, no Hadoop here).
 */
public final class DocumentSources {
  private DocumentSources() {}

  private static final int BUFFER = 256 * 1024;

  /**
   * @param docVec true or false when the caller knows the container of a {@code protobuf-array}
   *     file, null to tell it from the first bytes
   */
  public static DocumentSource open(
      InputStream raw,
      String path,
      long length,
      FileFormatDetector.Detected d,
      Limits limits,
      Boolean docVec,
      JsonHints hints)
      throws IOException {
    switch (d.protocol) {
      case PROTOBUF:
        return new StreamFramingSource(
            new BufferedInputStream(raw, BUFFER), path, length, d.codec, limits);
      case PROTOBUF_ARRAY:
        {
          InputStream in = wholeFile(raw, path, d.codec);
          boolean vec = docVec != null ? docVec : ContainerSniffer.isDocVec(in);
          return vec
              ? new DocVecSource(in, path, limits)
              : new ArrayFramingSource(in, path, limits);
        }
      case JSON_ARRAY:
        return new JsonArraySource(wholeFile(raw, path, d.codec), path, limits, hints);
      default:
        throw new IOException(
            "protocol " + d.protocol.wireName() + " is not a DocList file format");
    }
  }

  /** The decompressed stream of a whole-file codec, its failures naming the file and offset. */
  public static InputStream wholeFile(InputStream raw, String path, Codec codec)
      throws IOException {
    Codec c = codec.onWholeFile();
    if (c == Codec.NONE) return new BufferedInputStream(raw, BUFFER);
    return new BufferedInputStream(
        DecompressedInput.open(new BufferedInputStream(raw, BUFFER), path, c), BUFFER);
  }
}
