package org.docarray.spark.functions

import org.apache.spark.sql.catalyst.{CatalystTypeConverters, InternalRow}
import org.apache.spark.sql.catalyst.expressions.Expression
import org.apache.spark.sql.catalyst.expressions.codegen.CodegenFallback
import org.apache.spark.sql.types.DataType

/**
 * One call of a `docarray_*` SQL function: its arguments converted to Scala values (a struct as a
 * `Row`, an array as a `Seq`, as Spark's `ScalaUDF` hands them), the function applied, the result
 * converted back to the function's result type. Unlike a `ScalaUDF`, whose failures Spark wraps in
 * `FAILED_EXECUTE_UDF`, an error of the function (a shape that does not fit) leaves the task as it
 * is, with the connector's error class, so that PySpark (classic and Connect) raises its own class.
 * Null arguments are handed to the function, which answers null for them.
 */
private[functions] final case class FunctionCall(
    name: String,
    children: Seq[Expression],
    dataType: DataType,
    function: AnyRef) extends Expression with CodegenFallback {

  override def nullable: Boolean = true

  override def prettyName: String = name

  override lazy val deterministic: Boolean = children.forall(_.deterministic)

  @transient private lazy val arguments: Seq[Any => Any] =
    children.map(c => CatalystTypeConverters.createToScalaConverter(c.dataType))

  @transient private lazy val result: Any => Any = CatalystTypeConverters.createToCatalystConverter(dataType)

  override def eval(input: InternalRow): Any = {
    val args = children.zip(arguments).map { case (c, convert) => convert(c.eval(input)) }
    val out = (function, args) match {
      case (f: Function1[Any, Any] @unchecked, Seq(a)) => f(a)
      case (f: Function2[Any, Any, Any] @unchecked, Seq(a, b)) => f(a, b)
      case _ => throw new IllegalStateException(s"$name: ${args.length} arguments for $function")
    }
    result(out)
  }

  override protected def withNewChildrenInternal(newChildren: IndexedSeq[Expression]): Expression =
    copy(children = newChildren)
}
