package org.docarray.spark.format;

import java.io.IOException;
import java.io.InputStream;

/**
 * The decompressed stream of a whole-file codec, whose failures name the file and where they
 * happened. A codec library reports a cut or corrupt stream as a bare {@code
 * EOFException("Unexpected end of ZLIB input stream")} or similar; this turns it into a {@link
 * DocArrayFormatException} with the file, the compressed byte offset reached and the decompressed
 * bytes produced so far. Failures of the underlying file stream itself (a real I/O error) pass
 * through unchanged.
 */
public final class DecompressedInput extends ObservedInputStream {
  private final String file;
  private final Codec codec;
  private final Compressed compressed;
  private long produced;

  private DecompressedInput(
      InputStream decompressed, Compressed compressed, String file, Codec codec) {
    super(decompressed);
    this.compressed = compressed;
    this.file = file;
    this.codec = codec;
  }

  /**
   * Opens {@code codec} over {@code raw}; a stream that does not even start as that codec fails
   * here.
   */
  public static InputStream open(InputStream raw, String file, Codec codec) throws IOException {
    Compressed c = new Compressed(raw);
    try {
      return new DecompressedInput(codec.decompress(c), c, file, codec);
    } catch (IOException e) {
      if (c.failed || e instanceof DocArrayFormatException) throw e;
      // a codec that fails within its header was never that codec; one that fails later (bz2
      // decodes its
      // first block when opened) is that codec, cut short or damaged
      if (c.position > HEADER_BYTES && !(e instanceof GzipMembers.NotGzipException)) {
        throw cutShort(file, codec, c.position, 0, e);
      }
      throw new DocArrayFormatException(
          file, -1, 0, "not a " + codec.wireName() + " stream: " + e.getMessage(), e);
    }
  }

  /** More than any codec's magic and frame header (gzip 10, xz 12, lz4 at most 15, bz2 4 bytes). */
  private static final int HEADER_BYTES = 16;

  private static DocArrayFormatException cutShort(
      String file, Codec codec, long position, long produced, IOException e) {
    if (e instanceof GzipMembers.TrailingBytesException) {
      return new DocArrayFormatException(
          file,
          -1,
          ((GzipMembers.TrailingBytesException) e).offset,
          e.getMessage() + " (decompressed bytes: " + produced + ")",
          e);
    }
    return new DocArrayFormatException(
        file,
        -1,
        position,
        "the "
            + codec.wireName()
            + " stream is cut short or corrupt (compressed bytes read so far: "
            + position
            + ", decompressed bytes: "
            + produced
            + "): "
            + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()),
        e);
  }

  @Override
  void counted(long n) {
    produced += n;
  }

  @Override
  IOException failed(IOException e) {
    if (compressed.failed
        || e instanceof DocArrayFormatException
        || e instanceof CountingInputStream.LimitExceededException) {
      return e;
    }
    return cutShort(file, codec, compressed.position, produced, e);
  }

  /** The compressed file bytes: counts them and remembers whether the file stream itself failed. */
  private static final class Compressed extends ObservedInputStream {
    long position;
    boolean failed;

    Compressed(InputStream in) {
      super(in);
    }

    @Override
    void counted(long n) {
      position += n;
    }

    @Override
    IOException failed(IOException e) {
      failed = true;
      return e;
    }
  }
}
