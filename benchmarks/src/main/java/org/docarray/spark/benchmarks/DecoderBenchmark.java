package org.docarray.spark.benchmarks;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.ArrowUtils;
import org.docarray.spark.format.Codec;
import org.docarray.spark.format.Limits;
import org.docarray.spark.format.StreamFramingSource;
import org.docarray.spark.read.ArrowBatchWriter;
import org.docarray.spark.read.DocDecoder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Single-core decode speed of the `large` shape (id, text, label, float32[128]; 626 bytes per
 * document) from an in-memory protobuf stream: framing only, full decode to rows, label-only
 * (pruned) decode, and full decode into Arrow vectors (through rows, and straight from the wire).
 * Each operation decodes the whole buffer (20,000 documents); bytes/s = buffer size × ops/s.
 *
 * <pre>
 * mvn -q -pl benchmarks -am -DskipTests package exec:exec -Dbench.main=org.openjdk.jmh.Main \
 *     -Dbench.args="DecoderBenchmark -f 1 -wi 3 -i 5"
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {
      "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"
    })
public class DecoderBenchmark {
  static final int DOCS = 20_000;
  static final StructType FULL =
      StructType.fromDDL(
          "id STRING, label INT, text STRING, embedding STRUCT<shape: ARRAY<INT>, data: ARRAY<FLOAT>>");
  static final StructType LABEL = StructType.fromDDL("label INT");

  byte[] file;
  DocDecoder full;
  DocDecoder label;
  DocDecoder direct;
  BufferAllocator allocator;
  ArrowBatchWriter arrow;

  @Setup(Level.Trial)
  public void setup() throws Exception {
    Path dir = Files.createTempDirectory("decoder-bench");
    SparkSession spark =
        SparkSession.builder().master("local[1]").config("spark.ui.enabled", "false").getOrCreate();
    try {
      ScanBenchmark.largeShape(spark, DOCS)
          .coalesce(1)
          .write()
          .mode("overwrite")
          .format("docarray")
          .save(dir.toString());
    } finally {
      spark.stop();
    }
    try (Stream<Path> s = Files.list(dir)) {
      Path part =
          s.filter(p -> p.getFileName().toString().endsWith(".protobuf")).findFirst().orElseThrow();
      file = Files.readAllBytes(part);
    }
    full = new DocDecoder(FULL, Limits.defaults());
    label = new DocDecoder(LABEL, Limits.defaults());
    direct = new DocDecoder(FULL, Limits.defaults());
    allocator = ArrowUtils.rootAllocator().newChildAllocator("bench", 0, Long.MAX_VALUE);
    arrow = new ArrowBatchWriter(FULL, allocator);
    System.out.printf(
        "%n%d documents, %d bytes (%.0f bytes/document)%n",
        DOCS, file.length, file.length / (double) DOCS);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    arrow.close();
    allocator.close();
  }

  private StreamFramingSource source() throws Exception {
    return new StreamFramingSource(
        new ByteArrayInputStream(file),
        "bench.protobuf",
        file.length,
        Codec.NONE,
        Limits.defaults());
  }

  @Benchmark
  public long framingOnly() throws Exception {
    long n = 0;
    try (StreamFramingSource s = source()) {
      while (s.next()) n += s.length();
    }
    return n;
  }

  @Benchmark
  public void fullDecodeToRows(Blackhole bh) throws Exception {
    try (StreamFramingSource s = source()) {
      while (s.next()) bh.consume(full.decode(s.buffer(), s.offset(), s.length()));
    }
  }

  @Benchmark
  public void labelOnlyDecode(Blackhole bh) throws Exception {
    try (StreamFramingSource s = source()) {
      while (s.next()) bh.consume(label.decode(s.buffer(), s.offset(), s.length()));
    }
  }

  /** The columnar reader's path: each document straight from the wire into the vectors. */
  @Benchmark
  public void fullDecodeStraightToArrow(Blackhole bh) throws Exception {
    arrow.reset();
    try (StreamFramingSource s = source()) {
      while (s.next()) {
        direct.decodeInto(arrow, s.buffer(), s.offset(), s.length());
        if (arrow.rows() == 4096) {
          bh.consume(arrow.finish());
          arrow.reset();
        }
      }
    }
    bh.consume(arrow.finish());
  }

  /** Rows first, then copied into the vectors (the loader's path from Spark rows). */
  @Benchmark
  public void fullDecodeToArrow(Blackhole bh) throws Exception {
    arrow.reset();
    try (StreamFramingSource s = source()) {
      while (s.next()) {
        InternalRow r = full.decode(s.buffer(), s.offset(), s.length());
        arrow.write(r);
        if (arrow.rows() == 4096) {
          bh.consume(arrow.finish());
          arrow.reset();
        }
      }
    }
    bh.consume(arrow.finish());
  }
}
