package org.docarray.spark.format;

import java.io.Closeable;
import java.io.IOException;

/**
 * A sequence of serialized {@code DocProto} messages taken from one file (the framing layer of the
 * read path). After {@link #next()} returned true, {@link #buffer()}, {@link #offset()} and {@link
 * #length()} hold the uncompressed bytes of the current document; they stay valid until the next
 * call.
 */
public interface DocumentSource extends Closeable {
  boolean next() throws IOException;

  byte[] buffer();

  int offset();

  int length();

  /** Index of the current document in the file (0-based). */
  long documentIndex();

  /**
   * Byte offset where the current document's record starts (in the file, or in the decompressed
   * stream).
   */
  long documentPosition();

  /** The document count the file declares, or -1 when the format has none. */
  long declaredCount();

  /**
   * Non-null when the current document's payload could not be recovered (e.g. its per-document
   * compression is corrupt) but the framing around it is intact, so the next document can be read.
   */
  default String payloadError() {
    return null;
  }

  /** Name of the file, for messages. */
  String fileName();
}
