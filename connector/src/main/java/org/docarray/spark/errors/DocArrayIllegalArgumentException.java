package org.docarray.spark.errors;

import java.util.Map;
import org.apache.spark.SparkThrowable;

/**
 * An option or function argument the connector cannot take: a Java {@code IllegalArgumentException}
 * (PySpark raises {@code pyspark.errors.IllegalArgumentException}) that carries the connector's
 * error class and SQLSTATE.
 */
public final class DocArrayIllegalArgumentException extends IllegalArgumentException
    implements SparkThrowable {
  private static final long serialVersionUID = 1L;
  private final DocArrayErrorClass errorClass;

  public DocArrayIllegalArgumentException(DocArrayErrorClass errorClass, String message) {
    this(errorClass, message, null);
  }

  public DocArrayIllegalArgumentException(
      DocArrayErrorClass errorClass, String message, Throwable cause) {
    super(message, cause);
    this.errorClass = errorClass;
  }

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
    return Map.of("message", String.valueOf(getMessage()));
  }
}
