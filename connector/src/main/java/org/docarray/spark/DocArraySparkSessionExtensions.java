package org.docarray.spark;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.execution.ColumnarRule;
import org.apache.spark.sql.execution.SparkStrategy;
import org.docarray.spark.functions.DocArraySqlFunctions;
import org.docarray.spark.plan.DocArrayColumnarRule;
import org.docarray.spark.plan.DriverLocalCountStrategy;
import scala.runtime.AbstractFunction1;
import scala.runtime.BoxedUnit;

/**
 * Optional session extensions, as Delta and Iceberg ship theirs: {@code
 * spark.sql.extensions=org.docarray.spark.DocArraySparkSessionExtensions}. Reads need none of it;
 * it registers the {@code docarray_*} SQL functions in every session (the way to have them over
 * Spark Connect, where a client cannot call {@code DocArrayFunctions.register}) and adds {@link
 * DriverLocalCountStrategy}, which returns a {@code count(*)} answered from file headers on the
 * driver without launching a job, and {@link DocArrayColumnarRule}, which hands the reader's {@code
 * UnsafeRow}s to Spark without the copy Spark's planner puts above every row-based V2 scan.
 */
public final class DocArraySparkSessionExtensions
    extends AbstractFunction1<SparkSessionExtensions, BoxedUnit> {
  @Override
  public BoxedUnit apply(SparkSessionExtensions extensions) {
    extensions.injectPlannerStrategy(
        new AbstractFunction1<SparkSession, SparkStrategy>() {
          @Override
          public SparkStrategy apply(SparkSession session) {
            return new DriverLocalCountStrategy();
          }
        });
    extensions.injectColumnar(
        new AbstractFunction1<SparkSession, ColumnarRule>() {
          @Override
          public ColumnarRule apply(SparkSession session) {
            return new DocArrayColumnarRule();
          }
        });
    DocArraySqlFunctions.inject(extensions);
    return BoxedUnit.UNIT;
  }
}
