package org.docarray.spark.schema;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What schema inference learned about one DocArray node position, merged over all sampled
 * documents: the node kind, its tag, tensor dtypes, nested fields or element type.
 */
public final class InferredType {
  /** Node kinds; NULL means only None was seen, ANY that the kinds disagree (a JSON column). */
  public enum Kind {
    NULL,
    TEXT,
    INTEGER,
    FLOAT,
    BOOLEAN,
    BLOB,
    TENSOR,
    DOC,
    DOC_ARRAY,
    LIST,
    DICT,
    ANY
  }

  public final Kind kind;

  /** First NodeProto type tag seen here, or null. */
  public String tag;

  /** LIST: which branch was seen ({@code list}, {@code tuple}, {@code set}). */
  public String container;

  /** TENSOR: every dtype string seen, in order. */
  public final Set<String> dtypes;

  /**
   * TENSOR: where each dtype was first seen ("file F, document N"), when the inferrer was told its
   * source.
   */
  public final Map<String, String> dtypeOrigins;

  /** DOC and DOC_ARRAY: field name to type, in the order first seen. */
  public final Map<String, InferredType> fields;

  /**
   * TENSOR: the length every document's tensor had when all were 1-D and equally long, -1
   * otherwise.
   */
  public long fixedLength = -2;

  /** LIST element or DICT value type. */
  public InferredType element;

  private InferredType(Kind kind) {
    this.kind = kind;
    this.dtypes = kind == Kind.TENSOR ? new LinkedHashSet<>() : null;
    this.dtypeOrigins = kind == Kind.TENSOR ? new LinkedHashMap<>() : null;
    this.fields = kind == Kind.DOC || kind == Kind.DOC_ARRAY ? new LinkedHashMap<>() : null;
  }

  public static InferredType of(Kind kind) {
    return new InferredType(kind);
  }

  public static InferredType tensor(String dtype) {
    return tensor(dtype, null);
  }

  /** A tensor of {@code dtype} seen at {@code origin} (a file and document, or null). */
  public static InferredType tensor(String dtype, String origin) {
    InferredType t = new InferredType(Kind.TENSOR);
    t.dtypes.add(dtype);
    if (origin != null) t.dtypeOrigins.put(dtype, origin);
    return t;
  }

  private static boolean isEmptyList(InferredType t) {
    return t.kind == Kind.LIST && (t.element == null || t.element.kind == Kind.NULL);
  }

  /** Merges b into a (either may be null) and returns the result; a may be modified. */
  public static InferredType merge(InferredType a, InferredType b) {
    if (a == null || a.kind == Kind.NULL) return b == null ? a : b;
    if (b == null || b.kind == Kind.NULL) return a;
    if (a.kind == Kind.ANY) return a;
    if (b.kind == Kind.ANY) return b;
    // an empty list says nothing about its elements: it yields to a DocList, a tensor or a list
    if (isEmptyList(a)
        && (b.kind == Kind.DOC_ARRAY || b.kind == Kind.TENSOR || b.kind == Kind.LIST)) return b;
    if (isEmptyList(b)
        && (a.kind == Kind.DOC_ARRAY || a.kind == Kind.TENSOR || a.kind == Kind.LIST)) return a;
    if (a.kind != b.kind) {
      if ((a.kind == Kind.INTEGER && b.kind == Kind.FLOAT)
          || (a.kind == Kind.FLOAT && b.kind == Kind.INTEGER)) {
        InferredType f = of(Kind.FLOAT);
        f.tag = a.tag != null ? a.tag : b.tag;
        return f;
      }
      return of(Kind.ANY);
    }
    if (a.tag == null) a.tag = b.tag;
    switch (a.kind) {
      case TENSOR:
        a.dtypes.addAll(b.dtypes);
        for (Map.Entry<String, String> e : b.dtypeOrigins.entrySet())
          a.dtypeOrigins.putIfAbsent(e.getKey(), e.getValue());
        a.fixedLength =
            a.fixedLength == -2
                ? b.fixedLength
                : b.fixedLength == -2 || a.fixedLength == b.fixedLength ? a.fixedLength : -1;
        return a;
      case DOC:
      case DOC_ARRAY:
        for (Map.Entry<String, InferredType> e : b.fields.entrySet()) {
          a.fields.put(e.getKey(), merge(a.fields.get(e.getKey()), e.getValue()));
        }
        return a;
      case LIST:
        if (!Objects.equals(a.container, b.container)) a.container = "list";
        a.element = merge(a.element, b.element);
        return a.element != null && a.element.kind == Kind.ANY ? of(Kind.ANY) : a;
      case DICT:
        a.element = merge(a.element, b.element);
        return a.element != null && a.element.kind == Kind.ANY ? of(Kind.ANY) : a;
      default:
        return a;
    }
  }
}
