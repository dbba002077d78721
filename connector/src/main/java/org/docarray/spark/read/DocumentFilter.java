package org.docarray.spark.read;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.sources.And;
import org.apache.spark.sql.sources.EqualTo;
import org.apache.spark.sql.sources.Filter;
import org.apache.spark.sql.sources.GreaterThan;
import org.apache.spark.sql.sources.GreaterThanOrEqual;
import org.apache.spark.sql.sources.In;
import org.apache.spark.sql.sources.IsNotNull;
import org.apache.spark.sql.sources.IsNull;
import org.apache.spark.sql.sources.LessThan;
import org.apache.spark.sql.sources.LessThanOrEqual;
import org.apache.spark.sql.sources.Not;
import org.apache.spark.sql.sources.Or;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * Pushed filters on top-level scalar columns, evaluated by the decoder as soon as the values they
 * read are decoded: a document they reject is abandoned there, before its other fields (tensors
 * above all) are decoded or copied. Spark still evaluates every filter after the scan, so this only
 * ever saves work. SQL's three-valued logic: a comparison with null is unknown, and unknown
 * rejects.
 */
public final class DocumentFilter implements Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * Whether a filter can be evaluated here: comparisons, IN and null tests on top-level scalar
   * columns.
   */
  public static boolean supports(Filter f, StructType schema) {
    if (f instanceof And)
      return supports(((And) f).left(), schema) && supports(((And) f).right(), schema);
    if (f instanceof Or)
      return supports(((Or) f).left(), schema) && supports(((Or) f).right(), schema);
    if (f instanceof Not) return supports(((Not) f).child(), schema);
    String[] refs = f.references();
    if (refs.length != 1 || !scalar(schema, refs[0])) return false;
    return f instanceof EqualTo
        || f instanceof GreaterThan
        || f instanceof GreaterThanOrEqual
        || f instanceof LessThan
        || f instanceof LessThanOrEqual
        || f instanceof In
        || f instanceof IsNull
        || f instanceof IsNotNull;
  }

  private static boolean scalar(StructType schema, String name) {
    if (name.contains(".")) return false; // nested fields are not pushed
    for (StructField sf : schema.fields()) {
      if (sf.name().equals(name)) {
        DataType t = sf.dataType();
        return t == DataTypes.IntegerType
            || t == DataTypes.LongType
            || t == DataTypes.DoubleType
            || t == DataTypes.FloatType
            || t == DataTypes.StringType
            || t == DataTypes.BooleanType;
      }
    }
    return false;
  }

  private final Filter[] filters;
  private final StructType schema;
  private final int[] slots;

  /** Slots of float/double columns, whose NaN values are left to Spark. */
  private final int[] floatingSlots;

  private transient Node tree;

  /**
   * The filters (all supported) over a decoder of {@code schema}; null when there is nothing to do.
   */
  public static DocumentFilter of(List<Filter> filters, StructType schema) {
    List<Filter> usable = new ArrayList<>();
    for (Filter f : filters) if (supports(f, schema) && refsIn(f, schema)) usable.add(f);
    return usable.isEmpty() ? null : new DocumentFilter(usable.toArray(new Filter[0]), schema);
  }

  private static boolean refsIn(Filter f, StructType schema) {
    for (String r : f.references()) if (schema.getFieldIndex(r).isEmpty()) return false;
    return true;
  }

  private DocumentFilter(Filter[] filters, StructType schema) {
    this.filters = filters;
    List<Integer> s = new ArrayList<>();
    for (Filter f : filters) {
      for (String r : f.references()) {
        int i = schema.fieldIndex(r);
        if (!s.contains(i)) s.add(i);
      }
    }
    slots = s.stream().mapToInt(Integer::intValue).toArray();
    this.schema = schema;
    this.floatingSlots =
        java.util.Arrays.stream(slots)
            .filter(
                i -> {
                  DataType t = schema.fields()[i].dataType();
                  return t == DataTypes.DoubleType || t == DataTypes.FloatType;
                })
            .toArray();
  }

  /** Whether the filters read this top-level slot. */
  boolean reads(int slot) {
    for (int s : slots) if (s == slot) return true;
    return false;
  }

  /** True when the row may pass (all filters true); false when a filter is false or unknown. */
  public boolean test(InternalRow row) {
    // NaN orders above every number in Spark SQL and equals itself: leave such rows to Spark's
    // filter
    for (int slot : floatingSlots) {
      if (row.isNullAt(slot)) continue;
      boolean nan =
          schema.fields()[slot].dataType() == DataTypes.DoubleType
              ? Double.isNaN(row.getDouble(slot))
              : Float.isNaN(row.getFloat(slot));
      if (nan) return true;
    }
    if (tree == null) {
      Node n = null;
      for (Filter f : filters) n = n == null ? compile(f) : both(n, compile(f), false);
      tree = n;
    }
    return tree.eval(row) == Boolean.TRUE;
  }

  // ---------------------------------------------------------------- evaluation

  private interface Node {
    Boolean eval(InternalRow row);
  }

  /**
   * AND ({@code decisive} false) or OR ({@code decisive} true) in three-valued logic: the decisive
   * value wins, otherwise unknown if either side is unknown.
   */
  private static Node both(Node a, Node b, boolean decisive) {
    return row -> {
      Boolean x = a.eval(row);
      if (x != null && x == decisive) return decisive;
      Boolean y = b.eval(row);
      if (y != null && y == decisive) return decisive;
      return x == null || y == null ? null : !decisive;
    };
  }

  private Node compile(Filter f) {
    if (f instanceof And) return both(compile(((And) f).left()), compile(((And) f).right()), false);
    if (f instanceof Or) return both(compile(((Or) f).left()), compile(((Or) f).right()), true);
    if (f instanceof Not) {
      Node c = compile(((Not) f).child());
      return row -> {
        Boolean x = c.eval(row);
        return x == null ? null : !x;
      };
    }
    String col = f.references()[0];
    int slot = schema.fieldIndex(col);
    DataType t = schema.fields()[slot].dataType();
    if (f instanceof IsNull) return row -> row.isNullAt(slot);
    if (f instanceof IsNotNull) return row -> !row.isNullAt(slot);
    if (f instanceof In) {
      Object[] values = ((In) f).values();
      return row -> {
        if (row.isNullAt(slot)) return null;
        boolean sawNull = false;
        for (Object v : values) {
          if (v == null) {
            sawNull = true;
            continue;
          }
          Integer c = compare(row, slot, t, v);
          if (c != null && c == 0) return true;
        }
        return sawNull ? null : Boolean.FALSE;
      };
    }
    Object value;
    int want;
    if (f instanceof EqualTo) {
      value = ((EqualTo) f).value();
      want = 0;
    } else if (f instanceof GreaterThan) {
      value = ((GreaterThan) f).value();
      want = 1;
    } else if (f instanceof GreaterThanOrEqual) {
      value = ((GreaterThanOrEqual) f).value();
      want = 2;
    } else if (f instanceof LessThan) {
      value = ((LessThan) f).value();
      want = -1;
    } else {
      value = ((LessThanOrEqual) f).value();
      want = -2;
    }
    return row -> {
      if (row.isNullAt(slot) || value == null) return null;
      Integer c = compare(row, slot, t, value);
      if (c == null) return null;
      switch (want) {
        case 0:
          return c == 0;
        case 1:
          return c > 0;
        case 2:
          return c >= 0;
        case -1:
          return c < 0;
        default:
          return c <= 0;
      }
    };
  }

  /** The row's value compared with a filter literal, or null when they cannot be compared. */
  private static Integer compare(InternalRow row, int slot, DataType t, Object v) {
    if (t == DataTypes.StringType) {
      return v instanceof String
          ? row.getUTF8String(slot).compareTo(UTF8String.fromString((String) v))
          : null;
    }
    if (t == DataTypes.BooleanType) {
      return v instanceof Boolean ? Boolean.compare(row.getBoolean(slot), (Boolean) v) : null;
    }
    if (!(v instanceof Number)) return null;
    Number n = (Number) v;
    if (t == DataTypes.IntegerType || t == DataTypes.LongType) {
      long x = t == DataTypes.IntegerType ? row.getInt(slot) : row.getLong(slot);
      if (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte) {
        return Long.compare(x, n.longValue());
      }
      double y = n.doubleValue();
      if (Double.isNaN(y)) return null;
      return x < y ? -1 : x > y ? 1 : 0;
    }
    double x = t == DataTypes.FloatType ? row.getFloat(slot) : row.getDouble(slot);
    double y = n.doubleValue();
    if (Double.isNaN(y)) return null;
    return x < y ? -1 : x > y ? 1 : 0; // -0.0 equals 0.0, as in SQL
  }
}
