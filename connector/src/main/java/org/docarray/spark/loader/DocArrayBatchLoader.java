package org.docarray.spark.loader;

import java.io.Serializable;
import java.util.Iterator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;

/**
 * Feeds JVM trainers: a Dataset of documents as fixed-size Arrow record batches, on the driver
 * ({@link #epoch}) or on the executors, partition by partition ({@link #foreachBatch}).
 *
 * <pre>{@code
 * DocArrayBatchLoader loader = DocArrayBatchLoader.builder(docs.select("id", "embedding", "label"))
 *     .batchSize(256).shuffle(DocArrayBatchLoader.Shuffle.GLOBAL).seed(42).dropLast(true).build();
 * for (int epoch = 0; epoch < 3; epoch++) {
 *   try (BatchIterator batches = loader.epoch(epoch)) {
 *     while (batches.hasNext()) train(batches.next());      // a VectorSchemaRoot, refilled per batch
 *   }
 * }
 * }</pre>
 *
 * Shuffling and epochs are explicit: {@link Shuffle#NONE} yields the documents in the Dataset's own
 * order every epoch; {@link Shuffle#GLOBAL} sorts them by {@code rand(seed + epoch)}, a full
 * shuffle per epoch that is the same for the same seed, epoch and input. Tensors arrive as Arrow
 * struct vectors ({@code shape}: list&lt;int&gt;, {@code data}: list&lt;float&gt;), nested
 * documents as struct vectors, DocLists as list vectors of structs.
 */
public final class DocArrayBatchLoader implements Serializable {
  private static final long serialVersionUID = 1L;

  public enum Shuffle {
    NONE,
    GLOBAL
  }

  private final transient Dataset<Row> docs;
  private final int batchSize;
  private final Shuffle shuffle;
  private final long seed;
  private final boolean dropLast;
  private final String timeZone;

  private DocArrayBatchLoader(Builder b) {
    this.docs = b.docs;
    this.batchSize = b.batchSize;
    this.shuffle = b.shuffle;
    this.seed = b.seed;
    this.dropLast = b.dropLast;
    this.timeZone = b.docs.sparkSession().sessionState().conf().sessionLocalTimeZone();
  }

  public static Builder builder(Dataset<Row> docs) {
    return new Builder(docs);
  }

  public static final class Builder {
    private final Dataset<Row> docs;
    private int batchSize = 32;
    private Shuffle shuffle = Shuffle.NONE;
    private long seed = 0;
    private boolean dropLast = false;

    private Builder(Dataset<Row> docs) {
      this.docs = docs;
    }

    /** Documents per batch (default 32). */
    public Builder batchSize(int n) {
      if (n < 1) throw new IllegalArgumentException("batchSize must be at least 1, not " + n);
      this.batchSize = n;
      return this;
    }

    /**
     * {@code NONE} (default) or {@code GLOBAL}, reshuffled every epoch from {@code seed + epoch}.
     */
    public Builder shuffle(Shuffle s) {
      this.shuffle = s;
      return this;
    }

    public Builder seed(long s) {
      this.seed = s;
      return this;
    }

    /** Leave out a final short batch (PyTorch's {@code drop_last}); default false. */
    public Builder dropLast(boolean d) {
      this.dropLast = d;
      return this;
    }

    public DocArrayBatchLoader build() {
      return new DocArrayBatchLoader(this);
    }
  }

  /** The documents of one epoch, in that epoch's order. */
  public Dataset<Row> ordered(int epoch) {
    return shuffle == Shuffle.GLOBAL ? docs.orderBy(functions.rand(seed + epoch)) : docs;
  }

  public StructType schema() {
    return docs.schema();
  }

  /**
   * The batches of one epoch on the driver. Rows stream to the driver one partition at a time
   * (Spark's {@code toLocalIterator}), so driver memory holds a partition, not the dataset.
   */
  public BatchIterator epoch(int epoch) {
    Iterator<InternalRow> rows =
        ordered(epoch)
            .queryExecution()
            .toRdd()
            .toJavaRDD()
            .map(InternalRow::copy)
            .toLocalIterator();
    return new BatchIterator(
        rows, docs.schema(), batchSize, dropLast, timeZone, "docarray-loader-epoch-" + epoch);
  }

  /** Receives the batches of one partition on an executor. */
  @FunctionalInterface
  public interface PartitionBatchConsumer extends Serializable {
    void accept(int partition, VectorSchemaRoot batch) throws Exception;
  }

  /**
   * Runs {@code consumer} on the executors over every partition's batches of one epoch (a JVM
   * trainer per task, or per-partition inference); batches never cross partitions.
   */
  public void foreachBatch(int epoch, PartitionBatchConsumer consumer) {
    StructType schema = docs.schema();
    int size = batchSize;
    boolean drop = dropLast;
    String tz = timeZone;
    ordered(epoch)
        .queryExecution()
        .toRdd()
        .toJavaRDD()
        .foreachPartition(
            rows -> {
              int p = TaskContext.getPartitionId();
              try (BatchIterator it = batches(rows, schema, size, drop, tz)) {
                while (it.hasNext()) consumer.accept(p, it.next());
              }
            });
  }

  /** Batches over any row iterator of that schema (inside {@code mapPartitions}, say). */
  public static BatchIterator batches(
      Iterator<InternalRow> rows,
      StructType schema,
      int batchSize,
      boolean dropLast,
      String timeZone) {
    return new BatchIterator(rows, schema, batchSize, dropLast, timeZone, "docarray-loader");
  }
}
