package org.docarray.spark.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.ArrowUtils;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.apache.spark.unsafe.types.UTF8String;
import org.docarray.spark.schema.TensorTypes;
import org.junit.jupiter.api.Test;

/**
 * The Arrow filler of columnar reads: values, nulls, bulk-copied tensors, batches reused, memory
 * released.
 */
class ArrowBatchWriterTest {
  static final StructType SCHEMA =
      new StructType()
          .add("id", DataTypes.StringType)
          .add("label", DataTypes.IntegerType)
          .add("emb", TensorTypes.typed(DataTypes.FloatType))
          .add("tags", DataTypes.createArrayType(DataTypes.StringType))
          .add(
              "doc",
              new StructType().add("x", DataTypes.DoubleType).add("b", DataTypes.BinaryType));

  static GenericInternalRow row(int i) {
    Object emb =
        i % 3 == 2
            ? null
            : new GenericInternalRow(
                new Object[] {
                  UnsafeArrayData.fromPrimitiveArray(new int[] {3}),
                  UnsafeArrayData.fromPrimitiveArray(new float[] {i, i + 0.5f, -i})
                });
    Object tags =
        i % 4 == 1
            ? null
            : new GenericArrayData(new Object[] {UTF8String.fromString("t" + i), null});
    Object doc =
        i % 5 == 3
            ? null
            : new GenericInternalRow(
                new Object[] {i * 1.5, i % 2 == 0 ? null : new byte[] {(byte) i}});
    return new GenericInternalRow(
        new Object[] {UTF8String.fromString("doc-" + i), i % 7 == 6 ? null : i, emb, tags, doc});
  }

  @Test
  void batchesHoldTheValuesAndMemoryIsReleased() {
    assertTrue(ArrowBatchWriter.supports(SCHEMA));
    assertFalse(ArrowBatchWriter.supports(new StructType().add("d", DataTypes.DateType)));
    BufferAllocator alloc = ArrowUtils.rootAllocator().newChildAllocator("test", 0, Long.MAX_VALUE);
    try (ArrowBatchWriter w = new ArrowBatchWriter(SCHEMA, alloc)) {
      int[] sizes = {4096, 4096, 1808, 100, 9000};
      for (int round = 0;
          round < sizes.length;
          round++) { // the vectors are reused batch after batch
        w.reset();
        int n = sizes[round];
        for (int i = 0; i < n; i++) w.write(row(i));
        ColumnarBatch b = w.finish();
        assertEquals(n, b.numRows());
        for (int i = 0; i < n; i++) {
          assertEquals("doc-" + i, b.column(0).getUTF8String(i).toString());
          assertEquals(i % 7 == 6, b.column(1).isNullAt(i));
          if (i % 7 != 6) assertEquals(i, b.column(1).getInt(i));
          assertEquals(i % 3 == 2, b.column(2).isNullAt(i));
          if (i % 3 != 2) {
            assertEquals(3, b.column(2).getChild(0).getArray(i).getInt(0));
            float[] data = b.column(2).getChild(1).getArray(i).toFloatArray();
            assertEquals(3, data.length);
            assertEquals(i, data[0]);
            assertEquals(i + 0.5f, data[1]);
            assertEquals(-i, data[2]);
          }
          assertEquals(i % 4 == 1, b.column(3).isNullAt(i));
          if (i % 4 != 1) {
            assertEquals("t" + i, b.column(3).getArray(i).getUTF8String(0).toString());
            assertTrue(b.column(3).getArray(i).isNullAt(1));
          }
          assertEquals(i % 5 == 3, b.column(4).isNullAt(i));
          if (i % 5 != 3) {
            assertEquals(i * 1.5, b.column(4).getChild(0).getDouble(i));
            assertEquals(i % 2 == 0, b.column(4).getChild(1).isNullAt(i));
          }
        }
      }
    }
    assertEquals(0, alloc.getAllocatedMemory());
    alloc.close();
  }

  /**
   * The vectors hold exactly what Spark's own ArrowWriter puts into them, for every type the writer
   * fills, from UnsafeRows (what the decoder gives), batch after batch.
   */
  @Test
  void fillsWhatSparksArrowWriterFills() {
    StructType schema =
        SCHEMA
            .add("flag", DataTypes.BooleanType)
            .add("b", DataTypes.ByteType)
            .add("s", DataTypes.ShortType)
            .add("l", DataTypes.LongType)
            .add(
                "grid", DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.IntegerType)))
            .add("ds", DataTypes.createArrayType(DataTypes.DoubleType));
    org.apache.spark.sql.catalyst.expressions.UnsafeProjection unsafe =
        org.apache.spark.sql.catalyst.expressions.UnsafeProjection.create(schema);
    BufferAllocator alloc = ArrowUtils.rootAllocator().newChildAllocator("test", 0, Long.MAX_VALUE);
    try (ArrowBatchWriter ours = new ArrowBatchWriter(schema, alloc);
        org.apache.arrow.vector.VectorSchemaRoot theirs =
            org.apache.arrow.vector.VectorSchemaRoot.create(
                ArrowUtils.toArrowSchema(schema, "UTC", true, false), alloc)) {
      org.apache.spark.sql.execution.arrow.ArrowWriter spark =
          org.apache.spark.sql.execution.arrow.ArrowWriter.create(theirs);
      for (int n : new int[] {5000, 37, 7000}) {
        ours.reset();
        spark.reset();
        for (int i = 0; i < n; i++) {
          Object[] base = row(i).values();
          Object[] v = java.util.Arrays.copyOf(base, schema.size());
          v[5] = i % 6 == 0 ? null : i % 2 == 0;
          v[6] = i % 9 == 0 ? null : (byte) i;
          v[7] = (short) (i * 7);
          v[8] = i % 11 == 0 ? null : (long) i << 33;
          v[9] =
              i % 8 == 0
                  ? null
                  : new GenericArrayData(
                      new Object[] {
                        UnsafeArrayData.fromPrimitiveArray(new int[] {i, -i}),
                        null,
                        new GenericArrayData(new Object[] {null, i})
                      });
          v[10] =
              i % 10 == 0
                  ? new GenericArrayData(new Object[] {1.5, null})
                  : UnsafeArrayData.fromPrimitiveArray(new double[] {i, 0.25 * i});
          org.apache.spark.sql.catalyst.InternalRow r = unsafe.apply(new GenericInternalRow(v));
          ours.write(r);
          spark.write(r);
        }
        ours.finish();
        spark.finish();
        assertEquals(n, ours.root().getRowCount());
        assertEquals(theirs.contentToTSVString(), ours.root().contentToTSVString());
      }
    }
    assertEquals(0, alloc.getAllocatedMemory());
    alloc.close();
  }
}
