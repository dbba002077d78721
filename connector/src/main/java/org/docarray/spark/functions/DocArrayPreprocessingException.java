package org.docarray.spark.functions;

/**
 * A preprocessing function failed: names the field path (with DocList indices) and the document id.
 */
public final class DocArrayPreprocessingException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DocArrayPreprocessingException(String where, Object documentId, Throwable cause) {
    super(
        "docarray preprocessing of '"
            + where
            + "' failed on document id="
            + (documentId == null ? "<none>" : "'" + documentId + "'")
            + ": "
            + cause,
        cause);
  }
}
