package org.docarray.spark.functions;

import org.apache.spark.QueryContext;
import org.apache.spark.sql.AnalysisException;
import scala.Option;

/**
 * Spark's {@link AnalysisException} for a message, the error a query gets when it is analysed. Its message
 * constructor is {@code protected[sql]} to Scala code but public in bytecode (the same on Spark 3.5 and 4).
 */
final class AnalysisErrors {
  private AnalysisErrors() {}

  static AnalysisException of(String message) {
    return new AnalysisException(message, Option.empty(), Option.empty(), Option.empty(), Option.empty(),
        scala.collection.immutable.Map$.MODULE$.<String, String>empty(), new QueryContext[0]);
  }
}
