package org.docarray.spark.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BoundedCacheTest {
  @Test
  void keepsTheMostRecentlyUsedEntriesUpToItsBound() {
    BoundedCache<String, Integer> c = new BoundedCache<>(2);
    c.put("a", 1, true);
    c.put("b", 2, true);
    assertEquals(1, c.get("a", true)); // a is now the most recent
    c.put("c", 3, true);
    assertEquals(2, c.size());
    assertNull(c.get("b", true), "the least recently used entry goes");
    assertTrue(c.contains("a", true) && c.contains("c", true));
    c.clear();
    assertEquals(0, c.size());
    assertThrows(IllegalArgumentException.class, () -> new BoundedCache<String, Integer>(0));
  }

  @Test
  void switchedOffItNeitherRemembersNorAnswers() {
    BoundedCache<String, Integer> c = new BoundedCache<>(8);
    c.put("a", 1, false);
    assertEquals(0, c.size());
    c.put("a", 1, true);
    assertNull(c.get("a", false));
    assertFalse(c.contains("a", false));
    AtomicInteger computed = new AtomicInteger();
    assertEquals(7, c.computeIfAbsent("b", false, k -> computed.incrementAndGet() + 6));
    assertEquals(
        8, c.computeIfAbsent("b", false, k -> computed.incrementAndGet() + 6), "computed again");
    assertEquals(9, c.computeIfAbsent("b", true, k -> computed.incrementAndGet() + 6));
    assertEquals(
        9, c.computeIfAbsent("b", true, k -> computed.incrementAndGet() + 6), "remembered");
  }
}
