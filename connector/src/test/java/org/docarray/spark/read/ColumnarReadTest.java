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

  /**
   * Documents decoded straight into the vectors: partition values, pushed filters, a damaged
   * document (PERMISSIVE, DROPMALFORMED) and a cut file give the row reader's rows.
   */
  @Test
  void straightIntoTheVectorsAsTheRowReaderReads() throws Exception {
    Path root = tmp.resolve("table");
    String[][] layout = {
      {"kind=a", "large.protobuf"}, {"kind=b", "students.protobuf"}, {"kind=c", "pages.protobuf"},
    };
    for (String[] f : layout) {
      java.nio.file.Files.createDirectories(root.resolve(f[0]));
      java.nio.file.Files.copy(fixture(f[1]), root.resolve(f[0]).resolve(f[1]));
    }
    // the data columns of the good files, and the corrupt-record column
    org.apache.spark.sql.types.StructType schema = new org.apache.spark.sql.types.StructType();
    for (org.apache.spark.sql.types.StructField f :
        spark().read().format("docarray").load(root.toString()).schema().fields()) {
      if (!f.name().equals("kind")) schema = schema.add(f);
    }
    schema = schema.add("_corrupt_record", "string");
    byte[] students = java.nio.file.Files.readAllBytes(fixture("students.protobuf"));
    byte[] damaged = students.clone();
    damaged[9 + 4] = 0x0b; // the first document's first tag: field 1 with wire type 3
    java.nio.file.Files.createDirectories(root.resolve("kind=d"));
    java.nio.file.Files.write(root.resolve("kind=d").resolve("damaged.protobuf"), damaged);
    byte[] large = java.nio.file.Files.readAllBytes(fixture("large.protobuf"));
    java.nio.file.Files.createDirectories(root.resolve("kind=e"));
    java.nio.file.Files.write(
        root.resolve("kind=e").resolve("cut.protobuf"),
        java.util.Arrays.copyOf(large, large.length / 3));
    org.apache.spark.sql.types.StructType dataSchema = schema;
    for (String mode : new String[] {"PERMISSIVE", "DROPMALFORMED"}) {
      java.util.function.Function<Boolean, Dataset<Row>> read =
          columnar ->
              spark()
                  .read()
                  .format("docarray")
                  .schema(dataSchema)
                  .option("mode", mode)
                  .option("columnar", String.valueOf(columnar))
                  .option("columnarBatchSize", "1000")
                  .load(root.toString());
      List<String> rows = sorted(read.apply(false));
      assertTrue(rows.size() > 20000, mode + ": " + rows.size());
      assertEquals(rows, sorted(read.apply(true)), mode);
      assertEquals(
          sorted(read.apply(false).where("label = 3 AND kind = 'a'")),
          sorted(read.apply(true).where("label = 3 AND kind = 'a'")),
          mode + " filtered");
      assertEquals(
          sorted(read.apply(false).select("kind", "id", "thesis")),
          sorted(read.apply(true).select("kind", "id", "thesis")),
          mode + " pruned");
      assertTrue(plan(read.apply(true)).contains("ColumnarToRow"));
    }
    // PERMISSIVE keeps the damaged document as a row naming the file
    assertEquals(
        1,
        spark()
            .read()
            .format("docarray")
            .schema(dataSchema)
            .option("mode", "PERMISSIVE")
            .option("columnar", "true")
            .load(root.toString())
            .where("_corrupt_record LIKE '%damaged.protobuf%document 0%'")
            .count());
  }
}
