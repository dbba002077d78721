package org.docarray.spark.read;

import java.lang.reflect.Constructor;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.Project;
import org.apache.spark.sql.execution.LocalTableScanExec;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.SparkStrategy;
import org.apache.spark.sql.execution.datasources.v2.DataSourceV2ScanRelation;
import scala.collection.immutable.$colon$colon;
import scala.collection.immutable.List;
import scala.collection.immutable.Nil$;

/**
 * Plans a {@code count(*)} that {@link DocArrayCountScan} answers from file headers as one driver-local
 * result, with no Spark job: Spark's own plan for a completely pushed-down aggregate is a projection
 * (renaming the count) over the local scan, which Spark runs as a one-task job (20-40 ms here, more than
 * reading the headers). Installed by {@link org.docarray.spark.DocArraySparkSessionExtensions}; the same
 * idea as Delta's metadata-only count. Any other plan is left to Spark's strategies.
 */
public final class DriverLocalCountStrategy extends SparkStrategy {
  @Override
  public List<SparkPlan> apply(LogicalPlan plan) {
    if (!(plan instanceof Project)) return nil();
    Project p = (Project) plan;
    if (!(p.child() instanceof DataSourceV2ScanRelation)) return nil();
    DataSourceV2ScanRelation r = (DataSourceV2ScanRelation) p.child();
    if (!(r.scan() instanceof DocArrayCountScan) || !p.references().subsetOf(r.outputSet())) return nil();
    scala.collection.Iterator<?> it = p.projectList().iterator();
    while (it.hasNext()) if (!((Expression) it.next()).deterministic()) return nil();
    @SuppressWarnings({"unchecked", "rawtypes"})
    UnsafeProjection projection = UnsafeProjection.create((List) p.projectList().toList(), (List) r.output().toList());
    List<InternalRow> rows = nil();
    InternalRow[] counted = ((DocArrayCountScan) r.scan()).rows();
    for (int i = counted.length - 1; i >= 0; i--) rows = new $colon$colon<>(projection.apply(counted[i]).copy(), rows);
    return new $colon$colon<>(localTableScan(p, rows), nil());
  }

  /** LocalTableScanExec(output, rows) on Spark 3.5, (output, rows, stream = None) on Spark 4. */
  private static SparkPlan localTableScan(Project p, List<InternalRow> rows) {
    try {
      for (Constructor<?> c : LocalTableScanExec.class.getConstructors()) {
        if (c.getParameterCount() == 2) return (SparkPlan) c.newInstance(p.output(), rows);
        if (c.getParameterCount() == 3) return (SparkPlan) c.newInstance(p.output(), rows, scala.None$.MODULE$);
      }
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot build LocalTableScanExec on this Spark version", e);
    }
    throw new IllegalStateException("no known LocalTableScanExec constructor on this Spark version");
  }

  @SuppressWarnings("unchecked")
  private static <T> List<T> nil() {
    return (List<T>) (Object) Nil$.MODULE$;
  }
}
