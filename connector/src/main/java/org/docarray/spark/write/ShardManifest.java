package org.docarray.spark.write;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;

/**
 * What a sharded write produced, for the loaders that consume it: the shard files (relative to the
 * manifest's directory), their document counts and sizes, the protocol and codec DocArray loads
 * them with, and the Spark schema. Stored as {@code _docarray_manifest.json} next to the shards
 * (names starting with {@code _} are skipped by readers, Spark's and this connector's).
 *
 * <pre>{@code
 * {"format": "docarray-shards", "version": 1, "protocol": "protobuf", "compression": "lz4",
 *  "num_documents": 12, "num_shards": 3,
 *  "shards": [{"path": "part-00000-....protobuf.lz4", "num_documents": 4, "bytes": 1890}, ...],
 *  "spark_schema": {...}}
 * }</pre>
 *
 * A training job gives shard {@code i} to rank {@code i % world_size} (see
 * python/train_from_shards.py).
 */
public final class ShardManifest implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String FILE_NAME = "_docarray_manifest.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One shard file. */
  public static final class Shard implements Serializable {
    private static final long serialVersionUID = 1L;
    public final String path;
    public final long numDocuments;
    public final long bytes;

    /**
     * Document-aligned cut points {offset, index of the document starting there}, about every 1 MB,
     * recorded by the writer: a reader cuts the file at these instead of walking it. Empty for
     * files that cannot be cut.
     */
    public final long[][] splitPoints;

    public Shard(String path, long numDocuments, long bytes) {
      this(path, numDocuments, bytes, new long[0][]);
    }

    public Shard(String path, long numDocuments, long bytes, long[][] splitPoints) {
      this.path = path;
      this.numDocuments = numDocuments;
      this.bytes = bytes;
      this.splitPoints = splitPoints;
    }

    @Override
    public String toString() {
      return path + " (" + numDocuments + " documents, " + bytes + " bytes)";
    }
  }

  public final String protocol;
  public final String compression;

  /**
   * {@code doclist} (each shard a DocList) or {@code docvec} (each shard one DocVecProto,
   * columnar).
   */
  public final String container;

  public final List<Shard> shards;
  public final StructType sparkSchema;

  public ShardManifest(
      String protocol, String compression, List<Shard> shards, StructType sparkSchema) {
    this(protocol, compression, "doclist", shards, sparkSchema);
  }

  public ShardManifest(
      String protocol,
      String compression,
      String container,
      List<Shard> shards,
      StructType sparkSchema) {
    this.protocol = protocol;
    this.compression = compression;
    this.container = container;
    this.shards = Collections.unmodifiableList(new ArrayList<>(shards));
    this.sparkSchema = sparkSchema;
  }

  public long numDocuments() {
    return shards.stream().mapToLong(s -> s.numDocuments).sum();
  }

  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", "docarray-shards");
    root.put("version", 1);
    root.put("protocol", protocol);
    root.put("compression", compression);
    root.put("container", container);
    root.put("num_documents", numDocuments());
    root.put("num_shards", shards.size());
    ArrayNode a = root.putArray("shards");
    for (Shard s : shards) {
      ObjectNode o =
          a.addObject()
              .put("path", s.path)
              .put("num_documents", s.numDocuments)
              .put("bytes", s.bytes);
      if (s.splitPoints.length > 0) {
        ArrayNode points = o.putArray("split_points");
        for (long[] p : s.splitPoints) points.addArray().add(p[0]).add(p[1]);
      }
    }
    try {
      root.set("spark_schema", JSON.readTree(sparkSchema.json()));
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public static ShardManifest fromJson(String json) throws IOException {
    JsonNode root = JSON.readTree(json);
    if (!"docarray-shards".equals(root.path("format").asText())) {
      throw new IOException("not a docarray shard manifest (no \"format\": \"docarray-shards\")");
    }
    List<Shard> shards = new ArrayList<>();
    for (JsonNode s : root.get("shards")) {
      JsonNode points = s.path("split_points");
      long[][] cuts = new long[points.size()][];
      for (int i = 0; i < cuts.length; i++) {
        cuts[i] = new long[] {points.get(i).get(0).asLong(), points.get(i).get(1).asLong()};
      }
      shards.add(
          new Shard(
              s.get("path").asText(),
              s.get("num_documents").asLong(),
              s.get("bytes").asLong(),
              cuts));
    }
    return new ShardManifest(
        root.get("protocol").asText(),
        root.get("compression").asText(),
        root.path("container").asText("doclist"),
        shards,
        (StructType) DataType.fromJson(root.get("spark_schema").toString()));
  }

  /** Writes the manifest into {@code dir}. */
  public void save(Path dir, Configuration conf) throws IOException {
    FileSystem fs = dir.getFileSystem(conf);
    try (OutputStream out = fs.create(new Path(dir, FILE_NAME), true)) {
      out.write(toJson().getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Reads the manifest of a shard directory. */
  public static ShardManifest load(Path dir, Configuration conf) throws IOException {
    FileSystem fs = dir.getFileSystem(conf);
    try (InputStream in = fs.open(new Path(dir, FILE_NAME))) {
      return fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }
}
