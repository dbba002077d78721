package org.docarray.spark.cli;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import org.docarray.spark.format.ArrayFramingSource;
import org.docarray.spark.format.Codec;
import org.docarray.spark.format.ContainerSniffer;
import org.docarray.spark.format.DocVecSource;
import org.docarray.spark.format.DocumentSource;
import org.docarray.spark.format.FileFormatDetector;
import org.docarray.spark.format.JsonArraySource;
import org.docarray.spark.format.JsonHints;
import org.docarray.spark.format.Limits;
import org.docarray.spark.format.MalformedDocumentException;
import org.docarray.spark.format.NodeJsonWriter;
import org.docarray.spark.format.StreamFramingSource;
import org.docarray.spark.schema.InferredType;
import org.docarray.spark.schema.SchemaInferrer;

/**
 * A command-line tool over one DocArray file, like avro-tools or parquet-cli, runnable from the
 * connector jar without Spark: {@code java -jar docarray-spark-<line>.jar <command> <file>}.
 *
 * <pre>
 *   schema FILE      the union of the documents' fields and node kinds
 *   count FILE       number of documents (the header count for 'protobuf' files)
 *   head [-n N] FILE the first N documents (default 5) as node-form JSON, one per line
 *   tojson FILE      every document as node-form JSON, one per line
 *   validate FILE    reads every document strictly; exit 1 with file, document and offset on the first problem
 * </pre>
 * Protocol and compression come from the file name as DocArray decides them; override with
 * {@code --protocol} and {@code --compression}.
 */
public final class DocArrayTool {
  private DocArrayTool() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    String command = null;
    String file = null;
    String protocol = null;
    String compression = null;
    long n = 5;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "-n": n = Long.parseLong(args[++i]); break;
        case "--protocol": protocol = args[++i]; break;
        case "--compression": compression = args[++i]; break;
        default:
          if (command == null) command = args[i];
          else file = args[i];
      }
    }
    if (command == null || file == null) {
      err.println("usage: docarray-tool schema|count|head [-n N]|tojson|validate [--protocol P] [--compression C] FILE");
      return 2;
    }
    Limits limits = Limits.defaults();
    Path path = Paths.get(file);
    FileFormatDetector.Detected d = FileFormatDetector.detect(path.getFileName().toString(),
        protocol == null ? null : org.docarray.spark.format.Protocol.parse(protocol),
        compression == null ? null : Codec.parse(compression));
    try (DocumentSource src = open(path, d, limits)) {
      switch (command) {
        case "count": {
          if (src instanceof StreamFramingSource) {
            out.println(src.declaredCount());
          } else {
            long c = 0;
            while (src.next()) c++;
            out.println(c);
          }
          return 0;
        }
        case "schema": {
          SchemaInferrer inferrer = new SchemaInferrer(limits);
          while (src.next()) {
            if (src.payloadError() == null) inferrer.add(src.buffer(), src.offset(), src.length());
          }
          print(out, inferrer.result(), "", "");
          return 0;
        }
        case "head":
        case "tojson": {
          NodeJsonWriter json = new NodeJsonWriter(limits);
          long c = 0;
          while ((command.equals("tojson") || c < n) && src.next()) {
            if (src.payloadError() != null) throw new MalformedDocumentException(src.payloadError(), -1);
            out.println(json.docToJson(src.buffer(), src.offset(), src.length()));
            c++;
          }
          return 0;
        }
        case "validate": {
          SchemaInferrer inferrer = new SchemaInferrer(limits);
          NodeJsonWriter json = new NodeJsonWriter(limits);
          long c = 0;
          while (src.next()) {
            try {
              if (src.payloadError() != null) throw new MalformedDocumentException(src.payloadError(), -1);
              inferrer.add(src.buffer(), src.offset(), src.length());
              json.docToJson(src.buffer(), src.offset(), src.length());
            } catch (MalformedDocumentException e) {
              err.println("INVALID " + file + ", document " + src.documentIndex() + ", byte offset "
                  + src.documentPosition() + ": " + e.getMessage());
              return 1;
            }
            c++;
          }
          out.println("OK " + file + ": " + c + " documents, " + d);
          return 0;
        }
        default:
          err.println("unknown command '" + command + "'");
          return 2;
      }
    } catch (IOException | RuntimeException e) {
      err.println("INVALID " + e.getMessage());
      return 1;
    }
  }

  static DocumentSource open(Path path, FileFormatDetector.Detected d, Limits limits) throws IOException {
    if (d.protocol.isPickle()) {
      throw new IOException(path + " is a Python pickle: never read (re-save it with protocol='protobuf')");
    }
    InputStream raw = new BufferedInputStream(Files.newInputStream(path), 1 << 16);
    long length = Files.size(path);
    switch (d.protocol) {
      case PROTOBUF:
        return new StreamFramingSource(raw, path.toString(), length, d.codec, limits);
      case PROTOBUF_ARRAY: {
        Codec c = d.codec == Codec.ZLIB ? Codec.NONE : d.codec;
        InputStream in = new BufferedInputStream(c.decompress(raw), 1 << 16);
        return ContainerSniffer.isDocVec(in) ? new DocVecSource(in, path.toString(), limits)
            : new ArrayFramingSource(in, path.toString(), limits);
      }
      case JSON_ARRAY: {
        Codec c = d.codec == Codec.ZLIB ? Codec.NONE : d.codec;
        return new JsonArraySource(new BufferedInputStream(c.decompress(raw)), path.toString(), limits, JsonHints.NONE);
      }
      default:
        throw new IOException("protocol " + d.protocol.wireName() + " is not a DocList file format");
    }
  }

  private static void print(PrintStream out, InferredType t, String name, String indent) {
    String kind = t.kind.name().toLowerCase(java.util.Locale.ROOT);
    StringBuilder line = new StringBuilder(indent);
    if (!name.isEmpty()) line.append(name).append(": ");
    switch (t.kind) {
      case TENSOR: line.append("tensor ").append(t.dtypes); break;
      case LIST: line.append(t.container == null ? "list" : t.container); break;
      default: line.append(kind);
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
