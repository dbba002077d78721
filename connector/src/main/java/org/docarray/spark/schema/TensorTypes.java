package org.docarray.spark.schema;

import java.util.Collection;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.docarray.spark.format.DType;

/**
 * Spark shapes of tensor columns (docarray-format.md §10): typed {@code struct<shape: array<int>,
 * data: array<E>>} or lossless {@code struct<dtype: string, shape: array<int>, buffer: binary>}.
 */
public final class TensorTypes {
  private TensorTypes() {}

  public static final String SHAPE = "shape";
  public static final String DATA = "data";
  public static final String DTYPE = "dtype";
  public static final String BUFFER = "buffer";

  /** Spark's type for unsigned 64-bit elements. */
  public static final DecimalType UINT64 = DataTypes.createDecimalType(20, 0);

  public static StructType typed(DataType element) {
    return new StructType(
        new StructField[] {
          DataTypes.createStructField(
              SHAPE, DataTypes.createArrayType(DataTypes.IntegerType, false), true),
          DataTypes.createStructField(DATA, DataTypes.createArrayType(element, false), true)
        });
  }

  /**
   * A typed tensor whose documents disagree on dtype: {@code struct<dtype, shape, data>}, the
   * values in a type that holds every document's exactly and the document's own dtype beside them.
   */
  public static StructType typedWithDtype(DataType element) {
    return new StructType(
        new StructField[] {
          DataTypes.createStructField(DTYPE, DataTypes.StringType, true),
          DataTypes.createStructField(
              SHAPE, DataTypes.createArrayType(DataTypes.IntegerType, false), true),
          DataTypes.createStructField(DATA, DataTypes.createArrayType(element, false), true)
        });
  }

  public static StructType binary() {
    return new StructType(
        new StructField[] {
          DataTypes.createStructField(DTYPE, DataTypes.StringType, true),
          DataTypes.createStructField(
              SHAPE, DataTypes.createArrayType(DataTypes.IntegerType, false), true),
          DataTypes.createStructField(BUFFER, DataTypes.BinaryType, true)
        });
  }

  /**
   * Whether a struct can receive a tensor: its fields are a non-empty subset of {@code shape, data}
   * or {@code dtype, shape, buffer} with the right types. Subsets occur when Spark prunes nested
   * columns ({@code SELECT emb.shape}).
   */
  public static boolean isTensorStruct(StructType s) {
    if (s.fields().length == 0) return false;
    for (StructField f : s.fields()) {
      switch (f.name()) {
        case SHAPE:
          if (!(f.dataType() instanceof ArrayType)) return false;
          break;
        case DATA:
          if (!(f.dataType() instanceof ArrayType)) return false;
          break;
        case DTYPE:
          if (f.dataType() != DataTypes.StringType) return false;
          break;
        case BUFFER:
          if (f.dataType() != DataTypes.BinaryType) return false;
          break;
        default:
          return false;
      }
    }
    return true;
  }

  /**
   * A struct that holds a tensor when written: a tensor struct with its shape (data or buffer may
   * be pruned away).
   */
  public static boolean holdsTensor(StructType s) {
    return isTensorStruct(s) && hasField(s, SHAPE);
  }

  /**
   * Whether arrays of this type are tensors (embeddings) when read and written: numbers, booleans
   * and {@link #UINT64}. Other decimals are not: they have no dtype.
   */
  public static boolean isTensorElement(DataType t) {
    return t == DataTypes.FloatType
        || t == DataTypes.DoubleType
        || t == DataTypes.ByteType
        || t == DataTypes.ShortType
        || t == DataTypes.IntegerType
        || t == DataTypes.LongType
        || t == DataTypes.BooleanType
        || t.equals(UINT64);
  }

  /** Spark ML's VectorUDT, recognised by name so that spark-mllib stays optional. */
  public static boolean isVector(DataType t) {
    return t instanceof org.apache.spark.sql.types.UserDefinedType
        && t.getClass().getName().equals("org.apache.spark.ml.linalg.VectorUDT");
  }

  public static boolean hasField(StructType s, String name) {
    for (String n : s.fieldNames()) if (n.equals(name)) return true;
    return false;
  }

  /** The Spark element type for a numeric dtype, or null when typed mode cannot hold it. */
  public static DataType elementType(DType d) {
    switch (d.kind()) {
      case FLOAT:
        return d.itemSize() == 8 ? DataTypes.DoubleType : DataTypes.FloatType;
      case INT:
        switch (d.itemSize()) {
          case 1:
            return DataTypes.ByteType;
          case 2:
            return DataTypes.ShortType;
          case 4:
            return DataTypes.IntegerType;
          default:
            return DataTypes.LongType;
        }
      case UINT:
        switch (d.itemSize()) {
          case 1:
            return DataTypes.ShortType;
          case 2:
            return DataTypes.IntegerType;
          case 4:
            return DataTypes.LongType;
          default:
            return UINT64;
        }
      case BOOL:
        return DataTypes.BooleanType;
      default:
        return null;
    }
  }

  /**
   * The common element type of several dtypes (ragged dtypes across documents), widening integers
   * to larger integers and mixing integers with floats into double. Throws with a pointer to {@code
   * tensorMode=binary} when they have none.
   */
  public static DataType commonElementType(String path, Collection<String> dtypes) {
    return commonElementType(path, dtypes, java.util.Collections.emptyMap());
  }

  /**
   * {@link #commonElementType(String, Collection)}, naming where each dtype was first seen in its
   * errors.
   */
  public static DataType commonElementType(
      String path, Collection<String> dtypes, java.util.Map<String, String> origins) {
    DataType result = null;
    for (String text : dtypes) {
      DType d;
      try {
        d = DType.parse(text);
      } catch (IllegalArgumentException e) {
        throw unsupported(path, text, where(origins, text));
      }
      DataType t = elementType(d);
      if (t == null) throw unsupported(path, text, where(origins, text));
      result = result == null ? t : widen(path, result, t, dtypes, origins);
    }
    return result == null ? DataTypes.FloatType : result;
  }

  private static String where(java.util.Map<String, String> origins, String dtype) {
    String o = origins == null ? null : origins.get(dtype);
    return o == null ? "" : " (first in " + o + ")";
  }

  private static boolean isNumber(DataType t) {
    return t == DataTypes.ByteType
        || t == DataTypes.ShortType
        || t == DataTypes.IntegerType
        || t == DataTypes.LongType
        || t == DataTypes.FloatType
        || t == DataTypes.DoubleType
        || t.equals(UINT64);
  }

  private static int rank(DataType t) {
    if (t == DataTypes.ByteType) return 1;
    if (t == DataTypes.ShortType) return 2;
    if (t == DataTypes.IntegerType) return 3;
    if (t == DataTypes.LongType) return 4;
    if (t.equals(UINT64)) return 5;
    return 0;
  }

  private static DataType widen(
      String path,
      DataType a,
      DataType b,
      Collection<String> all,
      java.util.Map<String, String> origins) {
    if (a.equals(b)) return a;
    // a boolean is 0 or 1 in any numeric column (its dtype kept beside it restores it)
    if (a == DataTypes.BooleanType && b != DataTypes.BooleanType && isNumber(b)) return b;
    if (b == DataTypes.BooleanType && a != DataTypes.BooleanType && isNumber(a)) return a;
    if (a == DataTypes.BooleanType || b == DataTypes.BooleanType) {
      StringBuilder seen = new StringBuilder();
      for (String d : all)
        seen.append(seen.length() == 0 ? "" : ", ").append(d).append(where(origins, d));
      throw new IllegalArgumentException(
          "Tensor field '"
              + path
              + "' mixes boolean and numeric dtypes ["
              + seen
              + "] across documents; read it with option tensorMode=binary, or declare the column type in a schema");
    }
    int ra = rank(a), rb = rank(b);
    if (ra > 0 && rb > 0) return ra >= rb ? a : b;
    boolean fa = a == DataTypes.FloatType, fb = b == DataTypes.FloatType;
    if ((fa && rb > 0 && rb <= 2) || (fb && ra > 0 && ra <= 2)) return DataTypes.FloatType;
    return DataTypes.DoubleType;
  }

  static IllegalArgumentException unsupported(String path, String dtype) {
    return unsupported(path, dtype, "");
  }

  static IllegalArgumentException unsupported(String path, String dtype, String where) {
    return new IllegalArgumentException(
        "Tensor field '"
            + path
            + "' has dtype '"
            + dtype
            + "'"
            + where
            + ", which typed tensors cannot represent (complex, string, datetime, object or unknown dtypes); "
            + "read it with option tensorMode=binary to get struct<dtype, shape, buffer> with the exact bytes");
  }
}
