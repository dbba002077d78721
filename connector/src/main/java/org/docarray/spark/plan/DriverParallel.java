package org.docarray.spark.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Per-file work on the driver (header reads, split walks) run on a few daemon threads, since each
 * item waits on its file's storage: results in input order, a failure rethrown as itself.
 */
final class DriverParallel {
  private DriverParallel() {}

  /**
   * {@code work} over {@code items}: in this thread for up to {@code alone} items, else on up to
   * {@code threads}.
   */
  static <T, R> List<R> map(
      List<T> items, int alone, int threads, String name, Function<T, R> work) {
    List<R> out = new ArrayList<>(items.size());
    if (items.size() <= alone) {
      for (T t : items) out.add(work.apply(t));
      return out;
    }
    ExecutorService pool =
        Executors.newFixedThreadPool(
            Math.min(threads, items.size()),
            r -> {
              Thread t = new Thread(r, name);
              t.setDaemon(true);
              return t;
            });
    try {
      List<Future<R>> futures = new ArrayList<>(items.size());
      for (T t : items) futures.add(pool.submit(() -> work.apply(t)));
      for (Future<R> f : futures) out.add(f.get());
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during " + name, e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException) throw (RuntimeException) e.getCause();
      if (e.getCause() instanceof Error) throw (Error) e.getCause();
      throw new IllegalStateException(name + " failed", e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }
}
