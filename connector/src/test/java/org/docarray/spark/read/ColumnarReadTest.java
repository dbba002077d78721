package org.docarray.spark.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.docarray.spark.testing.SparkTestBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Columnar reads (Arrow batches) give exactly the rows of the row reader; batches never mix files.
 */
class ColumnarReadTest extends SparkTestBase {
  @TempDir Path tmp;

  /** The rows as JSON text, sorted: binary, NaN and nested arrays compare by value. */
  static List<String> sorted(Dataset<Row> df) {
    List<String> out = new java.util.ArrayList<>(df.toJSON().collectAsList());
    java.util.Collections.sort(out);
    return out;
  }

  @Test
  void columnarAndRowReadsAgreeOnEveryFixtureShape() {
    for (String f :
        new String[] {
          "large.protobuf",
          "students.protobuf",
          "pages.protobuf",
          "dtypes.protobuf",
          "optional.protobuf",
          "multimodal.protobuf",
          "scalars.protobuf",
          "docvec.protobuf-array"
        }) {
      Dataset<Row> columnar =
          spark()
              .read()
              .format("docarray")
              .option("columnar", "true")
              .option("columnarBatchSize", "333")
              .load(fixture(f).toString());
      Dataset<Row> rows =
          spark().read().format("docarray").load(fixture(f).toString()); // the default
      assertFalse(plan(rows).contains("ColumnarToRow"), f + ": " + plan(rows));
      assertEquals(sorted(rows), sorted(columnar), f);
    }
    Dataset<Row> large =
        spark()
            .read()
            .format("docarray")
            .option("columnar", "true")
            .load(fixture("large.protobuf").toString());
    assertTrue(plan(large).contains("ColumnarToRow"), plan(large));
    assertTrue(plan(large.select("label")).contains("ColumnarToRow"), plan(large.select("label")));
  }

  @Test
  void aBatchHoldsTheRowsOfOneFileSoInputFileNameIsRight() throws IOException {
    Path dir =
        directoryOf(tmp, "two", "large.protobuf", "a.protobuf", "large.protobuf", "b.protobuf");
    Dataset<Row> df =
        spark()
            .read()
            .format("docarray")
            .option("columnar", "true")
            .option("columnarBatchSize", "7000")
            .option("splitFiles", "false")
            .option("maxPartitionBytes", String.valueOf(1L << 30))
            .load(dir.toString())
            .select(functions.input_file_name().as("f"));
    List<Row> counts = df.groupBy("f").count().orderBy("f").collectAsList();
    assertEquals(2, counts.size(), counts.toString());
    assertTrue(counts.get(0).getString(0).endsWith("a.protobuf"));
    assertEquals(20000L, counts.get(0).getLong(1));
    assertEquals(20000L, counts.get(1).getLong(1));
  }
}
