package org.docarray.spark.format;

/**
 * What every framing has in common: the file's name, the current document's bytes (a slice of a
 * buffer), its index in the file, its byte position and the error of a document whose bytes could
 * not be produced. A framing sets these fields in {@code next()}; the accessors of {@link
 * DocumentSource} read them.
 */
abstract class AbstractDocumentSource implements DocumentSource {
  protected final String fileName;

  /**
   * The current document's bytes are {@code current[currentOffset, currentOffset + currentLength)}.
   */
  protected byte[] current = new byte[0];

  protected int currentOffset;
  protected int currentLength;

  /**
   * Index of the current document in its file (before the first {@code next()}: the one before the
   * first).
   */
  protected long index = -1;

  /** Byte offset of the current document's framing in the file, or -1 where documents have none. */
  protected long position = -1;

  /**
   * Why the current document's bytes could not be produced (its row is then malformed), or null.
   */
  protected String payloadError;

  protected AbstractDocumentSource(String fileName) {
    this.fileName = fileName;
  }

  /** The current document is all of {@code bytes}. */
  protected final void current(byte[] bytes) {
    current = bytes;
    currentOffset = 0;
    currentLength = bytes.length;
  }

  @Override
  public String payloadError() {
    return payloadError;
  }

  @Override
  public byte[] buffer() {
    return current;
  }

  @Override
  public int offset() {
    return currentOffset;
  }

  @Override
  public int length() {
    return currentLength;
  }

  @Override
  public long documentIndex() {
    return index;
  }

  @Override
  public long documentPosition() {
    return position;
  }

  /** -1: the framing does not declare how many documents it holds. */
  @Override
  public long declaredCount() {
    return -1;
  }

  @Override
  public String fileName() {
    return fileName;
  }
}
