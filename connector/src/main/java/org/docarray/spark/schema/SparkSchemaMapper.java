package org.docarray.spark.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.docarray.spark.schema.InferredType.Kind;

/**
 * Turns an {@link InferredType} into the Spark schema (the type-mapping table of the README and
 * docarray-format.md §10). Fields are ordered {@code id} first, then by name: files do not record
 * class field order and write map entries in arbitrary order, so this is the only order that is the
 * same for every file and every run.
 */
public final class SparkSchemaMapper {
  /** How fixed-length 1-D tensors (embeddings) become columns. */
  public enum Embeddings {
    STRUCT,
    ARRAY,
    VECTOR
  }

  private final boolean binaryTensors;
  private final Embeddings embeddings;

  public SparkSchemaMapper(boolean binaryTensors) {
    this(binaryTensors, Embeddings.STRUCT);
  }

  public SparkSchemaMapper(boolean binaryTensors, Embeddings embeddings) {
    this.binaryTensors = binaryTensors;
    this.embeddings = embeddings;
  }

  private boolean flat(InferredType t) {
    return !binaryTensors
        && embeddings != Embeddings.STRUCT
        && t.fixedLength >= 0
        && t.dtypes.size() <= 1;
  }

  /** Spark ML's VectorUDT, looked up by reflection so that spark-mllib stays optional. */
  public static DataType vectorType() {
    try {
      return (DataType)
          Class.forName("org.apache.spark.ml.linalg.SQLDataTypes")
              .getMethod("VectorType")
              .invoke(null);
    } catch (ReflectiveOperationException | LinkageError e) {
      throw new IllegalArgumentException(
          "embeddings=vector needs Spark ML (spark-mllib) on the class path; "
              + "use embeddings=array for a flat array<float>",
          e);
    }
  }

  /**
   * The row schema. With no document seen at all (empty files) it is {@code id string}: every
   * DocArray document has an id, and Spark cannot write an empty schema.
   */
  public StructType toSpark(InferredType doc) {
    if (doc.fields.isEmpty()) {
      InferredType id = InferredType.of(InferredType.Kind.TEXT);
      id.tag = "id";
      doc.fields.put("id", id);
    }
    return struct("", doc.fields);
  }

  private StructType struct(String path, Map<String, InferredType> fields) {
    List<String> names = new ArrayList<>(fields.keySet());
    names.sort(
        (a, b) -> a.equals("id") ? (b.equals("id") ? 0 : -1) : b.equals("id") ? 1 : a.compareTo(b));
    List<StructField> out = new ArrayList<>();
    for (String name : names) {
      InferredType t = fields.get(name);
      String p = path.isEmpty() ? name : path + "." + name;
      out.add(DataTypes.createStructField(name, type(p, t), true, metadata(p, t)));
    }
    return DataTypes.createStructType(out);
  }

  private DataType type(String path, InferredType t) {
    switch (t.kind) {
      case NULL:
      case TEXT:
      case ANY:
        return DataTypes.StringType;
      case INTEGER:
        return DataTypes.IntegerType;
      case FLOAT:
        return DataTypes.DoubleType;
      case BOOLEAN:
        return DataTypes.BooleanType;
      case BLOB:
        return DataTypes.BinaryType;
      case TENSOR:
        if (flat(t)) {
          DataType e = TensorTypes.commonElementType(path, t.dtypes, t.dtypeOrigins);
          return embeddings == Embeddings.VECTOR
              ? vectorType()
              : DataTypes.createArrayType(e, false);
        }
        if (binaryTensors) return TensorTypes.binary();
        DataType element = TensorTypes.commonElementType(path, t.dtypes, t.dtypeOrigins);
        // documents that disagree on the dtype: each keeps its own beside the values (written back
        // in it)
        return t.dtypes.size() > 1
            ? TensorTypes.typedWithDtype(element)
            : TensorTypes.typed(element);
      case DOC:
        return struct(path, t.fields);
      case DOC_ARRAY:
        return DataTypes.createArrayType(struct(path, t.fields), false);
      case LIST:
        return DataTypes.createArrayType(
            t.element == null || t.element.kind == Kind.NULL
                ? DataTypes.StringType
                : type(path + "[]", t.element),
            true);
      case DICT:
        return DataTypes.createMapType(
            DataTypes.StringType,
            t.element == null || t.element.kind == Kind.NULL
                ? DataTypes.StringType
                : type(path + "{}", t.element),
            true);
      default:
        throw new AssertionError(t.kind);
    }
  }

  private static Metadata metadata(String path, InferredType t) {
    switch (t.kind) {
      case TENSOR:
        return DocArrayMetadata.build(
            DocArrayMetadata.KIND_TENSOR,
            t.tag,
            t.dtypes.size() == 1 ? t.dtypes.iterator().next() : null,
            t.fixedLength >= 0 ? "[" + t.fixedLength + "]" : null);
      case ANY:
        return DocArrayMetadata.build(DocArrayMetadata.KIND_JSON, null, null, null);
      case NULL:
        return DocArrayMetadata.build(null, t.tag, null, null);
      case LIST:
        return DocArrayMetadata.build(t.container, t.tag, null, null);
      default:
        return DocArrayMetadata.build(
            t.kind.name().toLowerCase(java.util.Locale.ROOT), t.tag, null, null);
    }
  }
}
