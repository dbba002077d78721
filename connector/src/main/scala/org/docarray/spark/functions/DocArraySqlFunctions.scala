package org.docarray.spark.functions

import org.apache.spark.sql.{AnalysisException, Row, SparkSession, SparkSessionExtensions}
import org.apache.spark.sql.catalyst.FunctionIdentifier
import org.apache.spark.sql.catalyst.analysis.FunctionRegistry.FunctionBuilder
import org.apache.spark.sql.catalyst.expressions.{Expression, ExpressionInfo}
import org.apache.spark.sql.types._

import org.docarray.spark.schema.{SparkSchemaMapper, TensorTypes}

/**
 * The `docarray_*` SQL functions, defined once and installed two ways: into one session's function
 * registry ([[register]], what `DocArrayFunctions.register(spark)` and PySpark's
 * `docarray_spark.register_sql_functions(spark)` call) and into every session by the session
 * extensions ([[inject]], the only way over Spark Connect, where a client cannot reach the JVM).
 *
 * Each function checks its arguments' types when the query is analysed, naming the function, the
 * argument and both types, instead of failing in a task with a `ClassCastException`.
 */
object DocArraySqlFunctions {

  /** What an argument must be. */
  private sealed abstract class Arg(val describe: String) {
    def accepts(t: DataType): Boolean
  }

  private def numericArray(t: DataType): Boolean = t match {
    case ArrayType(_: NumericType, _) => true
    case _ => false
  }

  private def integralArray(t: DataType): Boolean = t match {
    case ArrayType(ByteType | ShortType | IntegerType | LongType, _) => true
    case _ => false
  }

  private def typedTensor(t: DataType): Boolean = t match {
    case s: StructType =>
      s.fieldNames.contains(TensorTypes.DATA) && numericArray(s(TensorTypes.DATA).dataType) &&
        (!s.fieldNames.contains(TensorTypes.SHAPE) || integralArray(s(TensorTypes.SHAPE).dataType)) && s.fieldNames.forall(n => n == TensorTypes.DATA || n == TensorTypes.SHAPE)
    case _ => false
  }

  private case object Tensor extends Arg("a typed tensor struct<shape: array<int>, data: array<numeric>>") {
    def accepts(t: DataType): Boolean = typedTensor(t)
  }
  private case object Flat extends Arg("array<numeric>") {
    def accepts(t: DataType): Boolean = numericArray(t)
  }
  private case object Shape extends Arg("array<int>") {
    def accepts(t: DataType): Boolean = integralArray(t)
  }
  private case object TensorArray extends Arg("array<struct<shape: array<int>, data: array<numeric>>> (a DocList's tensors)") {
    def accepts(t: DataType): Boolean = t match {
      case ArrayType(e, _) => typedTensor(e)
      case _ => false
    }
  }
  private case object Binary extends Arg("binary (one serialized DocProto)") {
    def accepts(t: DataType): Boolean = t == BinaryType
  }
  private case object BinaryArray extends Arg("array<binary> (serialized DocProtos)") {
    def accepts(t: DataType): Boolean = t.isInstanceOf[ArrayType] && t.asInstanceOf[ArrayType].elementType == BinaryType
  }
  private case object SchemaLiteral extends Arg("a string literal holding a Spark schema in JSON") {
    def accepts(t: DataType): Boolean = t == StringType
  }
  private case object Vector extends Arg("a Spark ML vector") {
    def accepts(t: DataType): Boolean = t.typeName == "vector"
  }

  /** One function: its name, what it does, its arguments, and how to build the expression. */
  private final case class Fn(name: String, usage: String, args: Seq[Arg], build: Seq[Expression] => Expression)

  private def udf(name: String, result: DataType)(f: AnyRef): Seq[Expression] => Expression =
    typedUdf(name, _ => result)(f)

  /** A UDF whose result type follows its arguments' types (decided when the query is analysed). */
  private def typedUdf(name: String, result: Seq[Expression] => DataType)(f: AnyRef): Seq[Expression] => Expression =
    children => FunctionCall(name, children, result(children), f)

  /** The element type of a typed tensor, of a DocList's tensors, or of a flat array. */
  private def elementOf(t: DataType): DataType = t match {
    case s: StructType => elementOf(s(TensorTypes.DATA).dataType)
    case ArrayType(s: StructType, _) => elementOf(s)
    case ArrayType(e, _) => e
    case other => other
  }

  /** A tensor of the first argument's element type. */
  private val sameElements: Seq[Expression] => DataType = c => TensorTypes.typed(elementOf(c.head.dataType))

  /** Normalising keeps float32 and float64 and gives float64 for any other element type (as numpy). */
  private def normalizedElement(c: Seq[Expression]): DataType = elementOf(c.head.dataType) match {
    case FloatType => FloatType
    case _ => DoubleType
  }

  private val tensorType = DocArrayFunctions.TENSOR

  private val casts: Seq[Fn] = DocArrayFunctions.CASTS.toSeq.map { dtype =>
    val element = DocArrayFunctions.castElement(dtype)
    Fn(s"docarray_to_$dtype", s"_FUNC_(tensor) - the tensor with its elements cast to $dtype, shape kept" +
      (if (dtype == "float16") " (held as float, Spark's smallest floating type)" else ""),
      Seq(Tensor), udf(s"docarray_to_$dtype", TensorTypes.typed(element))((t: Row) => DocArrayFunctions.cast(t, element)))
  }

  private val vectors: Seq[Fn] =
    if (!DocArrayFunctions.mllibPresent()) Nil
    else Seq(
      Fn("docarray_to_vector", "_FUNC_(tensor) - a Spark ML dense vector of the tensor's elements", Seq(Tensor),
        udf("docarray_to_vector", SparkSchemaMapper.vectorType())((t: Row) => DocArrayFunctions.toVector(t))),
      Fn("docarray_from_vector", "_FUNC_(vector) - a 1-D float32 tensor of a Spark ML vector's values", Seq(Vector),
        udf("docarray_from_vector", tensorType)((v: AnyRef) => DocArrayFunctions.fromVector(v))))

  private val all: Seq[Fn] = Seq(
    Fn("docarray_tensor", "_FUNC_(array) - a 1-D tensor of a flat numeric array (the array's element type)",
      Seq(Flat),
      typedUdf("docarray_tensor", sameElements)((a: scala.collection.Seq[Any]) => DocArrayFunctions.tensorOf(a))),
    Fn("docarray_flatten", "_FUNC_(tensor) - the tensor's elements as a 1-D tensor (element type kept)", Seq(Tensor),
      typedUdf("docarray_flatten", sameElements)((t: Row) => DocArrayFunctions.flatten(t))),
    Fn("docarray_reshape", "_FUNC_(tensor, shape) - the same elements in a new shape (element count checked, " +
      "element type kept)", Seq(Tensor, Shape),
      typedUdf("docarray_reshape", sameElements)(
        (t: Row, s: scala.collection.Seq[Any]) => DocArrayFunctions.reshape(t, s))),
    Fn("docarray_l2_norm", "_FUNC_(tensor) - the Euclidean norm of the tensor's elements (double)", Seq(Tensor),
      udf("docarray_l2_norm", DoubleType)((t: Row) => DocArrayFunctions.norm(t))),
    Fn("docarray_l2_normalize", "_FUNC_(tensor) - the tensor divided by its L2 norm (a zero tensor unchanged; " +
      "float32 and float64 kept, other element types become float64)", Seq(Tensor), normalize("docarray_l2_normalize")),
    Fn("docarray_normalize", "_FUNC_(tensor) - the same as docarray_l2_normalize", Seq(Tensor),
      normalize("docarray_normalize")),
    Fn("docarray_cosine_similarity", "_FUNC_(a, b) - the cosine similarity of two equally long tensors (double)",
      Seq(Tensor, Tensor),
      udf("docarray_cosine_similarity", DoubleType)((a: Row, b: Row) => DocArrayFunctions.cosine(a, b))),
    Fn("docarray_stack", "_FUNC_(tensors) - a DocList's equally shaped tensors stacked into one [N, ...] tensor " +
      "(element type kept)", Seq(TensorArray),
      typedUdf("docarray_stack", sameElements)((ts: scala.collection.Seq[Row]) => DocArrayFunctions.stack(ts)))
  ) ++ casts ++ vectors ++ Seq(
    Fn("docarray_schema_of", "_FUNC_(messages) - the schema (JSON) a read infers from a file of these DocProto messages",
      Seq(BinaryArray),
      udf("docarray_schema_of", StringType)((m: scala.collection.Seq[Array[Byte]]) => DocProtoFunctions.schemaOf(m))),
    Fn("docarray_from_protobuf", "_FUNC_(message, schema) - one DocProto message decoded into a struct of the schema " +
      "(JSON, e.g. from docarray_schema_of), as a read decodes a document", Seq(Binary, SchemaLiteral), c => {
      if (!c(1).foldable) {
        throw analysisError(s"docarray_from_protobuf(${c.map(_.sql).mkString(", ")})",
          "docarray_from_protobuf: the schema must be a literal string, not " + c(1).sql, "")
      }
      val decoder = new DocProtoFunctions.Decoder(String.valueOf(c(1).eval()))
      FunctionCall("docarray_from_protobuf", Seq(c.head), decoder.schema(), (m: Array[Byte]) => decoder.decode(m))
    }))

  private def normalize(name: String): Seq[Expression] => Expression = children => {
    val element = normalizedElement(children)
    FunctionCall(name, children, TensorTypes.typed(element), (t: Row) => DocArrayFunctions.normalize(t, element))
  }

  private val ordinals = Seq("first", "second", "third")

  /** The builder Spark calls during analysis: arity and argument types checked, then the expression. */
  private def checked(fn: Fn): FunctionBuilder = (children: Seq[Expression]) => {
    def call = s"${fn.name}(${children.map(_.sql).mkString(", ")})"
    if (children.length != fn.args.length) {
      throw analysisError(call, s"${fn.name} takes ${fn.args.length} argument(s), not ${children.length}",
        ": " + fn.usage.replace("_FUNC_", fn.name))
    }
    children.zip(fn.args).zipWithIndex.foreach { case ((child, arg), i) =>
      if (child.resolved && child.dataType != NullType && !arg.accepts(child.dataType)) {
        val binary = child.dataType.isInstanceOf[StructType] &&
          child.dataType.asInstanceOf[StructType].fieldNames.contains(TensorTypes.BUFFER)
        throw analysisError(call, s"${fn.name}: the ${ordinals(i)} argument ${child.sql} must be ${arg.describe}, " +
          s"but it is ${child.dataType.catalogString}",
          if (binary) " (a tensorMode=binary tensor: read the column with tensorMode=typed to compute on it)" else "")
      }
    }
    fn.build(children)
  }

  /** Spark's own error for a failed type check: DATATYPE_MISMATCH.TYPE_CHECK_FAILURE_WITH_HINT (3.5 and 4). */
  private def analysisError(sql: String, message: String, hint: String): AnalysisException =
    new AnalysisException("DATATYPE_MISMATCH.TYPE_CHECK_FAILURE_WITH_HINT",
      Map("sqlExpr" -> ("\"" + sql + "\""), "msg" -> message, "hint" -> hint))

  private def description(fn: Fn): (FunctionIdentifier, ExpressionInfo, FunctionBuilder) =
    (FunctionIdentifier(fn.name), new ExpressionInfo(getClass.getName, null, fn.name, fn.usage, ""), checked(fn))

  /** The names of every function, in registration order. */
  def names: Seq[String] = all.map(_.name)

  /** Registers every function in this session (idempotent: functions already registered by us are kept). */
  def register(spark: SparkSession): Unit = {
    val registry = spark.sessionState.functionRegistry
    all.foreach { fn =>
      val (name, info, builder) = description(fn)
      // Spark 4.1+ keeps session functions under system.session (3-part names); 3.5 and 4.0 under the bare name
      val id = try {
        registry.lookupFunction(name)
        name
      } catch {
        case _: AssertionError => FunctionIdentifier(name.funcName, Some("session"), Some("system"))
      }
      if (!registry.lookupFunction(id).exists(_.getClassName == info.getClassName)) {
        registry.registerFunction(id, info, builder)
      }
    }
  }

  /** Adds every function to each session the extensions build. */
  def inject(extensions: SparkSessionExtensions): Unit = all.foreach(fn => extensions.injectFunction(description(fn)))
}
