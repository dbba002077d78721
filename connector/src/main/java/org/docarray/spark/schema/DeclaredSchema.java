package org.docarray.spark.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A schema the user already has, as DocArray knows it, turned into the Spark schema (option {@code
 * docarraySchema}, a path or inline JSON): either the language-neutral class spec of the fixtures
 * ({@code {"root": ..., "classes": {...}}}, also a whole sidecar) or the JSON schema that {@code
 * Doc.schema()} prints under pydantic v1 ({@code definitions}) or v2 ({@code $defs}).
 *
 * <p>What neither form says (tensor dtypes, the element class of a v1 DocList, the element types of
 * untyped containers) is left open here and filled in from the data by {@link SchemaRefiner}; with
 * no data, tensors are float32 and untyped containers JSON.
 */
public final class DeclaredSchema {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Metadata marking a position the declaration leaves open (refined from the data). */
  public static final String OPEN = "docarray.open";

  private DeclaredSchema() {}

  /** Parses inline JSON or the text of a file; picks the form by its keys. */
  public static StructType parse(String json) {
    JsonNode n;
    try {
      n = JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("docarraySchema is not JSON: " + e.getMessage());
    }
    if (n.has("class_spec")) n = n.get("class_spec");
    if (n.has("classes") && n.has("root")) return new ClassSpec(n).root();
    if (n.has("properties")) return new JsonSchema(n).root();
    throw new IllegalArgumentException(
        "docarraySchema must be a DocArray class spec ({\"root\", \"classes\"}) or the "
            + "JSON schema of Doc.schema() (with \"properties\")");
  }

  static StructField field(
      String name, DataType t, String kind, String tag, String dtype, String shape, boolean open) {
    org.apache.spark.sql.types.MetadataBuilder b = new org.apache.spark.sql.types.MetadataBuilder();
    Metadata base = DocArrayMetadata.build(kind, tag, dtype, shape);
    b.withMetadata(base);
    if (open) b.putBoolean(OPEN, true);
    return DataTypes.createStructField(name, t, true, b.build());
  }

  static StructField idField() {
    return field("id", DataTypes.StringType, "text", "id", null, null, false);
  }

  // ------------------------------------------------------------------ class spec

  /** The fixtures' class spec, with DocArray's built-in documents known by name. */
  static final class ClassSpec {
    private final Map<String, JsonNode> classes = new HashMap<>();
    private final String root;
    private final List<String> stack = new ArrayList<>();

    ClassSpec(JsonNode spec) {
      this.root = spec.get("root").asText();
      for (Iterator<Map.Entry<String, JsonNode>> it = spec.get("classes").fields();
          it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        classes.put(e.getKey(), e.getValue());
      }
    }

    StructType root() {
      if (root.equals("AnyDoc")) return new StructType(new StructField[] {idField()});
      return doc(root);
    }

    private StructType doc(String cls) {
      if (stack.contains(cls))
        throw new IllegalArgumentException("class " + cls + " contains itself: " + stack);
      stack.add(cls);
      try {
        Map<String, String> fields = new LinkedHashMap<>();
        JsonNode spec = classes.get(cls);
        if (spec != null) {
          if (spec.has("base")) fields.putAll(builtin(spec.get("base").asText()));
          for (Iterator<Map.Entry<String, JsonNode>> it = spec.get("fields").fields();
              it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            fields.put(e.getKey(), e.getValue().get("type").asText());
          }
        } else {
          Map<String, String> b = builtin(cls);
          if (b == null)
            throw new IllegalArgumentException(
                "docarraySchema names an unknown class '" + cls + "'");
          fields.putAll(b);
        }
        List<StructField> out = new ArrayList<>();
        out.add(idField());
        for (Map.Entry<String, String> e : fields.entrySet()) {
          if (e.getKey().equals("id")) continue;
          out.add(type(e.getKey(), e.getValue().trim()));
        }
        return new StructType(out.toArray(new StructField[0]));
      } finally {
        stack.remove(stack.size() - 1);
      }
    }

    /** One field from its Python type text. */
    private StructField type(String name, String t) {
      if (t.startsWith("Optional[") && t.endsWith("]")) return type(name, inner(t));
      if (t.startsWith("Union[") || t.equals("Any"))
        return field(name, DataTypes.StringType, "json", null, null, null, true);
      String base = t.contains("[") ? t.substring(0, t.indexOf('[')) : t;
      switch (base) {
        case "str":
          return field(name, DataTypes.StringType, "text", null, null, null, false);
        case "int":
          return field(name, DataTypes.IntegerType, "integer", null, null, null, false);
        case "float":
          return field(name, DataTypes.DoubleType, "float", null, null, null, false);
        case "bool":
          return field(name, DataTypes.BooleanType, "boolean", null, null, null, false);
        case "bytes":
          return field(name, DataTypes.BinaryType, "blob", null, null, null, false);
        case "ID":
          return field(name, DataTypes.StringType, "text", "id", null, null, false);
        case "list":
        case "tuple":
        case "set":
        case "dict":
          return field(name, DataTypes.StringType, "json", null, null, null, true);
        case "List":
        case "Set":
        case "Tuple":
          {
            String kind = base.toLowerCase(Locale.ROOT);
            List<String> args = args(inner(t));
            boolean homogeneous =
                args.size() == 1 || (args.size() == 2 && args.get(1).equals("..."));
            if (!homogeneous)
              return field(name, DataTypes.StringType, "json", null, null, null, false);
            StructField e = type(name, args.get(0));
            return field(
                name,
                DataTypes.createArrayType(e.dataType(), true),
                kind,
                null,
                null,
                null,
                e.metadata().contains(OPEN));
          }
        case "Dict":
          {
            List<String> args = args(inner(t));
            StructField v = type(name, args.get(1));
            return field(
                name,
                DataTypes.createMapType(DataTypes.StringType, v.dataType(), true),
                "dict",
                null,
                null,
                null,
                v.metadata().contains(OPEN));
          }
        case "DocList":
          return field(
              name,
              DataTypes.createArrayType(doc(inner(t)), false),
              "doc_array",
              null,
              null,
              null,
              false);
        default:
          break;
      }
      String url = urlTag(base);
      if (url != null) return field(name, DataTypes.StringType, "text", url, null, null, false);
      String bytes = bytesTag(base);
      if (bytes != null) return field(name, DataTypes.BinaryType, "blob", bytes, null, null, false);
      String tensor = tensorTag(base);
      if (tensor != null) {
        String shape = t.contains("[") ? "[" + inner(t).replace(" ", "") + "]" : null;
        return field(
            name,
            TensorTypes.typed(DataTypes.FloatType),
            DocArrayMetadata.KIND_TENSOR,
            tensor.isEmpty() ? null : tensor,
            null,
            shape,
            true);
      }
      return field(name, doc(base), "doc", null, null, null, false);
    }
  }

  static String inner(String t) {
    return t.substring(t.indexOf('[') + 1, t.lastIndexOf(']')).trim();
  }

  /** Top-level comma-separated type arguments. */
  static List<String> args(String s) {
    List<String> out = new ArrayList<>();
    int depth = 0, start = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '[') depth++;
      else if (c == ']') depth--;
      else if (c == ',' && depth == 0) {
        out.add(s.substring(start, i).trim());
        start = i + 1;
      }
    }
    out.add(s.substring(start).trim());
    return out;
  }

  static String urlTag(String t) {
    switch (t) {
      case "AnyUrl":
        return "any_url";
      case "ImageUrl":
        return "image_url";
      case "AudioUrl":
        return "audio_url";
      case "VideoUrl":
        return "video_url";
      case "TextUrl":
        return "text_url";
      case "Mesh3DUrl":
        return "mesh_url";
      case "PointCloud3DUrl":
        return "point_cloud_url";
      case "Url3D":
        return "url3d";
      default:
        return null;
    }
  }

  static String bytesTag(String t) {
    switch (t) {
      case "ImageBytes":
        return "image_bytes";
      case "AudioBytes":
        return "audio_bytes";
      case "VideoBytes":
        return "video_bytes";
      default:
        return null;
    }
  }

  /**
   * The tag of a tensor class; "" for unions whose tag the runtime value decides; null if not a
   * tensor.
   */
  static String tensorTag(String t) {
    switch (t) {
      case "NdArray":
        return "ndarray";
      case "ImageNdArray":
        return "image_ndarray";
      case "AudioNdArray":
        return "audio_ndarray";
      case "VideoNdArray":
        return "video_ndarray";
      case "NdArrayEmbedding":
        return "ndarray_embedding";
      case "TorchTensor":
        return "torch_tensor";
      case "ImageTorchTensor":
        return "image_torch_tensor";
      case "AudioTorchTensor":
        return "audio_torch_tensor";
      case "VideoTorchTensor":
        return "video_torch_tensor";
      case "TorchEmbedding":
        return "torch_embedding";
      case "TensorFlowTensor":
        return "tensorflow_tensor";
      case "JaxArray":
        return "jaxarray";
      case "AnyTensor":
      case "ImageTensor":
      case "AudioTensor":
      case "VideoTensor":
      case "AnyEmbedding":
        return "";
      default:
        return null;
    }
  }

  /** DocArray's built-in documents (docarray.documents), field name to type. */
  static Map<String, String> builtin(String name) {
    Map<String, String> f = new LinkedHashMap<>();
    switch (name) {
      case "TextDoc":
        f.put("text", "Optional[str]");
        f.put("url", "Optional[TextUrl]");
        f.put("embedding", "Optional[AnyEmbedding]");
        f.put("bytes_", "Optional[bytes]");
        return f;
      case "ImageDoc":
        f.put("url", "Optional[ImageUrl]");
        f.put("tensor", "Optional[ImageTensor]");
        f.put("embedding", "Optional[AnyEmbedding]");
        f.put("bytes_", "Optional[ImageBytes]");
        return f;
      case "AudioDoc":
        f.put("url", "Optional[AudioUrl]");
        f.put("tensor", "Optional[AudioTensor]");
        f.put("embedding", "Optional[AnyEmbedding]");
        f.put("bytes_", "Optional[AudioBytes]");
        f.put("frame_rate", "Optional[int]");
        return f;
      case "VideoDoc":
        f.put("url", "Optional[VideoUrl]");
        f.put("audio", "Optional[AudioDoc]");
        f.put("tensor", "Optional[VideoTensor]");
        f.put("key_frame_indices", "Optional[AnyTensor]");
        f.put("embedding", "Optional[AnyEmbedding]");
        f.put("bytes_", "Optional[VideoBytes]");
        return f;
      case "Mesh3D":
        f.put("url", "Optional[Mesh3DUrl]");
        f.put("tensors", "Optional[VerticesAndFaces]");
        f.put("embedding", "Optional[AnyEmbedding]");
        f.put("bytes_", "Optional[bytes]");
        return f;
      case "VerticesAndFaces":
        f.put("vertices", "AnyTensor");
        f.put("faces", "AnyTensor");
        return f;
      case "PointCloud3D":
        f.put("url", "Optional[PointCloud3DUrl]");
        f.put("tensors", "Optional[PointsAndColors]");
        f.put("embedding", "Optional[AnyEmbedding]");
        f.put("bytes_", "Optional[bytes]");
        return f;
      case "PointsAndColors":
        f.put("points", "AnyTensor");
        f.put("colors", "Optional[AnyTensor]");
        return f;
      case "AnyDoc":
      case "BaseDoc":
        return f;
      default:
        return null;
    }
  }

  // ------------------------------------------------------------------ pydantic JSON schema

  /** {@code Doc.schema()} under pydantic v1 or v2. */
  static final class JsonSchema {
    private final JsonNode rootNode;
    private final JsonNode defs;

    JsonSchema(JsonNode n) {
      this.rootNode = n;
      this.defs = n.has("$defs") ? n.get("$defs") : n.get("definitions");
    }

    StructType root() {
      return object(rootNode, new ArrayList<>());
    }

    private StructType object(JsonNode obj, List<String> stack) {
      List<StructField> out = new ArrayList<>();
      out.add(idField());
      JsonNode props = obj.get("properties");
      if (props != null) {
        for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          if (e.getKey().equals("id")) continue;
          out.add(property(e.getKey(), e.getValue(), stack));
        }
      }
      return new StructType(out.toArray(new StructField[0]));
    }

    private JsonNode resolve(String ref) {
      String name = ref.substring(ref.lastIndexOf('/') + 1);
      if (defs == null || !defs.has(name))
        throw new IllegalArgumentException("docarraySchema: unresolved $ref " + ref);
      return defs.get(name);
    }

    private StructField property(String name, JsonNode p, List<String> stack) {
      if (p.has("$ref")) return nested(name, p.get("$ref").asText(), stack);
      if (p.has("allOf") && p.get("allOf").size() == 1)
        return property(name, p.get("allOf").get(0), stack);
      if (p.has("anyOf")) {
        List<JsonNode> options = new ArrayList<>();
        for (JsonNode o : p.get("anyOf"))
          if (!"null".equals(o.path("type").asText())) options.add(o);
        if (options.size() == 1) return property(name, options.get(0), stack);
        return field(name, DataTypes.StringType, "json", null, null, null, true);
      }
      String type = p.path("type").asText("");
      switch (type) {
        case "string":
          {
            String format = p.path("format").asText("");
            if (format.equals("binary"))
              return field(name, DataTypes.BinaryType, "blob", null, null, null, false);
            if (format.equals("uri"))
              return field(name, DataTypes.StringType, "text", "any_url", null, null, false);
            return field(
                name,
                DataTypes.StringType,
                "text",
                name.equals("id") ? "id" : null,
                null,
                null,
                false);
          }
        case "integer":
          return field(name, DataTypes.IntegerType, "integer", null, null, null, false);
        case "number":
          return field(name, DataTypes.DoubleType, "float", null, null, null, false);
        case "boolean":
          return field(name, DataTypes.BooleanType, "boolean", null, null, null, false);
        case "array":
          {
            if (p.has("tensor/array shape")) {
              String shape = p.get("tensor/array shape").asText();
              return field(
                  name,
                  TensorTypes.typed(DataTypes.FloatType),
                  DocArrayMetadata.KIND_TENSOR,
                  null,
                  null,
                  shape.equals("not specified") ? null : shape.replace(" ", ""),
                  true);
            }
            JsonNode items = p.get("items");
            if (items == null || items.size() == 0) {
              // pydantic v1 drops the element class of DocList fields: the data decides
              return field(
                  name,
                  DataTypes.createArrayType(DataTypes.StringType, true),
                  "list",
                  null,
                  null,
                  null,
                  true);
            }
            if (items.has("$ref")) {
              return field(
                  name,
                  DataTypes.createArrayType(
                      nested(name, items.get("$ref").asText(), stack).dataType(), false),
                  "doc_array",
                  null,
                  null,
                  null,
                  false);
            }
            StructField e = property(name, items, stack);
            return field(
                name,
                DataTypes.createArrayType(e.dataType(), true),
                "list",
                null,
                null,
                null,
                e.metadata().contains(OPEN));
          }
        case "object":
          {
            JsonNode ap = p.get("additionalProperties");
            if (ap != null && ap.isObject() && ap.size() > 0) {
              StructField v = property(name, ap, stack);
              return field(
                  name,
                  DataTypes.createMapType(DataTypes.StringType, v.dataType(), true),
                  "dict",
                  null,
                  null,
                  null,
                  v.metadata().contains(OPEN));
            }
            return field(name, DataTypes.StringType, "json", null, null, null, true);
          }
        default:
          return field(name, DataTypes.StringType, "json", null, null, null, true);
      }
    }

    private StructField nested(String name, String ref, List<String> stack) {
      if (stack.contains(ref))
        throw new IllegalArgumentException("docarraySchema: " + ref + " contains itself");
      stack.add(ref);
      StructType t = object(resolve(ref), stack);
      stack.remove(stack.size() - 1);
      return field(name, t, "doc", null, null, null, false);
    }
  }
}
