package org.docarray.spark.format;

import java.io.IOException;

/**
 * Input that is not what DocArray writes. The message always names the file, the document index and
 * the byte offset (in the decompressed stream for whole-file compressed files), and what was
 * expected there.
 */
public class DocArrayFormatException extends IOException {
  private static final long serialVersionUID = 1L;
  private final String file;
  private final long documentIndex;
  private final long offset;

  public DocArrayFormatException(String file, long documentIndex, long offset, String what) {
    this(file, documentIndex, offset, what, null);
  }

  public DocArrayFormatException(
      String file, long documentIndex, long offset, String what, Throwable cause) {
    super(describe(file, documentIndex, offset, what), cause);
    this.file = file;
    this.documentIndex = documentIndex;
    this.offset = offset;
  }

  private static String describe(String file, long documentIndex, long offset, String what) {
    StringBuilder sb = new StringBuilder("Malformed DocArray file ").append(file);
    if (documentIndex >= 0) sb.append(", document ").append(documentIndex);
    if (offset >= 0) sb.append(", byte offset ").append(offset);
    return sb.append(": ").append(what).toString();
  }

  public String file() {
    return file;
  }

  public long documentIndex() {
    return documentIndex;
  }

  public long offset() {
    return offset;
  }
}
