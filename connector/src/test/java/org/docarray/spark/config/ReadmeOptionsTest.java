package org.docarray.spark.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README's option tables list exactly the options the connector takes (OptionNames' lists). */
class ReadmeOptionsTest {
  private static final Pattern ROW =
      Pattern.compile("^\\| `(\\w+)`(?: \\(alias `(\\w+)`\\))?(?: / [^|]*)? \\|");

  private static Set<String> table(List<String> lines, String header) {
    Set<String> names = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    int i = 0;
    while (i < lines.size() && !lines.get(i).startsWith(header)) i++;
    for (i += 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
      Matcher m = ROW.matcher(lines.get(i));
      if (m.find()) {
        names.add(m.group(1));
        if (m.group(2) != null) names.add(m.group(2));
      }
    }
    return names;
  }

  @Test
  void theOptionTablesAreTheOptions() throws Exception {
    Path readme = Path.of("..", "README.md");
    List<String> lines = Files.readAllLines(readme);
    Set<String> read = table(lines, "| option | default | meaning |");
    read.add("paths"); // the table's first row: `path` / `load(paths...)`
    assertEquals(
        new TreeSet<>(OptionNames.READ), new TreeSet<>(read), "read options in the README");
    Set<String> write = table(lines, "| write option | default | meaning |");
    write.add("path");
    write.add("paths");
    assertEquals(
        new TreeSet<>(OptionNames.WRITE), new TreeSet<>(write), "write options in the README");
  }
}
