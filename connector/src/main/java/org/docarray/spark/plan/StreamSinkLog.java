package org.docarray.spark.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The files a Structured Streaming file sink committed under a directory, read from its {@code
 * _spark_metadata} log as Spark's own file sources read a sink's output: a file written by a batch
 * that never committed (a query stopped or killed mid-batch, then re-run) is not in the log and
 * must not be read. The log's format is Spark's (one file per batch, {@code <id>} or {@code
 * <id>.compact}, a {@code v1} line, then one JSON entry per file with {@code path}, {@code size},
 * {@code modificationTime}, {@code action} add or delete); it is read here rather than through
 * Spark's classes, which moved between Spark versions.
 */
final class StreamSinkLog {
  static final String METADATA_DIR = "_spark_metadata";
  private static final ObjectMapper JSON = new ObjectMapper();

  private StreamSinkLog() {}

  /** The committed files, or null when {@code dir} is not the output of a streaming file sink. */
  static List<FileStatus> committedFiles(Path dir, Configuration conf) throws IOException {
    FileSystem fs = dir.getFileSystem(conf);
    Path log = new Path(dir, METADATA_DIR);
    FileStatus[] batches;
    try {
      if (!fs.getFileStatus(log).isDirectory()) return null;
      batches = fs.listStatus(log);
    } catch (FileNotFoundException e) {
      return null;
    }
    // the latest compacted batch holds every entry up to it; later batches follow in order
    TreeMap<Long, Path> plain = new TreeMap<>();
    long compactId = -1;
    Path compact = null;
    for (FileStatus b : batches) {
      String name = b.getPath().getName();
      if (name.startsWith(".")) continue; // a batch being written
      boolean isCompact = name.endsWith(".compact");
      String id = isCompact ? name.substring(0, name.length() - ".compact".length()) : name;
      long n;
      try {
        n = Long.parseLong(id);
      } catch (NumberFormatException e) {
        continue;
      }
      if (isCompact) {
        if (n > compactId) {
          compactId = n;
          compact = b.getPath();
        }
      } else {
        plain.put(n, b.getPath());
      }
    }
    Map<String, FileStatus> files = new LinkedHashMap<>();
    Set<String> deleted = new HashSet<>();
    if (compact != null) read(fs, compact, files, deleted);
    for (Map.Entry<Long, Path> e : plain.tailMap(compactId, false).entrySet()) {
      read(fs, e.getValue(), files, deleted);
    }
    List<FileStatus> out = new ArrayList<>();
    for (Map.Entry<String, FileStatus> e : files.entrySet()) {
      if (!deleted.contains(e.getKey())) out.add(e.getValue());
    }
    return out;
  }

  private static void read(
      FileSystem fs, Path batch, Map<String, FileStatus> files, Set<String> deleted)
      throws IOException {
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(fs.open(batch), StandardCharsets.UTF_8))) {
      String version = in.readLine();
      if (version == null || !version.startsWith("v")) {
        throw new IOException("Not a streaming sink log file (no version line): " + batch);
      }
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isBlank()) continue;
        JsonNode e = JSON.readTree(line);
        String path = e.get("path").asText();
        if ("delete".equals(e.path("action").asText("add"))) {
          deleted.add(path);
        } else if (!e.path("isDir").asBoolean(false)) {
          files.put(
              path,
              new FileStatus(
                  e.path("size").asLong(),
                  false,
                  e.path("blockReplication").asInt(1),
                  e.path("blockSize").asLong(),
                  e.path("modificationTime").asLong(),
                  new Path(URI.create(path))));
        }
      }
    }
  }
}
