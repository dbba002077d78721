package org.docarray.spark.read;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.connector.catalog.MetadataColumn;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * The hidden {@code _metadata} column, as Spark's file sources have it: the file of each row (path,
 * name, size, modification time), the document's index in that file, and the top-level columns the
 * document did not have as keys at all ({@code absent_fields}: absent, as opposed to None; a writer
 * given them as {@code absentFieldsColumn} leaves those keys out again). Usable in {@code select}
 * and {@code where}, absent from {@code *}.
 */
public final class FileMetadata implements MetadataColumn {
  public static final String NAME = "_metadata";
  public static final StructType TYPE =
      new StructType(
          new StructField[] {
            DataTypes.createStructField("file_path", DataTypes.StringType, false),
            DataTypes.createStructField("file_name", DataTypes.StringType, false),
            DataTypes.createStructField("file_size", DataTypes.LongType, false),
            DataTypes.createStructField("file_modification_time", DataTypes.TimestampType, false),
            DataTypes.createStructField("document_index", DataTypes.LongType, true),
            DataTypes.createStructField(
                "absent_fields", DataTypes.createArrayType(DataTypes.StringType, false), true)
          });

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public DataType dataType() {
    return TYPE;
  }

  @Override
  public boolean isNullable() {
    return false;
  }

  @Override
  public String comment() {
    return "the file each document was read from (path, name, size, modification time) and its index in that file";
  }

  /**
   * The value for a row of {@code file}'s document {@code index} (-1: a row standing for a broken
   * rest of a file), with the fields the query asks for ({@code fields}: Spark prunes the struct to
   * what it reads).
   */
  static InternalRow of(DocArrayFile file, long index, String[] fields) {
    return of(file, index, null, fields);
  }

  /**
   * With the top-level columns the document did not have as keys ({@code absent}, null when
   * unknown).
   */
  static InternalRow of(
      DocArrayFile file, long index, java.util.List<String> absent, String[] fields) {
    Object[] v = new Object[fields.length];
    for (int i = 0; i < fields.length; i++) {
      switch (fields[i]) {
        case "file_path":
          v[i] = UTF8String.fromString(file.path);
          break;
        case "file_name":
          v[i] = UTF8String.fromString(file.path.substring(file.path.lastIndexOf('/') + 1));
          break;
        case "file_size":
          v[i] = file.length;
          break;
        case "file_modification_time":
          v[i] = file.modificationTime * 1000L;
          break;
        case "document_index":
          v[i] = index < 0 ? null : index;
          break;
        case "absent_fields":
          {
            if (absent == null) {
              v[i] = null;
            } else {
              Object[] names = new Object[absent.size()];
              for (int j = 0; j < names.length; j++)
                names[j] = UTF8String.fromString(absent.get(j));
              v[i] = new org.apache.spark.sql.catalyst.util.GenericArrayData(names);
            }
            break;
          }
        default:
          throw new IllegalArgumentException("_metadata has no field " + fields[i]);
      }
    }
    return new GenericInternalRow(v);
  }

  public static boolean isIt(String columnName) {
    return NAME.equalsIgnoreCase(columnName);
  }
}
