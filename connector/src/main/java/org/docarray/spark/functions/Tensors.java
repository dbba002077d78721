package org.docarray.spark.functions;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.docarray.spark.errors.SparkErrors;
import org.docarray.spark.schema.TensorTypes;

/**
 * Tensor values as preprocessing functions and UDFs see them: a {@code struct<shape, data>} Row.
 * Reading takes any numeric element type; {@link #of} builds float32 tensors ({@link #FLOAT32}).
 */
public final class Tensors {
  private Tensors() {}

  /**
   * The Spark type of the tensors {@link #of} builds: {@code struct<shape: array<int>, data:
   * array<float>>}.
   */
  public static final StructType FLOAT32 = TensorTypes.typed(DataTypes.FloatType);

  /** The elements as floats, or null for a null tensor or a tensor without data. */
  public static float[] data(Row tensor) {
    if (tensor == null || tensor.isNullAt(tensor.fieldIndex(TensorTypes.DATA))) return null;
    List<?> d = list(tensor.get(tensor.fieldIndex(TensorTypes.DATA)));
    float[] out = new float[d.size()];
    for (int i = 0; i < out.length; i++) out[i] = ((Number) d.get(i)).floatValue();
    return out;
  }

  /** The shape; a tensor without a shape is taken as 1-D. */
  public static List<Integer> shape(Row tensor) {
    int i = tensor.fieldIndex(TensorTypes.SHAPE);
    List<Integer> out = new ArrayList<>();
    if (tensor.isNullAt(i)) {
      float[] d = data(tensor);
      out.add(d == null ? 0 : d.length);
      return out;
    }
    for (Object o : list(tensor.get(i))) out.add(((Number) o).intValue());
    return out;
  }

  /**
   * An array value as Spark hands it (a Scala Seq) or as functions build it (a Java List or array).
   */
  static List<?> list(Object v) {
    if (v instanceof List) return (List<?>) v;
    if (v instanceof scala.collection.Seq) {
      scala.collection.Seq<?> seq = (scala.collection.Seq<?>) v;
      List<Object> out = new ArrayList<>(seq.length());
      for (int i = 0; i < seq.length(); i++) out.add(seq.apply(i));
      return out;
    }
    if (v instanceof float[]) {
      float[] a = (float[]) v;
      List<Object> out = new ArrayList<>(a.length);
      for (float x : a) out.add(x);
      return out;
    }
    if (v instanceof Object[]) return java.util.Arrays.asList((Object[]) v);
    throw SparkErrors.invalidArgument(
        "not an array value: " + (v == null ? "null" : v.getClass().getName()));
  }

  /** A float32 tensor of that shape (1-D when no shape is given); the element count is checked. */
  public static Row of(float[] data, int... shape) {
    List<Integer> s = new ArrayList<>();
    if (shape.length == 0) s.add(data.length);
    for (int x : shape) s.add(x);
    return of(s, data);
  }

  static Row of(List<Integer> shape, float[] data) {
    long n = 1;
    for (int x : shape) n *= x;
    if (n != data.length)
      throw SparkErrors.invalidArgument(data.length + " elements do not fit shape " + shape);
    List<Float> d = new ArrayList<>(data.length);
    for (float x : data) d.add(x);
    return new GenericRowWithSchema(new Object[] {shape, d}, FLOAT32);
  }

  /**
   * The tensor divided by its L2 norm (computed in double), shape kept; a zero tensor comes back
   * unchanged.
   */
  public static Row l2Normalize(Row tensor) {
    float[] d = data(tensor);
    if (d == null) return null;
    double s = 0;
    for (float x : d) s += (double) x * x;
    double n = Math.sqrt(s);
    float[] out = d.clone();
    if (n > 0) for (int i = 0; i < out.length; i++) out[i] = (float) (d[i] / n);
    return of(shape(tensor), out);
  }
}
