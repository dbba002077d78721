package org.docarray.spark.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.docarray.spark.testing.SparkTestBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Filters pushed into the decoder give exactly the rows Spark's own filtering gives (they only
 * abandon documents early; Spark evaluates every filter again), SQL null and NaN semantics
 * included.
 */
class FilterPushdownTest extends SparkTestBase {
  @TempDir Path tmp;

  static List<String> rows(Dataset<Row> df) {
    List<String> out = new ArrayList<>(df.toJSON().collectAsList());
    Collections.sort(out);
    return out;
  }

  static void same(String path, String where, boolean expectPushed) {
    Dataset<Row> pushed = spark().read().format("docarray").load(path).where(where);
    Dataset<Row> plain =
        spark().read().format("docarray").option("filterPushdown", "false").load(path).where(where);
    assertEquals(
        expectPushed, plan(pushed).contains("pushedFilters="), where + ": " + plan(pushed));
    assertFalse(plan(plain).contains("pushedFilters="), plan(plain));
    assertEquals(rows(plain), rows(pushed), where);
  }

  @Test
  void pushedFiltersGiveTheRowsSparkGives() {
    String large = fixture("large.protobuf").toString();
    same(large, "label = 3", true);
    same(large, "label > 7 OR text = 'doc 00012 gamma'", true);
    same(large, "label IN (1, 2) AND id >= 'large-010000'", true);
    same(large, "NOT (label <= 4)", true);
    same(large, "label IS NULL", true);
    same(large, "text IS NOT NULL AND label != 9", true);
    same(
        large,
        "text LIKE 'doc 0001%'",
        true); // Spark's IsNotNull(text) is pushed, the LIKE is left to Spark
    assertFalse(
        plan(spark().read().format("docarray").load(large).where("text LIKE 'doc 0001%'"))
            .contains("StringStartsWith"));
    assertEquals(2000, spark().read().format("docarray").load(large).where("label = 3").count());
    // nested fields are not pushed, but still filter right
    same(fixture("students.protobuf").toString(), "thesis.title.text = ''", false);
  }

  @Test
  void nullsNaNAndNegativeZeroFollowSqlSemantics() {
    Path out = tmp.resolve("x");
    spark()
        .sql(
            "SELECT * FROM VALUES ('a', CAST('NaN' AS DOUBLE), 1), ('b', -0.0D, 2), ('c', 0.0D, NULL), "
                + "('d', NULL, 4), ('e', 2.5D, 5), ('f', CAST('Infinity' AS DOUBLE), 6) AS t(id, x, n)")
        .write()
        .format("docarray")
        .save(out.toString());
    String p = out.toString();
    for (String where :
        new String[] {
          "x = 0.0",
          "x > 1.0",
          "x < 1.0",
          "x >= 0.0",
          "x IS NULL",
          "x IS NOT NULL",
          "NOT (x = 0.0)",
          "x IN (0.0, 2.5)",
          "n = 2 OR x > 2.0",
          "n IN (1, NULL)",
          "NOT (n IN (1, 4))",
          "x = CAST('NaN' AS DOUBLE)",
          "x > 100.0"
        }) {
      same(p, where, true);
    }
    assertEquals(
        2, spark().read().format("docarray").load(p).where("x = 0.0").count()); // -0.0 = 0.0
    assertEquals(
        3, spark().read().format("docarray").load(p).where("x > 1.0").count()); // NaN > all
  }

  @Test
  void permissiveModeKeepsEveryDocumentForItsNullRow() {
    Dataset<Row> df =
        spark()
            .read()
            .format("docarray")
            .option("mode", "PERMISSIVE")
            .load(fixture("large.protobuf").toString())
            .where("label = 3");
    assertFalse(plan(df).contains("pushedFilters="), plan(df));
    assertEquals(2000, df.count());
  }
}
