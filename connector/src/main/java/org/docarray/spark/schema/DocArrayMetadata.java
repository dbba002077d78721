package org.docarray.spark.schema;

import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;

/**
 * The field-metadata keys that carry DocArray facts Spark types cannot (docarray-format.md §10), in
 * one place. A writer reads them back to restore tags, dtypes and container kinds.
 */
public final class DocArrayMetadata {
  private DocArrayMetadata() {}

  /** NodeProto {@code type} tag, e.g. {@code id}, {@code image_url}, {@code ndarray_embedding}. */
  public static final String TAG = "docarray.tag";

  /** numpy dtype string of a tensor column, e.g. {@code <f4}. */
  public static final String DTYPE = "docarray.dtype";

  /** Fixed tensor shape when one is declared, e.g. {@code [128]}. */
  public static final String SHAPE = "docarray.shape";

  /**
   * What the column holds: {@code text, integer, float, boolean, blob, tensor, doc, doc_array,
   * list, tuple, set, dict} or {@code json} (a node in canonical JSON form).
   */
  public static final String KIND = "docarray.kind";

  public static final String KIND_JSON = "json";
  public static final String KIND_TENSOR = "tensor";

  public static String getString(StructField f, String key) {
    Metadata m = f.metadata();
    return m != null && m.contains(key) ? m.getString(key) : null;
  }

  public static boolean isKind(StructField f, String kind) {
    return kind.equals(getString(f, KIND));
  }

  static Metadata build(String kind, String tag, String dtype, String shape) {
    MetadataBuilder b = new MetadataBuilder();
    if (kind != null) b.putString(KIND, kind);
    if (tag != null) b.putString(TAG, tag);
    if (dtype != null) b.putString(DTYPE, dtype);
    if (shape != null) b.putString(SHAPE, shape);
    String comment = comment(kind, tag, dtype, shape);
    if (comment != null) b.putString("comment", comment);
    return b.build();
  }

  /** What DESCRIBE shows for a column: the DocArray facts of its metadata in one line. */
  static String comment(String kind, String tag, String dtype, String shape) {
    StringBuilder sb = new StringBuilder();
    if (kind != null) sb.append("docarray ").append(kind);
    if (tag != null) sb.append(sb.length() == 0 ? "docarray" : "").append(" tag=").append(tag);
    if (dtype != null) sb.append(" dtype=").append(dtype);
    if (shape != null) sb.append(" shape=").append(shape);
    return sb.length() == 0 ? null : sb.toString();
  }
}
