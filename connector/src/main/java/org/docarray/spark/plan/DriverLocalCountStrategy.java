package org.docarray.spark.plan;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.CatalystTypeConverters;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.catalyst.plans.logical.LocalRelation;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.Project;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.SparkStrategy;
import org.apache.spark.sql.execution.datasources.v2.DataSourceV2ScanRelation;
import org.apache.spark.sql.types.StructType;
import scala.collection.immutable.$colon$colon;
import scala.collection.immutable.List;
import scala.collection.immutable.Nil$;

/**
 * Plans a {@code count(*)} that {@link DocArrayCountScan} answers from file headers as one
 * driver-local result, with no Spark job: Spark's own plan for a completely pushed-down aggregate
 * is a projection (renaming the count) over the local scan, which Spark runs as a one-task job
 * (20-40 ms here, more than reading the headers). Here the projection is applied on the driver and
 * the result handed back to Spark's planner as a {@code LocalRelation}, which it plans as a local
 * table scan. Installed by {@link org.docarray.spark.DocArraySparkSessionExtensions}; the same idea
 * as Delta's metadata-only count. Any other plan is left to Spark's strategies.
 */
public final class DriverLocalCountStrategy extends SparkStrategy {
  @Override
  public List<SparkPlan> apply(LogicalPlan plan) {
    if (!(plan instanceof Project)) return nil();
    Project p = (Project) plan;
    if (!(p.child() instanceof DataSourceV2ScanRelation)) return nil();
    DataSourceV2ScanRelation r = (DataSourceV2ScanRelation) p.child();
    if (!(r.scan() instanceof DocArrayCountScan) || !p.references().subsetOf(r.outputSet()))
      return nil();
    scala.collection.Iterator<?> it = p.projectList().iterator();
    while (it.hasNext()) if (!((Expression) it.next()).deterministic()) return nil();
    @SuppressWarnings({"unchecked", "rawtypes"})
    UnsafeProjection projection =
        UnsafeProjection.create((List) p.projectList().toList(), (List) r.output().toList());
    // the counted rows, renamed as the query names them, as Spark's external rows of a
    // LocalRelation: Spark's own
    // planner turns that into a LocalTableScanExec, whose collect runs no job
    StructType schema = p.schema();
    List<Row> rows = nil();
    InternalRow[] counted = ((DocArrayCountScan) r.scan()).rows();
    for (int i = counted.length - 1; i >= 0; i--) {
      Row row =
          (Row) CatalystTypeConverters.convertToScala(projection.apply(counted[i]).copy(), schema);
      rows = new $colon$colon<>(row, rows);
    }
    SparkPlan local = planLater(LocalRelation.fromExternalRows(p.output(), rows));
    return new $colon$colon<>(local, nil());
  }

  @SuppressWarnings("unchecked")
  private static <T> List<T> nil() {
    return (List<T>) (Object) Nil$.MODULE$;
  }
}
