package org.docarray.spark.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Names the options a read or a write was given that nothing reads: a misspelled {@code compresion}
 * is otherwise silently ignored (and the output written uncompressed). Keys with a dot are Hadoop
 * settings for this read or write ({@code fs.s3a.endpoint}) and are passed on; keys Spark adds
 * itself are skipped.
 */
public final class OptionCheck {
  private static final Logger LOG = LoggerFactory.getLogger(OptionCheck.class);
  private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

  private OptionCheck() {}

  /** One message per option nothing reads, naming the nearest known option when one is close. */
  public static List<String> unknown(Map<String, String> given, Set<String> known, String what) {
    List<String> out = new ArrayList<>();
    for (String key : new TreeSet<>(given.keySet())) {
      if (key.contains(".") || key.startsWith("__") || known.contains(key)) continue;
      String near = nearest(key, known);
      out.add(
          "Unknown docarray "
              + what
              + " option '"
              + key
              + "' is ignored"
              + (near == null ? "" : ": did you mean '" + near + "'?")
              + " (options: "
              + String.join(", ", known)
              + ")");
    }
    return out;
  }

  /** Logs {@link #unknown} as warnings, each distinct one once per JVM. */
  public static void warnUnknown(Map<String, String> given, Set<String> known, String what) {
    for (String m : unknown(given, known, what)) if (WARNED.add(m)) LOG.warn(m);
  }

  static String nearest(String key, Collection<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    String k = key.toLowerCase(Locale.ROOT);
    for (String candidate : known) {
      int d = distance(k, candidate.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        bestDistance = d;
        best = candidate;
      }
    }
    return best != null && bestDistance <= Math.max(2, key.length() / 4) ? best : null;
  }

  /** Levenshtein distance. */
  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) prev[j] = j;
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
