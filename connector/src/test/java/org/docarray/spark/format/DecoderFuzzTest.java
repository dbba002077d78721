package org.docarray.spark.format;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import org.apache.spark.sql.types.StructType;
import org.docarray.spark.read.DocDecoder;
import org.docarray.spark.schema.SchemaInferrer;

/**
 * Coverage-guided fuzzing of everything that reads untrusted bytes: the framings (protobuf stream,
 * protobuf-array, DocVec, json-array), the codecs, schema inference, the compiled decoder over
 * three schemas (nested documents, every tensor dtype, untyped JSON containers) and the JSON node
 * writer. The only acceptable failures are the connector's own "malformed input" errors; anything
 * else (NullPointerException, index errors, OutOfMemoryError, StackOverflowError, a hang) is a bug.
 *
 * <p>In a normal test run this replays the seed corpus and every past finding ({@code
 * src/test/resources/.../DecoderFuzzTestInputs/decoders}); {@code JAZZER_FUZZ=1} fuzzes.
 */
class DecoderFuzzTest {
  private static final Limits LIMITS = new Limits(1 << 20, 1 << 20, 32, 8 << 20);
  private static final StructType[] SCHEMAS = {
    StructType.fromDDL(
        "id STRING, thesis STRUCT<id: STRING, title: STRUCT<id: STRING, text: STRING, url: STRING, "
            + "embedding: STRUCT<shape: ARRAY<INT>, data: ARRAY<FLOAT>>, bytes_: BINARY>>, chunks ARRAY<STRUCT<text: STRING, "
            + "pos: INT>>, tags MAP<STRING, DOUBLE>, l ARRAY<INT>"),
    StructType.fromDDL(
        "f16 STRUCT<shape: ARRAY<INT>, data: ARRAY<FLOAT>>, i64 STRUCT<shape: ARRAY<INT>, data: ARRAY<BIGINT>>, "
            + "u64 STRUCT<shape: ARRAY<INT>, data: ARRAY<DECIMAL(20,0)>>, b STRUCT<shape: ARRAY<INT>, data: ARRAY<BOOLEAN>>, "
            + "raw STRUCT<dtype: STRING, shape: ARRAY<INT>, buffer: BINARY>, flat ARRAY<DOUBLE>"),
    new StructType()
        .add(
            "l",
            "string",
            true,
            new org.apache.spark.sql.types.MetadataBuilder()
                .putString("docarray.kind", "json")
                .build())
        .add("d", "map<string,string>")
        .add("n", "double")
        .add("s", "array<string>")
  };
  private static final DocDecoder[] DECODERS = new DocDecoder[SCHEMAS.length];

  /**
   * Schemas the columnar reader decodes straight into Arrow vectors: every document must give there
   * what the row decoder gives (then copied into vectors), or fail as it fails.
   */
  private static final StructType[] ARROW_SCHEMAS = {
    StructType.fromDDL(
        "id STRING, thesis STRUCT<id: STRING, title: STRUCT<id: STRING, text: STRING, url: STRING, "
            + "embedding: STRUCT<shape: ARRAY<INT>, data: ARRAY<FLOAT>>, bytes_: BINARY>>, chunks ARRAY<STRUCT<text: STRING, "
            + "pos: INT>>, l ARRAY<INT>"),
    StructType.fromDDL(
            "f16 STRUCT<shape: ARRAY<INT>, data: ARRAY<FLOAT>>, i64 STRUCT<shape: ARRAY<INT>, data: ARRAY<BIGINT>>, "
                + "b STRUCT<shape: ARRAY<INT>, data: ARRAY<BOOLEAN>>, raw STRUCT<dtype: STRING, shape: ARRAY<INT>, "
                + "buffer: BINARY>, flat ARRAY<DOUBLE>, n DOUBLE, s ARRAY<STRING>, k BOOLEAN, t TINYINT, "
                + "h SMALLINT")
        .add(
            "j",
            "string",
            true,
            new org.apache.spark.sql.types.MetadataBuilder()
                .putString("docarray.kind", "json")
                .build())
  };

  private static final DocDecoder[] ROW_DECODERS = new DocDecoder[ARROW_SCHEMAS.length];
  private static final DocDecoder[] ARROW_DECODERS = new DocDecoder[ARROW_SCHEMAS.length];
  private static final org.docarray.spark.read.ArrowBatchWriter[] STRAIGHT =
      new org.docarray.spark.read.ArrowBatchWriter[ARROW_SCHEMAS.length];
  private static final org.docarray.spark.read.ArrowBatchWriter[] THROUGH_ROWS =
      new org.docarray.spark.read.ArrowBatchWriter[ARROW_SCHEMAS.length];

  static {
    for (int i = 0; i < SCHEMAS.length; i++) DECODERS[i] = new DocDecoder(SCHEMAS[i], LIMITS);
    org.apache.arrow.memory.BufferAllocator alloc =
        org.apache.spark.sql.util.ArrowUtils.rootAllocator()
            .newChildAllocator("fuzz", 0, Long.MAX_VALUE);
    for (int i = 0; i < ARROW_SCHEMAS.length; i++) {
      ROW_DECODERS[i] = new DocDecoder(ARROW_SCHEMAS[i], LIMITS);
      ARROW_DECODERS[i] = new DocDecoder(ARROW_SCHEMAS[i], LIMITS);
      STRAIGHT[i] = new org.docarray.spark.read.ArrowBatchWriter(ARROW_SCHEMAS[i], alloc);
      THROUGH_ROWS[i] = new org.docarray.spark.read.ArrowBatchWriter(ARROW_SCHEMAS[i], alloc);
    }
  }

  /** Decodes one document both ways: the same failure, or the same values (compared at the end). */
  private static void bothWays(int i, byte[] buf, int off, int len) {
    org.apache.spark.sql.catalyst.InternalRow row = null;
    RuntimeException rowError = null, arrowError = null;
    try {
      row = ROW_DECODERS[i].decode(buf, off, len);
    } catch (MalformedDocumentException | IllegalArgumentException e) {
      rowError = e;
    }
    try {
      ARROW_DECODERS[i].decodeInto(STRAIGHT[i], buf, off, len);
    } catch (MalformedDocumentException | IllegalArgumentException e) {
      arrowError = e;
    }
    if ((rowError == null) != (arrowError == null)) {
      throw new AssertionError(
          "rows and Arrow disagree on a document: " + rowError + " / " + arrowError);
    }
    if (row != null) THROUGH_ROWS[i].write(row);
  }

  @FuzzTest(maxDuration = "60s")
  void decoders(byte[] input) throws IOException {
    if (input.length < 1) return;
    int mode = input[0] & 0xff;
    byte[] file = Arrays.copyOfRange(input, 1, input.length);
    DocumentSource src;
    try {
      src = open(mode, file);
    } catch (IOException e) {
      return; // refused at open (bad header, not the codec's stream): reported to the user with the
      // file name
    }
    SchemaInferrer inferrer = new SchemaInferrer(LIMITS);
    NodeJsonWriter json = new NodeJsonWriter(LIMITS);
    for (int i = 0; i < ARROW_SCHEMAS.length; i++) {
      STRAIGHT[i].reset();
      THROUGH_ROWS[i].reset();
    }
    try (DocumentSource s = src) {
      int docs = 0;
      while (docs++ < 64 && s.next()) {
        if (s.payloadError() != null) continue;
        decode(() -> inferrer.add(s.buffer(), s.offset(), s.length()));
        decode(() -> json.docToJson(s.buffer(), s.offset(), s.length()));
        for (DocDecoder d : DECODERS) decode(() -> d.decode(s.buffer(), s.offset(), s.length()));
        for (int i = 0; i < ARROW_SCHEMAS.length; i++)
          bothWays(i, s.buffer(), s.offset(), s.length());
      }
      for (int i = 0; i < ARROW_SCHEMAS.length; i++) {
        STRAIGHT[i].finish();
        THROUGH_ROWS[i].finish();
        String straight = STRAIGHT[i].root().contentToTSVString();
        String throughRows = THROUGH_ROWS[i].root().contentToTSVString();
        if (!straight.equals(throughRows)) {
          throw new AssertionError(
              "Arrow straight from the wire differs from rows copied into Arrow:\n"
                  + straight
                  + "\n---\n"
                  + throughRows);
        }
      }
      decode(
          () ->
              new org.docarray.spark.schema.SparkSchemaMapper(mode % 2 == 0)
                  .toSpark(inferrer.result()));
    } catch (DocArrayFormatException e) {
      // malformed framing, reported with file and offset: expected
    } catch (java.io.EOFException | java.util.zip.ZipException e) {
      // a truncated or corrupt codec stream: expected
    } catch (MalformedDocumentException e) {
      // a DocVec whose columns do not fit together: expected
    } catch (IOException e) {
      // corrupt codec streams surface as IOExceptions of the codec library; the reader wraps them
      // with the file name
      if (!codecError(e)) throw e;
    }
  }

  private static boolean codecError(IOException e) {
    String c = e.getClass().getName();
    return c.startsWith("org.apache.commons.compress")
        || c.startsWith("org.tukaani")
        || c.startsWith("java.util.zip")
        || c.equals("java.io.IOException");
  }

  private static void decode(Runnable r) {
    try {
      r.run();
    } catch (MalformedDocumentException e) {
      // malformed document: expected
    } catch (IllegalArgumentException e) {
      // an inferred schema that cannot be typed (e.g. a complex dtype): reported to the user as
      // such
      if (e.getMessage() == null || !e.getMessage().contains("tensorMode=binary")) throw e;
    }
  }

  private static DocumentSource open(int mode, byte[] file) throws IOException {
    ByteArrayInputStream in = new ByteArrayInputStream(file);
    switch (mode % 8) {
      case 0:
        return new StreamFramingSource(in, "fuzz.protobuf", file.length, Codec.NONE, LIMITS);
      case 1:
        return new StreamFramingSource(in, "fuzz.protobuf.lz4", file.length, Codec.LZ4, LIMITS);
      case 2:
        return new StreamFramingSource(in, "fuzz.protobuf.gzip", file.length, Codec.GZIP, LIMITS);
      case 3:
        return new ArrayFramingSource(in, "fuzz.protobuf-array", LIMITS);
      case 4:
        return new DocVecSource(in, "fuzz.protobuf-array", LIMITS);
      case 5:
        return new JsonArraySource(in, "fuzz.json-array", LIMITS, JsonHints.NONE);
      case 6:
        return new StreamFramingSource(in, "fuzz.protobuf.zlib", file.length, Codec.ZLIB, LIMITS);
      default:
        return new ArrayFramingSource(
            new java.io.BufferedInputStream(Codec.LZ4.decompress(in)), "fuzz.lz4", LIMITS);
    }
  }
}
