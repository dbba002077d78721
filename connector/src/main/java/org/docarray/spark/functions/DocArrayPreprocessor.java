package org.docarray.spark.functions;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF3;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * DocArray's {@code MultiModalDataset} preprocessing, run by Spark on the executors: functions
 * keyed by dotted field paths, applied to every document in the order they were added.
 *
 * <pre>{@code
 * Dataset<Row> prepared = DocArrayPreprocessor.builder()
 *     .map("thesis.title", t -> DocRows.with((Row) t, "embedding", embed((Row) t)), titleTypeWithTensor)
 *     .map("thesis", th -> normalise((Row) th))
 *     .map("", doc -> ...)                       // "" is the whole document, as in DocArray
 *     .build()
 *     .apply(students);
 * }</pre>
 *
 * <ul>
 *   <li>A path walks nested documents ({@code thesis.title}); through a {@code DocList} field
 *       ({@code chunks.emb}) the function is applied to each element's value. A path that ends on a
 *       DocList field hands the function the whole list, as DocArray does.
 *   <li>The last segment may name a field the documents do not have yet (it is created; the
 *       function receives null).
 *   <li>Each function keeps the value's type unless a return type is given; the result schema is
 *       derived from those types (a function may turn a text into a tensor). Returning null keeps
 *       the value, as DocArray's {@code preprocess(value) or value}.
 *   <li>A null document along the path stays null; the function is not called for it.
 *   <li>A failing function fails the task with a {@link DocArrayPreprocessingException} naming the
 *       path (with DocList indices) and the document's {@code id}.
 * </ul>
 *
 * The work is ordinary Spark column expressions ({@code withField}, {@code transform}) over one UDF
 * per function, so it runs in parallel on the executors with the rest of the query.
 */
public final class DocArrayPreprocessor implements Serializable {
  private static final long serialVersionUID = 1L;

  private final List<Step> steps;
  private final String idColumn;

  private DocArrayPreprocessor(List<Step> steps, String idColumn) {
    this.steps = Collections.unmodifiableList(new ArrayList<>(steps));
    this.idColumn = idColumn;
  }

  /**
   * The functions of an ordered map (use a {@link LinkedHashMap}), each keeping its value's type.
   */
  public static DocArrayPreprocessor of(Map<String, FieldFunction> functions) {
    Builder b = builder();
    functions.forEach(b::map);
    return b.build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a preprocessor; functions run in the order they are added. */
  public static final class Builder {
    private final List<Step> steps = new ArrayList<>();
    private String idColumn = "id";

    /** A function that keeps the type of the value at {@code path}. */
    public Builder map(String path, FieldFunction function) {
      return map(path, function, null);
    }

    /** A function whose result has {@code returnType} (null: the value's own type). */
    public Builder map(String path, FieldFunction function, DataType returnType) {
      if (path == null)
        throw new IllegalArgumentException("path must not be null (\"\" is the whole document)");
      if (function == null)
        throw new IllegalArgumentException("no function for path '" + path + "'");
      steps.add(new Step(path, function, returnType));
      return this;
    }

    /** The column whose value names a document in errors (default {@code id}). */
    public Builder idColumn(String column) {
      this.idColumn = column;
      return this;
    }

    public DocArrayPreprocessor build() {
      return new DocArrayPreprocessor(steps, idColumn);
    }
  }

  /** The documents with every function applied (lazily, like any transformation). */
  public Dataset<Row> apply(Dataset<Row> docs) {
    Dataset<Row> df = docs;
    for (Step s : steps) df = s.path.isEmpty() ? wholeDocument(df, s) : atPath(df, s);
    return df;
  }

  /** The schema {@link #apply} gives for documents of {@code schema}. */
  public StructType resultSchema(Dataset<Row> docs) {
    return apply(docs).schema();
  }

  private Column id(Dataset<Row> df) {
    return Arrays.asList(df.columns()).contains(idColumn)
        ? df.col(quote(idColumn)).cast(DataTypes.StringType)
        : functions.lit(null).cast(DataTypes.StringType);
  }

  private Dataset<Row> wholeDocument(Dataset<Row> df, Step s) {
    StructType in = df.schema();
    DataType rt = s.returnType == null ? in : s.returnType;
    if (!(rt instanceof StructType)) {
      throw new IllegalArgumentException(
          "The function for the whole document (\"\") must return a document (a struct), not "
              + rt.simpleString());
    }
    Column[] cols = new Column[in.fields().length];
    for (int i = 0; i < cols.length; i++) cols[i] = df.col(quote(in.fields()[i].name()));
    Column result = udf(s, rt).apply(functions.struct(cols), id(df), functions.lit(""));
    return df.select(result.as("__docarray_doc")).select("__docarray_doc.*");
  }

  private Dataset<Row> atPath(Dataset<Row> df, Step s) {
    String[] segs = s.path.split("\\.", -1);
    for (String seg : segs) {
      if (seg.isEmpty())
        throw new IllegalArgumentException(
            "Preprocessing path '" + s.path + "' has an empty segment");
    }
    StructType schema = df.schema();
    String top = segs[0];
    int idx = Arrays.asList(schema.fieldNames()).indexOf(top);
    Column id = id(df);
    if (idx < 0) {
      if (segs.length > 1) throw noField(s.path, top, schema);
      if (s.returnType == null) throw newFieldNeedsType(s.path);
      return df.withColumn(
          top, udf(s, s.returnType).apply(functions.lit(null), id, functions.lit(top)));
    }
    StructField f = schema.fields()[idx];
    Column rewritten =
        rewrite(s, df.col(quote(top)), f.dataType(), segs, 1, functions.lit(top), id);
    DataType before = f.dataType();
    Dataset<Row> out = df.withColumn(top, rewritten);
    // keep the column's DocArray metadata (kind, tag, dtype) when the function kept its type
    if (out.schema().apply(top).dataType().sameType(before) && !f.metadata().json().equals("{}")) {
      out = out.withColumn(top, out.col(quote(top)).as(top, f.metadata()));
    }
    return out;
  }

  private Column rewrite(
      Step s, Column value, DataType type, String[] segs, int at, Column where, Column id) {
    if (at == segs.length)
      return udf(s, s.returnType == null ? type : s.returnType).apply(value, id, where);
    String field = segs[at];
    if (type instanceof StructType) {
      StructType st = (StructType) type;
      int idx = Arrays.asList(st.fieldNames()).indexOf(field);
      Column here = functions.concat(where, functions.lit("." + field));
      if (idx < 0) {
        if (at + 1 < segs.length) throw noField(s.path, field, st);
        if (s.returnType == null) throw newFieldNeedsType(s.path);
        return value.withField(field, udf(s, s.returnType).apply(functions.lit(null), id, here));
      }
      Column child =
          rewrite(s, value.getField(field), st.fields()[idx].dataType(), segs, at + 1, here, id);
      return value.withField(field, child);
    }
    if (type instanceof ArrayType && ((ArrayType) type).elementType() instanceof StructType) {
      DataType element = ((ArrayType) type).elementType();
      return functions.transform(
          value,
          (x, i) ->
              rewrite(
                  s,
                  x,
                  element,
                  segs,
                  at,
                  functions.concat(
                      where, functions.lit("["), i.cast(DataTypes.StringType), functions.lit("]")),
                  id));
    }
    throw new IllegalArgumentException(
        "Preprocessing path '"
            + s.path
            + "': '"
            + String.join(".", Arrays.copyOf(segs, at))
            + "' is "
            + type.simpleString()
            + ", not a document or a DocList, so it has no field '"
            + field
            + "'");
  }

  private static IllegalArgumentException noField(String path, String field, StructType in) {
    return new IllegalArgumentException(
        "Preprocessing path '"
            + path
            + "': no field '"
            + field
            + "' among "
            + Arrays.toString(in.fieldNames()));
  }

  private static IllegalArgumentException newFieldNeedsType(String path) {
    return new IllegalArgumentException(
        "Preprocessing path '" + path + "' creates a new field: give its return type");
  }

  private static String quote(String name) {
    return "`" + name.replace("`", "``") + "`";
  }

  private static UserDefinedFunction udf(Step s, DataType returnType) {
    return functions.udf(new Call(s.function), returnType);
  }

  private static final class Step implements Serializable {
    private static final long serialVersionUID = 1L;
    final String path;
    final FieldFunction function;
    final DataType returnType;

    Step(String path, FieldFunction function, DataType returnType) {
      this.path = path;
      this.function = function;
      this.returnType = returnType;
    }
  }

  /**
   * The UDF body: Spark's value in, the function's result out (null keeps the value), errors named.
   */
  private static final class Call implements UDF3<Object, String, String, Object> {
    private static final long serialVersionUID = 1L;
    private final FieldFunction function;

    Call(FieldFunction function) {
      this.function = function;
    }

    @Override
    public Object call(Object value, String id, String where) {
      Object result;
      try {
        result = function.apply(toJava(value));
      } catch (Exception | LinkageError e) {
        throw new DocArrayPreprocessingException(where, id, e);
      }
      return result == null ? value : result;
    }

    /**
     * Scala collections (how Spark hands arrays and maps to UDFs) as Java ones, for Java functions.
     */
    private static Object toJava(Object v) {
      if (v instanceof scala.collection.Seq) return Tensors.list(v);
      if (v instanceof scala.collection.Map) {
        Map<Object, Object> out = new LinkedHashMap<>();
        scala.collection.Iterator<? extends scala.Tuple2<?, ?>> it =
            ((scala.collection.Map<?, ?>) v).iterator();
        while (it.hasNext()) {
          scala.Tuple2<?, ?> e = it.next();
          out.put(e._1(), e._2());
        }
        return out;
      }
      return v;
    }
  }
}
