package org.docarray.spark.util;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * A JVM-wide least-recently-used cache with a fixed number of entries, for what the connector
 * learns about files (their split points, header counts, inferred schemas), keyed by path, length
 * and modification time so that a changed file is a new key. Every cache is switched off with
 * {@code spark.docarray.metadataCache.enabled=false} (then each read learns again), and {@link
 * #clear()} empties one.
 */
public final class BoundedCache<K, V> {
  private final Map<K, V> map;

  public BoundedCache(int maxEntries) {
    if (maxEntries < 1)
      throw new IllegalArgumentException("maxEntries must be positive: " + maxEntries);
    this.map =
        new LinkedHashMap<K, V>(64, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
            return size() > maxEntries;
          }
        };
  }

  /** The cached value, or null (always null when {@code enabled} is false). */
  public synchronized V get(K key, boolean enabled) {
    return enabled ? map.get(key) : null;
  }

  public synchronized boolean contains(K key, boolean enabled) {
    return enabled && map.containsKey(key);
  }

  /** Remembers a value (nothing when {@code enabled} is false). */
  public synchronized void put(K key, V value, boolean enabled) {
    if (enabled) map.put(key, value);
  }

  /** The cached value, or one computed (outside the lock) and remembered. */
  public V computeIfAbsent(K key, boolean enabled, Function<K, V> compute) {
    V v = get(key, enabled);
    if (v != null) return v;
    v = compute.apply(key);
    put(key, v, enabled);
    return v;
  }

  /** A snapshot of the keys, least recently used first. */
  public synchronized java.util.List<K> keys() {
    return new java.util.ArrayList<>(map.keySet());
  }

  public synchronized int size() {
    return map.size();
  }

  public synchronized void clear() {
    map.clear();
  }
}
