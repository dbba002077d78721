package org.docarray.spark.errors;

import java.util.Map;
import org.apache.spark.SparkRuntimeException;

/**
 * A connector error found while running (bad bytes, a limit, an unwritable value): a Spark {@code
 * SparkRuntimeException}, so PySpark raises {@code pyspark.errors.SparkRuntimeException} with this
 * message as its first line, and Spark 4 hands it to the driver as it is rather than inside a "Job
 * aborted" error.
 */
public final class DocArrayRuntimeException extends SparkRuntimeException {
  private static final long serialVersionUID = 1L;
  private final String message;
  private final DocArrayErrorClass errorClass;

  public DocArrayRuntimeException(DocArrayErrorClass errorClass, String message, Throwable cause) {
    // Spark's constructor formats a registered error class; the connector's own class is reported
    // by the overrides below
    super("INTERNAL_ERROR", SparkErrors.parameters(message), cause, SparkErrors.NO_CONTEXT, "");
    this.message = message;
    this.errorClass = errorClass;
  }

  @Override
  public String getMessage() {
    return message;
  }

  @Override
  public String getErrorClass() {
    return errorClass.errorClass();
  }

  /** Spark 4's name of {@link #getErrorClass()}. */
  public String getCondition() {
    return errorClass.errorClass();
  }

  @Override
  public String getSqlState() {
    return errorClass.sqlState();
  }

  @Override
  public boolean isInternalError() {
    return false;
  }

  @Override
  public Map<String, String> getMessageParameters() {
    return Map.of("message", message);
  }

  public DocArrayErrorClass errorClass() {
    return errorClass;
  }
}
