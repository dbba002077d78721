package org.docarray.spark.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import org.docarray.spark.errors.SparkErrors;

/**
 * The one parser of option values for reads and writes: case-insensitive names (Spark's {@link
 * CaseInsensitiveStringMap}), strict values (a boolean is {@code true} or {@code false}, never
 * silently false), ranges checked, and every error naming the option, the value and what it may be.
 */
public final class OptionParser {
  private final CaseInsensitiveStringMap options;

  public OptionParser(Map<String, String> options) {
    this.options = new CaseInsensitiveStringMap(options);
  }

  /** The raw value, or null when the option is not set (an empty value counts as set). */
  public String string(String name) {
    return options.get(name);
  }

  /** The value, or null when the option is unset or empty. */
  public String nonEmpty(String name) {
    String v = options.get(name);
    return v == null || v.isEmpty() ? null : v;
  }

  /** The first of the names that is set (an option and its aliases), or null. */
  public String firstOf(String... names) {
    for (String n : names) {
      String v = options.get(n);
      if (v != null) return v;
    }
    return null;
  }

  public boolean bool(String name, boolean dflt) {
    Boolean v = boolOrNull(name);
    return v == null ? dflt : v;
  }

  private Boolean boolOrNull(String name) {
    String v = options.get(name);
    if (v == null) return null;
    if (v.trim().equalsIgnoreCase("true")) return true;
    if (v.trim().equalsIgnoreCase("false")) return false;
    throw SparkErrors.invalidOption("Option '" + name + "' must be true or false, not '" + v + "'");
  }

  public long longValue(String name, long dflt, long min, long max) {
    String v = options.get(name);
    if (v == null) return dflt;
    long x;
    try {
      x = Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw SparkErrors.invalidOption("Option '" + name + "' must be an integer, not '" + v + "'");
    }
    return inRange(name, x, min, max);
  }

  public int intValue(String name, int dflt, int min, int max) {
    return (int) longValue(name, dflt, min, max);
  }

  /** A size in bytes, written as Spark's own size settings are: 134217728, 128m, 128MB, 1g, 64k. */
  public long bytes(String name, long dflt, long min, long max) {
    String v = options.get(name);
    if (v == null) return dflt;
    long x;
    try {
      x = parseBytes(v);
    } catch (NumberFormatException e) {
      throw SparkErrors.invalidOption(
          "Option '"
              + name
              + "' must be a size in bytes (like 134217728, 128m or 1g), not '"
              + v
              + "'");
    }
    return inRange(name, x, min, max);
  }

  /**
   * Spark's size syntax (JavaUtils.byteStringAsBytes): a number, optionally with b, k, m, g, t or p
   * (and a b).
   */
  public static long parseBytes(String v) {
    return org.apache.spark.network.util.JavaUtils.byteStringAsBytes(v.trim());
  }

  /**
   * An enum constant by name in any case ({@code protobuf-array} matches {@code PROTOBUF_ARRAY}).
   */
  public <E extends Enum<E>> E enumValue(String name, Class<E> type, E dflt) {
    return enumOf(name, type, nonEmpty(name), dflt, type.getEnumConstants());
  }

  /** As {@link #enumValue}, accepting only {@code allowed} (named in the error). */
  @SafeVarargs
  public static <E extends Enum<E>> E enumOf(
      String name, Class<E> type, String v, E dflt, E... allowed) {
    if (v == null || v.isEmpty()) return dflt;
    String key = v.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    for (E c : allowed) if (c.name().equals(key)) return c;
    StringBuilder sb = new StringBuilder();
    for (E c : allowed)
      sb.append(sb.length() == 0 ? "" : ", ").append(c.name().toLowerCase(Locale.ROOT));
    throw SparkErrors.invalidOption(
        "Option '" + name + "' must be one of " + sb + ", not '" + v + "'");
  }

  /**
   * {@code path} and {@code paths} (a JSON list, as DataFrameReader.load(paths...) passes them, or
   * commas).
   */
  public List<String> paths() {
    List<String> out = new ArrayList<>();
    String path = nonEmpty(OptionNames.PATH);
    if (path != null) out.add(path);
    String many = nonEmpty(OptionNames.PATHS);
    if (many != null) {
      try {
        out.addAll(Arrays.asList(new ObjectMapper().readValue(many, String[].class)));
      } catch (Exception e) {
        for (String s : many.split(",")) if (!s.isBlank()) out.add(s.trim());
      }
    }
    return out;
  }

  private static long inRange(String name, long x, long min, long max) {
    if (x < min || x > max) {
      throw SparkErrors.invalidOption(
          "Option '" + name + "' must be between " + min + " and " + max + ", not " + x);
    }
    return x;
  }
}
