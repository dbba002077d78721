package org.docarray.spark.functions;

import java.io.Serializable;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.CatalystTypeConverters;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.docarray.spark.format.Limits;
import org.docarray.spark.read.DocDecoder;
import org.docarray.spark.schema.SchemaInferrer;
import org.docarray.spark.schema.SparkSchemaMapper;

/**
 * Single {@code DocProto} messages in a binary column, as {@code from_avro} treats Avro records:
 * what Python's {@code doc.to_protobuf().SerializeToString()} gives, what a Kafka topic of
 * documents holds. {@code docarray_schema_of(array<binary>)} infers the schema a read of a file
 * holding these documents would infer (the same inference, typed tensors); {@code
 * docarray_from_protobuf(binary, schema)} decodes each message into that schema with the reader's
 * decoder. Together they turn in-memory documents into exactly the DataFrame a file of them reads
 * as, from any client (Spark Connect included).
 */
public final class DocProtoFunctions {
  private DocProtoFunctions() {}

  /**
   * The schema (JSON) inferred from these DocProto messages, as a read infers it from a file of
   * them.
   */
  public static String schemaOf(scala.collection.Seq<byte[]> messages) {
    if (messages == null) return null;
    SchemaInferrer inferrer = new SchemaInferrer(Limits.defaults());
    for (int i = 0; i < messages.length(); i++) {
      byte[] m = messages.apply(i);
      if (m == null) continue;
      try {
        inferrer.add(m, 0, m.length);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "docarray_schema_of: message " + i + " is not a DocProto: " + e.getMessage(), e);
      }
    }
    return new SparkSchemaMapper(false).toSpark(inferrer.result()).json();
  }

  /**
   * Decodes messages into one schema; one per task (not thread-safe, like the reader's decoder).
   */
  public static final class Decoder implements Serializable {
    private static final long serialVersionUID = 1L;
    private final StructType schema;
    private transient DocDecoder decoder;
    private transient scala.Function1<Object, Object> toRow;

    public Decoder(String schemaJson) {
      DataType t;
      try {
        t = DataType.fromJson(schemaJson);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "docarray_from_protobuf: the schema is not a Spark schema in JSON: " + e.getMessage(),
            e);
      }
      if (!(t instanceof StructType)) {
        throw new IllegalArgumentException(
            "docarray_from_protobuf: the schema must be a struct, not " + t.simpleString());
      }
      this.schema = (StructType) t;
      new DocDecoder(schema, Limits.defaults()); // unreadable schemas fail here, on the driver
    }

    public StructType schema() {
      return schema;
    }

    public Row decode(byte[] message) {
      if (message == null) return null;
      if (decoder == null) {
        decoder = new DocDecoder(schema, Limits.defaults());
        toRow = CatalystTypeConverters.createToScalaConverter(schema);
      }
      InternalRow row;
      try {
        row = decoder.decode(message, 0, message.length);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "docarray_from_protobuf: a message of "
                + message.length
                + " bytes is not a DocProto of this schema: "
                + e.getMessage(),
            e);
      }
      return (Row) toRow.apply(row);
    }
  }
}
