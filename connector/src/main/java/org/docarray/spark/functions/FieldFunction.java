package org.docarray.spark.functions;

import java.io.Serializable;

/**
 * A preprocessing function for one dotted field path, the JVM twin of a value in DocArray's {@code
 * MultiModalDataset(preprocessing={...})}. It receives the value at the path as Spark's external
 * type (a {@link org.apache.spark.sql.Row} for a nested document or tensor, a {@link
 * java.util.List} for a list, a String, a boxed number, {@code byte[]}...) and returns the new
 * value in the same conventions. Returning {@code null} keeps the value it was given, as DocArray's
 * {@code preprocess(value) or value} does.
 *
 * <p>Functions run on the executors: they and everything they capture must be serialisable.
 */
@FunctionalInterface
public interface FieldFunction extends Serializable {
  Object apply(Object value) throws Exception;
}
