package org.docarray.spark.errors;

import java.io.IOException;
import org.apache.spark.QueryContext;

/**
 * Translates the connector's internal exceptions into the Spark errors users see, at the places
 * where errors leave the connector (a partition reader, a writer, schema inference, a function).
 */
public final class SparkErrors {
  private SparkErrors() {}

  static final QueryContext[] NO_CONTEXT = new QueryContext[0];

  static scala.collection.immutable.Map<String, String> parameters(String message) {
    return new scala.collection.immutable.Map.Map1<>("message", String.valueOf(message));
  }

  /**
   * The Spark error for an exception the connector raised, or null when it is not one of the
   * connector's (an I/O error of the file system stays as it is, for Spark's retries).
   */
  public static RuntimeException translate(Throwable t) {
    // look through wrappers (an UncheckedIOException, an ExecutionException of the driver's pool)
    for (Throwable c = t; c != null && c != c.getCause(); c = c.getCause()) {
      RuntimeException s = translateOne(c);
      if (s != null) return s;
    }
    return null;
  }

  private static RuntimeException translateOne(Throwable t) {
    if (t instanceof DocArrayRuntimeException || t instanceof DocArrayIllegalArgumentException)
      return (RuntimeException) t;
    if (t instanceof org.docarray.spark.format.DocArrayFormatException
        || t instanceof org.docarray.spark.format.MalformedDocumentException)
      return new DocArrayRuntimeException(DocArrayErrorClass.MALFORMED_FILE, t.getMessage(), t);
    if (t instanceof org.docarray.spark.write.DocEncoder.UnwritableValueException)
      return new DocArrayRuntimeException(DocArrayErrorClass.UNWRITABLE_VALUE, t.getMessage(), t);
    return null;
  }

  /** {@link #translate} where there is a translation, else the exception itself. */
  public static RuntimeException orSelf(RuntimeException e) {
    RuntimeException s = translate(e);
    return s != null ? s : e;
  }

  /** {@link #translate} where there is a translation, else the I/O error itself. */
  public static IOException orSelf(IOException e) {
    RuntimeException s = translate(e);
    if (s != null) throw s;
    return e;
  }

  /** A function argument or value a function cannot take. */
  public static DocArrayIllegalArgumentException invalidArgument(String message) {
    return new DocArrayIllegalArgumentException(DocArrayErrorClass.INVALID_ARGUMENT, message);
  }

  /** An option value the connector does not take. */
  public static DocArrayIllegalArgumentException invalidOption(String message) {
    return new DocArrayIllegalArgumentException(DocArrayErrorClass.INVALID_OPTION, message);
  }

  /**
   * Throws Spark's own error for a path that does not exist (an {@code AnalysisException}, as its
   * built-in file sources raise it); declared to return so that callers can {@code throw} it.
   */
  public static RuntimeException pathNotFound(String path) {
    throw sneaky(
        new org.apache.spark.sql.AnalysisException(
            "PATH_NOT_FOUND", new scala.collection.immutable.Map.Map1<>("path", path)));
  }

  /**
   * Throws {@code t} as it is, checked or not (Spark's Scala code throws its checked {@code
   * AnalysisException} the same way).
   */
  @SuppressWarnings("unchecked")
  public static <T extends Throwable> RuntimeException sneaky(Throwable t) throws T {
    throw (T) t;
  }

  /** Whether an exception is Spark's {@link #pathNotFound}. */
  public static boolean isPathNotFound(Throwable t) {
    return t instanceof org.apache.spark.SparkThrowable
        && "PATH_NOT_FOUND".equals(((org.apache.spark.SparkThrowable) t).getErrorClass());
  }

  /** Data that does not fit the layout asked for. */
  public static DocArrayRuntimeException schemaMismatch(String message) {
    return new DocArrayRuntimeException(DocArrayErrorClass.SCHEMA_MISMATCH, message, null);
  }
}
