package org.docarray.spark.errors;

/**
 * The error classes and SQLSTATEs the connector's errors carry, as Spark's built-in sources carry
 * theirs ({@code SparkThrowable.getErrorClass()} / {@code getCondition()} and {@code
 * getSqlState()}), so that PySpark raises its own exception classes for them, classic and Connect.
 */
public enum DocArrayErrorClass {
  /**
   * Bytes that are not what DocArray writes (a file that is not DocArray's, a cut or corrupt one, a
   * document beyond a limit option such as {@code maxDocumentBytes}).
   */
  MALFORMED_FILE("22000"),
  /** A Spark value that a DocArray document cannot hold. */
  UNWRITABLE_VALUE("22000"),
  /** A function argument or a value that a function cannot take (a shape that does not fit). */
  INVALID_ARGUMENT("22023"),
  /** An option value the connector does not take. */
  INVALID_OPTION("42K06"),
  /** Data that does not fit the schema or layout asked for (a DocVec shard of unequal tensors). */
  SCHEMA_MISMATCH("42K09");

  private final String sqlState;

  DocArrayErrorClass(String sqlState) {
    this.sqlState = sqlState;
  }

  /** The name Spark shows in brackets, e.g. {@code DOCARRAY_MALFORMED_FILE}. */
  public String errorClass() {
    return "DOCARRAY_" + name();
  }

  public String sqlState() {
    return sqlState;
  }
}
