package org.docarray.spark.plan

import org.apache.spark.sql.SparkSession
import org.apache.spark.sql.catalyst.expressions.{Attribute, NamedExpression}
import org.apache.spark.sql.catalyst.rules.Rule
import org.apache.spark.sql.execution.{ColumnarRule, FilterExec, ProjectExec, SparkPlan}
import org.apache.spark.sql.execution.datasources.v2.BatchScanExec

/**
 * Removes the projection Spark puts above every row-based DataSource V2 scan.
 *
 * Spark's planner cannot know that a V2 reader's rows are already `UnsafeRow`s, so it adds a
 * `ProjectExec` that copies every row into a new one (and `RemoveRedundantProjects` keeps it, for
 * the same reason). The docarray reader decodes straight into `UnsafeRow`s (every row it gives,
 * including rows with partition values, `_metadata` and PERMISSIVE's corrupt rows), so an
 * identity projection over it is a copy of each document for nothing: this rule drops it.
 * Installed by `DocArraySparkSessionExtensions` (as a columnar rule, which runs after Spark has
 * decided row or columnar); `spark.docarray.scanProjectionElision.enabled=false` turns it off.
 */
object ScanProjectionElision extends Rule[SparkPlan] {
  val ENABLED_CONF = "spark.docarray.scanProjectionElision.enabled"

  override def apply(plan: SparkPlan): SparkPlan = {
    if (!plan.conf.getConfString(ENABLED_CONF, "true").equalsIgnoreCase("true")) return plan
    plan.transformUp {
      case ProjectExec(list, scan: BatchScanExec) if ours(scan) && identity(list, scan.output) =>
        scan
      case ProjectExec(list, filter @ FilterExec(_, scan: BatchScanExec))
          if ours(scan) && identity(list, filter.output) =>
        filter
    }
  }

  private def ours(scan: BatchScanExec): Boolean =
    scan.scan.isInstanceOf[DocArrayScan] && !scan.supportsColumnar

  /** The projection outputs exactly its child's attributes, in order, unchanged. */
  private def identity(list: Seq[NamedExpression], output: Seq[Attribute]): Boolean =
    list.length == output.length && list.zip(output).forall {
      case (a: Attribute, b) =>
        a.exprId == b.exprId && a.name == b.name && a.dataType == b.dataType &&
          a.nullable == b.nullable
      case _ => false
    }
}

/** The columnar rule that carries [[ScanProjectionElision]] into a session. */
class DocArrayColumnarRule extends ColumnarRule {
  override def postColumnarTransitions: Rule[SparkPlan] = ScanProjectionElision
}

