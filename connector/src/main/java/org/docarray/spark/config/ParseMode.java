package org.docarray.spark.config;

/** What to do with a malformed document (the names of Spark's JSON and CSV sources). */
public enum ParseMode {
  FAILFAST,
  PERMISSIVE,
  DROPMALFORMED
}
