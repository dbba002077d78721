package org.docarray.spark.format;

/**
 * A document's bytes do not decode. Thrown by the decoders, which know the field path and the
 * offset inside the document; the reader adds the file, document index and file offset by wrapping
 * it into a {@link DocArrayFormatException}.
 */
public class MalformedDocumentException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int offsetInDocument;

  public MalformedDocumentException(String message, int offsetInDocument) {
    super(message);
    this.offsetInDocument = offsetInDocument;
  }

  public MalformedDocumentException(String message, int offsetInDocument, Throwable cause) {
    super(message, cause);
    this.offsetInDocument = offsetInDocument;
  }

  /** Offset of the problem inside the document payload, or -1. */
  public int offsetInDocument() {
    return offsetInDocument;
  }
}
