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
    SparkPlan local = localTableScan(p, rows);
    // a Spark whose LocalTableScanExec this strategy cannot build plans the count its own way (a one-task job)
    return local == null ? nil() : new $colon$colon<>(local, nil());
  }

  /**
   * LocalTableScanExec(output, rows) on Spark 3.5, (output, rows, stream = None) on Spark 4.0,
   * (output, rows, stream = None, false) on Spark 4.3; null on a Spark with another constructor.
   */
  private static SparkPlan localTableScan(Project p, List<InternalRow> rows) {
    try {
      for (Constructor<?> c : LocalTableScanExec.class.getConstructors()) {
        Class<?>[] t = c.getParameterTypes();
        if (t.length == 2) return (SparkPlan) c.newInstance(p.output(), rows);
        if (t.length == 3 && t[2] == scala.Option.class) {
          return (SparkPlan) c.newInstance(p.output(), rows, scala.None$.MODULE$);
        }
        if (t.length == 4 && t[2] == scala.Option.class && t[3] == boolean.class) {
          return (SparkPlan) c.newInstance(p.output(), rows, scala.None$.MODULE$, false);
        }
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
    return null;
  }

  @SuppressWarnings("unchecked")
  private static <T> List<T> nil() {
    return (List<T>) (Object) Nil$.MODULE$;
  }
}
