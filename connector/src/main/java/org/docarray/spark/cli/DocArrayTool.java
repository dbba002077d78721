package org.docarray.spark.cli;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import org.docarray.spark.format.Codec;
import org.docarray.spark.format.DocumentSource;
import org.docarray.spark.format.FileFormatDetector;
import org.docarray.spark.format.JsonHints;
import org.docarray.spark.format.Limits;
import org.docarray.spark.format.MalformedDocumentException;
import org.docarray.spark.format.NodeJsonWriter;
import org.docarray.spark.format.StreamFramingSource;
import org.docarray.spark.schema.InferredType;
import org.docarray.spark.schema.SchemaInferrer;

/**
 * A command-line tool over DocArray files, like avro-tools or parquet-cli, runnable from the
 * connector jar without Spark: {@code java -jar docarray-spark-<line>.jar <command> <file|dir>...}
 * ({@code --help} lists the commands).
 *
 * <pre>
 *   schema FILE      the union of the documents' fields and node kinds
 *   count FILE       number of documents (the header count for 'protobuf' files)
 *   head [-n N] FILE the first N documents (default 5) as node-form JSON, one per line
 *   tojson FILE      every document as node-form JSON, one per line
 *   validate FILE    reads every document strictly; exit 1 with file, document and offset on the first problem
 * </pre>
 *
 * Protocol and compression come from the file name as DocArray decides them; override with {@code
 * --protocol} and {@code --compression}.
 */
public final class DocArrayTool {
  private DocArrayTool() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static final String USAGE =
      String.join(
          "\n",
          "usage: docarray-tool COMMAND [-n N] [--protocol P] [--compression C] FILE|DIR ...",
          "",
          "Reads DocArray files (DocList or DocVec; protobuf, protobuf-array or json-array; any DocArray codec)",
          "without Spark. Directories are read recursively (hidden and _-prefixed files skipped), in name order.",
          "",
          "commands:",
          "  schema     the union of the documents' fields and node kinds, over all files",
          "  count      number of documents, summed over all files (header counts for 'protobuf' files)",
          "  head       the first N documents (-n, default 5) as node-form JSON, one per line",
          "  tojson     every document as node-form JSON, one per line",
          "  validate   reads every document of every file strictly: OK or INVALID (file, document, offset) per file;",
          "             exit 1 if any file is invalid",
          "",
          "options:",
          "  -n N               documents for head",
          "  --protocol P       protobuf, protobuf-array or json-array (default: from each file's name)",
          "  --compression C    none, lz4, bz2, lzma, zlib or gzip (default: from each file's name)",
          "  -h, --help         this help",
          "",
          "exit status: 0 done, 1 a file is unreadable or invalid, 2 bad arguments");

  private static final java.util.Set<String> COMMANDS =
      new java.util.HashSet<>(
          java.util.Arrays.asList("schema", "count", "head", "tojson", "validate"));

  /** Bad command-line arguments: one line on stderr, exit 2. */
  private static final class Usage extends Exception {
    private static final long serialVersionUID = 1L;

    Usage(String message) {
      super(message);
    }
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    String command = null;
    java.util.List<String> inputs = new java.util.ArrayList<>();
    org.docarray.spark.format.Protocol protocol = null;
    Codec compression = null;
    long n = 5;
    try {
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("-h") || a.equals("--help")) {
          out.println(USAGE);
          return 0;
        } else if (a.equals("-n") || a.equals("--protocol") || a.equals("--compression")) {
          if (i + 1 >= args.length) throw new Usage(a + " needs a value");
          String v = args[++i];
          try {
            if (a.equals("-n")) {
              n = Long.parseLong(v);
              if (n < 0) throw new NumberFormatException();
            } else if (a.equals("--protocol")) {
              protocol = org.docarray.spark.format.Protocol.parse(v);
            } else {
              compression = Codec.parse(v);
            }
          } catch (NumberFormatException e) {
            throw new Usage("-n needs a number of documents, not '" + v + "'");
          } catch (IllegalArgumentException e) {
            throw new Usage(e.getMessage());
          }
        } else if (a.startsWith("-") && a.length() > 1) {
          throw new Usage("unknown option '" + a + "'");
        } else if (command == null) {
          if (!COMMANDS.contains(a))
            throw new Usage("unknown command '" + a + "' (schema, count, head, tojson, validate)");
          command = a;
        } else {
          inputs.add(a);
        }
      }
      if (command == null) throw new Usage("no command");
      if (inputs.isEmpty()) throw new Usage("no file given");
    } catch (Usage e) {
      err.println("docarray-tool: " + e.getMessage() + " (docarray-tool --help)");
      return 2;
    }
    java.util.List<Path> files = new java.util.ArrayList<>();
    for (String input : inputs) {
      try {
        files.addAll(expand(Paths.get(input)));
      } catch (IOException e) {
        err.println(
            "INVALID "
                + input
                + ": "
                + (e instanceof java.nio.file.NoSuchFileException
                    ? "no such file or directory"
                    : e.getMessage()));
        return 1;
      }
    }
    Limits limits = Limits.defaults();
    SchemaInferrer inferrer = new SchemaInferrer(limits);
    NodeJsonWriter json = new NodeJsonWriter(limits);
    long total = 0;
    int invalid = 0;
    for (Path path : files) {
      FileFormatDetector.Detected d =
          FileFormatDetector.detect(path.getFileName().toString(), protocol, compression);
      String file = path.toString();
      try (DocumentSource src = open(path, d, limits)) {
        switch (command) {
          case "count":
            if (src instanceof StreamFramingSource) {
              total += src.declaredCount();
            } else {
              while (src.next()) total++;
            }
            break;
          case "schema":
            while (src.next()) {
              if (src.payloadError() == null)
                inferrer.add(src.buffer(), src.offset(), src.length());
            }
            break;
          case "head":
          case "tojson":
            while ((command.equals("tojson") || total < n) && src.next()) {
              if (src.payloadError() != null)
                throw new MalformedDocumentException(src.payloadError(), -1);
              out.println(json.docToJson(src.buffer(), src.offset(), src.length()));
              total++;
            }
            break;
          default:
            { // validate
              long c = 0;
              boolean ok = true;
              while (src.next()) {
                try {
                  if (src.payloadError() != null)
                    throw new MalformedDocumentException(src.payloadError(), -1);
                  inferrer.add(src.buffer(), src.offset(), src.length());
                  json.docToJson(src.buffer(), src.offset(), src.length());
                } catch (MalformedDocumentException e) {
                  err.println(
                      "INVALID "
                          + file
                          + ", document "
                          + src.documentIndex()
                          + ", byte offset "
                          + src.documentPosition()
                          + ": "
                          + e.getMessage());
                  ok = false;
                  break;
                }
                c++;
              }
              if (ok) out.println("OK " + file + ": " + c + " documents, " + d);
              else invalid++;
            }
        }
      } catch (IOException | RuntimeException e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        err.println("INVALID " + (m.contains(file) ? m : file + ": " + m));
        if (!command.equals("validate")) return 1;
        invalid++;
      }
      if (command.equals("head") && total >= n) break;
    }
    if (command.equals("count")) out.println(total);
    if (command.equals("schema")) print(out, inferrer.result(), "", "");
    return invalid > 0 ? 1 : 0;
  }

  /** A file, or a directory's files (recursively, hidden and _-prefixed skipped, in name order). */
  private static java.util.List<Path> expand(Path p) throws IOException {
    if (!Files.exists(p)) throw new java.nio.file.NoSuchFileException(p.toString());
    if (!Files.isDirectory(p)) return java.util.Collections.singletonList(p);
    try (java.util.stream.Stream<Path> walk = Files.walk(p)) {
      java.util.List<Path> out = new java.util.ArrayList<>();
      walk.filter(Files::isRegularFile)
          .filter(
              f -> {
                for (Path part : p.relativize(f)) {
                  String name = part.toString();
                  if (name.startsWith(".") || (name.startsWith("_") && !name.contains("=")))
                    return false;
                }
                return true;
              })
          .sorted()
          .forEach(out::add);
      return out;
    }
  }

  static DocumentSource open(Path path, FileFormatDetector.Detected d, Limits limits)
      throws IOException {
    if (d.protocol.isPickle()) {
      throw new IOException(
          path + " is a Python pickle: never read (re-save it with protocol='protobuf')");
    }
    InputStream raw = new BufferedInputStream(Files.newInputStream(path), 1 << 16);
    try {
      return org.docarray.spark.format.DocumentSources.open(
          raw, path.toString(), Files.size(path), d, limits, null, JsonHints.NONE);
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw e;
    }
  }

  private static void print(PrintStream out, InferredType t, String name, String indent) {
    String kind = t.kind.name().toLowerCase(java.util.Locale.ROOT);
    StringBuilder line = new StringBuilder(indent);
    if (!name.isEmpty()) line.append(name).append(": ");
    switch (t.kind) {
      case TENSOR:
        line.append("tensor ").append(t.dtypes);
        break;
      case LIST:
        line.append(t.container == null ? "list" : t.container);
        break;
      default:
        line.append(kind);
    }
    if (t.tag != null) line.append(" (").append(t.tag).append(")");
    if (!name.isEmpty() || t.kind != InferredType.Kind.DOC) out.println(line);
    if (t.fields != null) {
      for (Map.Entry<String, InferredType> e : t.fields.entrySet()) {
        print(out, e.getValue(), e.getKey(), name.isEmpty() ? indent : indent + "  ");
      }
    }
    if (t.element != null) print(out, t.element, "[element]", indent + "  ");
  }
}
