package org.docarray.spark.read;

import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.docarray.spark.format.JsonHints;
import org.docarray.spark.schema.DocArrayMetadata;
import org.docarray.spark.schema.TensorTypes;

/** {@link JsonHints} read off a Spark schema: what each column expects JSON values to become. */
final class SchemaJsonHints implements JsonHints {
  private static final long serialVersionUID = 1L;
  private final Map<String, Kind> kinds = new HashMap<>();
  private final Map<String, String> dtypes = new HashMap<>();

  SchemaJsonHints(StructType schema) {
    struct("", schema);
  }

  private void struct(String path, StructType s) {
    for (StructField f : s.fields()) {
      String p = path.isEmpty() ? f.name() : path + "." + f.name();
      String dtype = DocArrayMetadata.getString(f, DocArrayMetadata.DTYPE);
      type(p, f.dataType(), dtype, DocArrayMetadata.isKind(f, DocArrayMetadata.KIND_TENSOR));
    }
  }

  private void type(String p, DataType t, String metadataDtype, boolean tensorKind) {
    if (t instanceof StructType) {
      StructType s = (StructType) t;
      if (tensorKind || TensorTypes.holdsTensor(s)) {
        kinds.put(p, Kind.TENSOR);
        String d = dtypeFor(s, metadataDtype);
        if (d != null) dtypes.put(p, d);
      } else {
        kinds.put(p, Kind.DOC);
        struct(p, s);
      }
    } else if (t instanceof ArrayType) {
      DataType e = ((ArrayType) t).elementType();
      if (e instanceof StructType && !TensorTypes.isTensorStruct((StructType) e)) {
        kinds.put(p, Kind.DOC_ARRAY);
        struct(p + "[]", (StructType) e);
      } else {
        kinds.put(p, Kind.LIST);
        type(p + "[]", e, null, false);
      }
    } else if (t instanceof MapType) {
      kinds.put(p, Kind.DICT);
      type(p + "{}", ((MapType) t).valueType(), null, false);
    } else if (t == DataTypes.BinaryType) {
      kinds.put(p, Kind.BLOB);
    }
  }

  private static String dtypeFor(StructType s, String metadataDtype) {
    if (metadataDtype != null) {
      try {
        org.docarray.spark.format.DType d = org.docarray.spark.format.DType.parse(metadataDtype);
        if (d.isNumeric()) return d.littleEndianText();
      } catch (IllegalArgumentException ignored) {
        // fall back to the element type
      }
    }
    if (!TensorTypes.hasField(s, TensorTypes.DATA)) return null;
    DataType e = ((ArrayType) s.apply(TensorTypes.DATA).dataType()).elementType();
    if (e == DataTypes.FloatType) return "<f4";
    if (e == DataTypes.DoubleType) return "<f8";
    if (e == DataTypes.ByteType) return "|i1";
    if (e == DataTypes.ShortType) return "<i2";
    if (e == DataTypes.IntegerType) return "<i4";
    if (e == DataTypes.LongType) return "<i8";
    if (e == DataTypes.BooleanType) return "|b1";
    if (e instanceof DecimalType) return "<u8";
    return null;
  }

  @Override
  public Kind kind(String path) {
    return kinds.get(path);
  }

  @Override
  public String dtype(String path) {
    return dtypes.get(path);
  }
}
