package org.docarray.spark.plan;

import static org.docarray.spark.testing.SparkTestBase.fixture;
import static org.docarray.spark.testing.SparkTestBase.spark;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.CatalystTypeConverters;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.execution.ProjectExec;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.datasources.v2.BatchScanExec;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reader's rows are UnsafeRows, so the session extensions drop the copy Spark's planner puts
 * above a row-based V2 scan: the rows Spark then sees are the reader's own, value for value what
 * the projected plan gives.
 */
class ScanProjectionElisionTest {
  @TempDir Path tmp;

  /** Nested documents, lists of documents, tensors, dicts and partition values, in one table. */
  private Path partitioned() throws Exception {
    String[][] layout = {
      {"kind=students", "students.protobuf"},
      {"kind=pages", "pages.protobuf"},
      {"kind=multimodal", "multimodal.protobuf"},
      {"kind=anybag", "anybag.protobuf"},
      {"kind=dtypes", "dtypes.protobuf"},
    };
    Path root = tmp.resolve("table");
    for (String[] f : layout) {
      Files.createDirectories(root.resolve(f[0]));
      Files.copy(fixture(f[1]), root.resolve(f[0]).resolve(f[1]));
    }
    return root;
  }

  private static List<Row> rows(SparkPlan plan, StructType schema, boolean requireUnsafe) {
    scala.Function1<Object, Object> toRow = CatalystTypeConverters.createToScalaConverter(schema);
    List<InternalRow> internal =
        plan.execute()
            .toJavaRDD()
            .map(
                r -> {
                  if (requireUnsafe && !(r instanceof UnsafeRow))
                    throw new AssertionError("not an UnsafeRow: " + r.getClass());
                  return r.copy();
                })
            .collect();
    List<Row> out = new ArrayList<>();
    for (InternalRow r : internal) out.add((Row) toRow.apply(r));
    return out;
  }

  /** A value with byte arrays as hex and collections as lists: compared with equals, printed. */
  private static Object canonical(Object v) {
    if (v instanceof Row) {
      List<Object> l = new ArrayList<>();
      Row r = (Row) v;
      for (int i = 0; i < r.length(); i++) l.add(canonical(r.get(i)));
      return l;
    }
    if (v instanceof byte[])
      return "0x" + org.apache.commons.codec.binary.Hex.encodeHexString((byte[]) v);
    if (v instanceof scala.collection.Map) {
      java.util.TreeMap<String, Object> m = new java.util.TreeMap<>();
      scala.collection.Iterator<?> it = ((scala.collection.Map<?, ?>) v).iterator();
      while (it.hasNext()) {
        scala.Tuple2<?, ?> e = (scala.Tuple2<?, ?>) it.next();
        m.put(String.valueOf(e._1()), canonical(e._2()));
      }
      return m;
    }
    if (v instanceof scala.collection.Iterable) {
      List<Object> l = new ArrayList<>();
      scala.collection.Iterator<?> it = ((scala.collection.Iterable<?>) v).iterator();
      while (it.hasNext()) l.add(canonical(it.next()));
      return l;
    }
    return v;
  }

  private static List<Object> canonical(List<Row> rows) {
    List<Object> out = new ArrayList<>();
    for (Row r : rows) out.add(canonical(r));
    return out;
  }

  @Test
  void theIdentityProjectionOverTheScanIsDroppedAndTheRowsAreTheSame() throws Exception {
    String path = partitioned().toString();
    for (Dataset<Row> df :
        List.of(
            spark().read().format("docarray").load(path),
            spark().read().format("docarray").load(path).where("kind = 'students'"),
            spark().read().format("docarray").load(path).select("_metadata", "kind"),
            spark().read().format("docarray").option("mode", "PERMISSIVE").load(path))) {
      SparkPlan planned = df.queryExecution().sparkPlan();
      SparkPlan elided = ScanProjectionElision.apply(planned);
      if (planned instanceof ProjectExec
          && ((ProjectExec) planned).child() instanceof BatchScanExec
          && planned.output().equals(((ProjectExec) planned).child().output())) {
        assertTrue(elided instanceof BatchScanExec, elided.toString());
      }
      List<Row> expected = rows(planned, df.schema(), false);
      List<Row> actual = rows(elided, df.schema(), true);
      assertTrue(expected.size() > 0);
      assertEquals(canonical(expected).toString(), canonical(actual).toString());
    }
    Dataset<Row> full = spark().read().format("docarray").load(path);
    assertTrue(
        ScanProjectionElision.apply(full.queryExecution().sparkPlan()) instanceof BatchScanExec);
  }

  @Test
  void aProjectionThatChangesTheRowsStaysAndTheSwitchTurnsTheRuleOff() throws Exception {
    String path = partitioned().toString();
    Dataset<Row> reordered =
        spark().read().format("docarray").load(path).selectExpr("kind", "upper(kind) AS k");
    SparkPlan planned = reordered.queryExecution().sparkPlan();
    assertTrue(ScanProjectionElision.apply(planned) instanceof ProjectExec);
    Dataset<Row> full = spark().read().format("docarray").load(path);
    spark().conf().set(ScanProjectionElision.ENABLED_CONF(), "false");
    try {
      assertFalse(
          ScanProjectionElision.apply(full.queryExecution().sparkPlan()) instanceof BatchScanExec);
    } finally {
      spark().conf().unset(ScanProjectionElision.ENABLED_CONF());
    }
  }
}
