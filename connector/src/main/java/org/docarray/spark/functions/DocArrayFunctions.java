package org.docarray.spark.functions;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.docarray.spark.errors.SparkErrors;
import org.docarray.spark.schema.TensorTypes;

/**
 * Tensor functions for SQL and DataFrame code over the connector's float32 tensor columns ({@code
 * struct<shape: array<int>, data: array<float>>}) and flat {@code array<float>} embeddings. {@link
 * #register} makes them callable from SQL ({@code SELECT docarray_l2_normalize(embedding)}) and
 * from PySpark through {@code spark.sql}; the static methods return Columns for Java/Scala.
 *
 * <ul>
 *   <li>{@code docarray_tensor(array<E>)}: a 1-D tensor from a flat array
 *   <li>{@code docarray_flatten(tensor)}: the same elements as a 1-D tensor
 *   <li>{@code docarray_reshape(tensor, array<int>)}: same data, new shape (element count checked)
 *   <li>{@code docarray_l2_norm(tensor)}: the Euclidean norm (double)
 *   <li>{@code docarray_l2_normalize(tensor)}: the tensor divided by its norm (zero tensors
 *       unchanged)
 *   <li>{@code docarray_cosine_similarity(tensor, tensor)}: cosine of two equally long tensors
 *   <li>{@code docarray_stack(array<tensor>)}: a DocList's tensors stacked into one [N, ...] tensor
 *   <li>{@code docarray_normalize(tensor)}: same as {@code docarray_l2_normalize}
 *   <li>{@code docarray_to_float16/float32/float64/int32/int64(tensor)}: elements cast, shape kept
 *   <li>{@code docarray_to_vector(tensor)} / {@code docarray_from_vector(vector)}: to and from
 *       Spark ML dense vectors (registered when spark-mllib is on the class path)
 * </ul>
 *
 * Null in, null out. Element types are kept wherever the operation keeps the values (tensor,
 * flatten, reshape, stack); normalising keeps float32 and float64 and gives float64 for others;
 * norms and similarities are doubles.
 */
public final class DocArrayFunctions {
  private DocArrayFunctions() {}

  public static final StructType TENSOR = TensorTypes.typed(DataTypes.FloatType);

  /**
   * Registers every function in the session (idempotent). Their argument types are checked when a
   * query is analysed. The session extensions ({@code spark.sql.extensions=
   * org.docarray.spark.DocArraySparkSessionExtensions}) register them in every session instead.
   */
  public static void register(SparkSession spark) {
    DocArraySqlFunctions.register(spark);
  }

  /** The dtypes {@code docarray_to_<dtype>} casts a tensor's elements to. */
  static final String[] CASTS = {"float16", "float32", "float64", "int32", "int64"};

  /**
   * A tensor with its elements cast to {@code dtype} (float16 is held as float32, Spark's smallest
   * float, and written back as float32); shape kept. SQL: {@code docarray_to_float64(t)} etc.
   */
  public static Column cast(Column tensor, String dtype) {
    return tensor.cast(TensorTypes.typed(castElement(dtype)));
  }

  /** A Spark ML dense vector of the tensor's elements (flattened); needs spark-mllib. */
  public static Column toVector(Column tensor) {
    return org.apache.spark.sql.functions.call_udf("docarray_to_vector", tensor);
  }

  /**
   * A 1-D float32 tensor of a Spark ML vector's values (sparse vectors densified); needs
   * spark-mllib.
   */
  public static Column fromVector(Column vector) {
    return org.apache.spark.sql.functions.call_udf("docarray_from_vector", vector);
  }

  public static Column normalize(Column tensor) {
    return l2Normalize(tensor);
  }

  public static Column l2Normalize(Column tensor) {
    return org.apache.spark.sql.functions.call_udf("docarray_l2_normalize", tensor);
  }

  public static Column cosineSimilarity(Column a, Column b) {
    return org.apache.spark.sql.functions.call_udf("docarray_cosine_similarity", a, b);
  }

  public static Column flatten(Column tensor) {
    return org.apache.spark.sql.functions.call_udf("docarray_flatten", tensor);
  }

  public static Column tensor(Column flat) {
    return org.apache.spark.sql.functions.call_udf("docarray_tensor", flat);
  }

  // ---------------------------------------------------------------- implementations

  static float[] data(Row t) {
    return Tensors.data(t);
  }

  static List<Integer> shape(Row t) {
    return Tensors.shape(t);
  }

  static Row row(List<Integer> shape, float[] data) {
    return Tensors.of(shape, data);
  }

  static DataType castElement(String dtype) {
    switch (dtype.toLowerCase(java.util.Locale.ROOT)) {
      case "float16":
      case "float32":
      case "float":
        return DataTypes.FloatType;
      case "float64":
      case "double":
        return DataTypes.DoubleType;
      case "int32":
      case "int":
        return DataTypes.IntegerType;
      case "int64":
      case "long":
        return DataTypes.LongType;
      default:
        throw SparkErrors.invalidArgument(
            "Cannot cast a tensor to '" + dtype + "': use one of " + String.join(", ", CASTS));
    }
  }

  static Row cast(Row t, DataType element) {
    if (t == null) return null;
    List<?> in =
        t.isNullAt(t.fieldIndex(TensorTypes.DATA))
            ? null
            : Tensors.list(t.get(t.fieldIndex(TensorTypes.DATA)));
    if (in == null) return RowFactory.create(shape(t), null);
    List<Object> out = new ArrayList<>(in.size());
    for (Object o : in) {
      Number n = (Number) o;
      if (n == null) out.add(null);
      else if (element == DataTypes.FloatType) out.add(n.floatValue());
      else if (element == DataTypes.DoubleType) out.add(n.doubleValue());
      else if (element == DataTypes.IntegerType) out.add(n.intValue());
      else out.add(n.longValue());
    }
    return RowFactory.create(shape(t), out);
  }

  /** Whether spark-mllib is on the class path (the vector functions are registered only then). */
  public static boolean mllibPresent() {
    try {
      Class.forName("org.apache.spark.ml.linalg.Vectors");
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /**
   * Spark ML's Vectors.dense and Vector.toArray, by reflection so that spark-mllib stays optional.
   */
  private static final class Ml {
    static final java.lang.reflect.Method DENSE;
    static final java.lang.reflect.Method TO_ARRAY;

    static {
      try {
        DENSE =
            Class.forName("org.apache.spark.ml.linalg.Vectors").getMethod("dense", double[].class);
        TO_ARRAY = Class.forName("org.apache.spark.ml.linalg.Vector").getMethod("toArray");
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("spark-mllib is not on the class path", e);
      }
    }
  }

  /** A tensor's elements as given (boxed numbers of its element type), or null. */
  static List<?> elements(Row t) {
    if (t == null || t.isNullAt(t.fieldIndex(TensorTypes.DATA))) return null;
    return Tensors.list(t.get(t.fieldIndex(TensorTypes.DATA)));
  }

  private static double[] doubles(String function, List<?> d) {
    double[] out = new double[d.size()];
    for (int i = 0; i < out.length; i++) {
      Object x = d.get(i);
      if (x == null) throw SparkErrors.invalidArgument(function + ": element " + i + " is null");
      out[i] = ((Number) x).doubleValue();
    }
    return out;
  }

  private static List<Object> nonNull(String function, List<?> d) {
    for (int i = 0; i < d.size(); i++) {
      if (d.get(i) == null)
        throw SparkErrors.invalidArgument(function + ": element " + i + " is null");
    }
    return new ArrayList<>(d);
  }

  static Object toVector(Row t) throws ReflectiveOperationException {
    List<?> d = elements(t);
    if (d == null) return null;
    return Ml.DENSE.invoke(null, (Object) doubles("docarray_to_vector", d));
  }

  static Row fromVector(Object vector) throws ReflectiveOperationException {
    if (vector == null) return null;
    double[] v = (double[]) Ml.TO_ARRAY.invoke(vector);
    float[] d = new float[v.length];
    for (int i = 0; i < v.length; i++) d[i] = (float) v[i];
    return row(List.of(d.length), d);
  }

  /**
   * A 1-D tensor of a flat array, its elements kept as they are (the tensor's element type is the
   * array's).
   */
  static Row tensorOf(scala.collection.Seq<?> flat) {
    if (flat == null) return null;
    List<Object> d = nonNull("docarray_tensor", Tensors.list(flat));
    return RowFactory.create(List.of(d.size()), d);
  }

  /** The tensor as a 1-D tensor of its elements (element type kept). */
  static Row flatten(Row t) {
    List<?> d = elements(t);
    if (d == null) return null;
    return RowFactory.create(List.of(d.size()), d);
  }

  static Row reshape(Row t, scala.collection.Seq<?> shape) {
    List<?> d = elements(t);
    if (d == null || shape == null) return null;
    List<Integer> s = new ArrayList<>();
    long n = 1;
    for (int i = 0; i < shape.length(); i++) {
      Object dim = shape.apply(i);
      if (dim == null || ((Number) dim).longValue() < 0) {
        throw SparkErrors.invalidArgument(
            "docarray_reshape: dimension " + i + " of the shape is " + dim + ", not a size");
      }
      s.add(((Number) dim).intValue());
      n *= ((Number) dim).longValue();
    }
    if (n != d.size()) {
      throw SparkErrors.invalidArgument(
          "docarray_reshape: " + d.size() + " elements do not fit shape " + s);
    }
    return RowFactory.create(s, d);
  }

  static Double norm(Row t) {
    List<?> d = elements(t);
    if (d == null) return null;
    double s = 0;
    for (double x : doubles("docarray_l2_norm", d)) s += x * x;
    return Math.sqrt(s);
  }

  /**
   * The tensor divided by its L2 norm (computed in double), shape kept, in {@code element}: float32
   * and float64 tensors keep their type, others become float64 (as numpy divides them); a zero
   * tensor comes back with its values unchanged.
   */
  static Row normalize(Row t, DataType element) {
    List<?> d = elements(t);
    if (d == null) return null;
    double[] x = doubles("docarray_l2_normalize", d);
    double s = 0;
    for (double v : x) s += v * v;
    double n = Math.sqrt(s);
    List<Object> out = new ArrayList<>(x.length);
    for (double v : x) {
      double y = n > 0 ? v / n : v;
      out.add(element == DataTypes.FloatType ? (Object) (float) y : (Object) y);
    }
    return RowFactory.create(shape(t), out);
  }

  static Double cosine(Row a, Row b) {
    List<?> xs = elements(a);
    List<?> ys = elements(b);
    if (xs == null || ys == null) return null;
    if (xs.size() != ys.size()) {
      throw SparkErrors.invalidArgument(
          "docarray_cosine_similarity: tensors of "
              + xs.size()
              + " and "
              + ys.size()
              + " elements");
    }
    double[] x = doubles("docarray_cosine_similarity", xs);
    double[] y = doubles("docarray_cosine_similarity", ys);
    double dot = 0, nx = 0, ny = 0;
    for (int i = 0; i < x.length; i++) {
      dot += x[i] * y[i];
      nx += x[i] * x[i];
      ny += y[i] * y[i];
    }
    return nx == 0 || ny == 0 ? null : dot / Math.sqrt(nx * ny);
  }

  /**
   * A DocList's equally shaped tensors stacked into one {@code [N, ...]} tensor, element type kept.
   */
  static Row stack(scala.collection.Seq<Row> tensors) {
    if (tensors == null) return null;
    List<Integer> inner = null;
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < tensors.length(); i++) {
      Row t = tensors.apply(i);
      if (t == null) throw SparkErrors.invalidArgument("docarray_stack: element " + i + " is null");
      List<Integer> s = shape(t);
      if (inner == null) inner = s;
      else if (!inner.equals(s))
        throw SparkErrors.invalidArgument("docarray_stack: shapes " + inner + " and " + s);
      List<?> d = elements(t);
      if (d == null)
        throw SparkErrors.invalidArgument("docarray_stack: element " + i + " has no data");
      out.addAll(nonNull("docarray_stack", d));
    }
    List<Integer> shape = new ArrayList<>();
    shape.add(tensors.length());
    if (inner != null) shape.addAll(inner);
    return RowFactory.create(shape, out);
  }
}
