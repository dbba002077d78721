package org.docarray.spark.functions;

import java.util.Arrays;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Immutable-document helpers for preprocessing functions: where Python sets an attribute ({@code
 * title.embedding = ...}), a JVM function returns a copy of the Row with that field set.
 */
public final class DocRows {
  private DocRows() {}

  /**
   * A copy of {@code doc} (a Row that carries its schema, as every nested document handed to a
   * {@link FieldFunction} does) with {@code field} set to {@code value}; a field the document does
   * not have is appended (declare the new type with {@link #withField(StructType, String,
   * DataType)}).
   */
  public static Row with(Row doc, String field, Object value) {
    StructType schema = doc.schema();
    if (schema == null)
      throw new IllegalArgumentException("DocRows.with needs a Row that carries its schema");
    Object[] values = new Object[doc.length()];
    for (int i = 0; i < values.length; i++) values[i] = doc.get(i);
    int at = Arrays.asList(schema.fieldNames()).indexOf(field);
    if (at >= 0) {
      values[at] = value;
      return new GenericRowWithSchema(values, schema);
    }
    Object[] grown = Arrays.copyOf(values, values.length + 1);
    grown[values.length] = value;
    return new GenericRowWithSchema(grown, schema.add(field, guessType(value), true));
  }

  /** {@code struct} with {@code field} of type {@code type} (replaced in place, or appended). */
  public static StructType withField(StructType struct, String field, DataType type) {
    StructField[] fs = struct.fields().clone();
    for (int i = 0; i < fs.length; i++) {
      if (fs[i].name().equals(field)) {
        fs[i] = new StructField(field, type, true, fs[i].metadata());
        return new StructType(fs);
      }
    }
    return struct.add(field, type, true);
  }

  private static DataType guessType(Object value) {
    if (value instanceof Row && ((Row) value).schema() != null) return ((Row) value).schema();
    return org.apache.spark.sql.types.DataTypes.NullType;
  }
}
