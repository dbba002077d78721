package org.docarray.spark.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Assumptions;

/**
 * The real Python DocArray (.venv, or -Ddocarray.python) that interop tests load the connector's
 * output with.
 */
public final class DocArrayPython {
  private DocArrayPython() {}

  /**
   * The Python with DocArray; skips the test when there is none, fails it when
   * -Ddocarray.requirePython.
   */
  public static Path python() {
    Path root = repoRoot();
    String p = System.getProperty("docarray.python", System.getenv("DOCARRAY_PYTHON"));
    Path py = p != null ? Paths.get(p) : root.resolve(".venv/bin/python");
    boolean ok = Files.isExecutable(py);
    if (!ok && Boolean.getBoolean("docarray.requirePython")) {
      fail("No Python DocArray environment at " + py + ": run bin/setup-python");
    }
    Assumptions.assumeTrue(ok, "no Python DocArray environment (run bin/setup-python)");
    return py;
  }

  public static Path repoRoot() {
    Path p = Paths.get("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("python/batch_check.py"))) p = p.getParent();
    if (p == null)
      throw new IllegalStateException(
          "cannot find python/batch_check.py above " + Paths.get("").toAbsolutePath());
    return p;
  }
}
