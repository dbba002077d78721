package org.docarray.spark.examples;

import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;
import org.docarray.spark.DocArray;
import org.docarray.spark.examples.typed.Student;

/**
 * The typed API: the sample students as {@code Dataset<Student>}, a typed map over them, and a
 * write back to DocArray files.
 *
 * <pre>mvn -q -pl examples -am -DskipTests package exec:exec -Dexec.mainClass=... (see README)
 * </pre>
 */
public final class TypedStudents {
  private TypedStudents() {}

  /** Upper-cases every thesis title: a typed transformation on the nested beans. */
  public static Dataset<Student> shoutTitles(Dataset<Student> students) {
    return students.map(
        (MapFunction<Student, Student>)
            s -> {
              if (s.getThesis() != null
                  && s.getThesis().getTitle() != null
                  && s.getThesis().getTitle().getText() != null) {
                s.getThesis()
                    .getTitle()
                    .setText(s.getThesis().getTitle().getText().toUpperCase(java.util.Locale.ROOT));
              }
              return s;
            },
        Encoders.bean(Student.class));
  }

  public static void main(String[] args) {
    String in = args.length > 0 ? args[0] : "examples/src/main/resources/sample";
    String out = args.length > 1 ? args[1] : "target/typed-students";
    SparkSession spark =
        SparkSession.builder()
            .master("local[*]")
            .appName("typed students")
            .config("spark.ui.enabled", "false")
            .getOrCreate();
    try {
      Dataset<Student> students = DocArray.read(spark, Student.class, in);
      Dataset<Student> loud = shoutTitles(students);
      DocArray.write(loud).mode("overwrite").option("compression", "lz4").save(out);
      DocArray.read(spark, Student.class, out).show(false);
    } finally {
      spark.stop();
    }
  }
}
