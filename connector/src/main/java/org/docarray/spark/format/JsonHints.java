package org.docarray.spark.format;

import java.io.Serializable;

/**
 * What a {@code json-array} value at a path should become, where JSON alone cannot tell: a number
 * array may be a tensor or a list, an object a document or a dict, a string text or bytes. Paths
 * are dotted field names; array elements add {@code []} and dict values {@code {}} ({@code
 * chunks[].emb}). Built from the Spark schema of the read; with no hint the reader infers.
 */
public interface JsonHints extends Serializable {
  enum Kind {
    TENSOR,
    LIST,
    DICT,
    DOC,
    DOC_ARRAY,
    BLOB,
    ANY
  }

  /** The expected kind at the path, or null to infer from the JSON. */
  Kind kind(String path);

  /** The numpy dtype for a tensor at the path, or null for float32. */
  String dtype(String path);

  JsonHints NONE =
      new JsonHints() {
        private static final long serialVersionUID = 1L;

        @Override
        public Kind kind(String path) {
          return null;
        }

        @Override
        public String dtype(String path) {
          return null;
        }
      };
}
