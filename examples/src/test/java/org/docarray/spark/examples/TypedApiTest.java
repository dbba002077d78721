package org.docarray.spark.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.docarray.spark.DocArray;
import org.docarray.spark.examples.typed.Student;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dataset<Student> with bean encoders (Student nests Thesis nests TextDoc), read and written. */
class TypedApiTest {
  static SparkSession spark;
  static final String SAMPLE = "src/main/resources/sample";

  @BeforeAll
  static void start() {
    spark =
        SparkSession.builder()
            .master("local[2]")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .getOrCreate();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void readsAndWritesTypedStudents(@TempDir Path tmp) {
    List<Student> students = DocArray.read(spark, Student.class, SAMPLE).collectAsList();
    assertEquals(12, students.size());
    Map<String, Student> byId = students.stream().collect(Collectors.toMap(Student::getId, s -> s));
    Student s1 = byId.get("stu-1");
    assertEquals("Student 1", s1.getName());
    assertEquals("stu-1.thesis", s1.getThesis().getId());
    assertEquals("Ünïcødé — 多模态文档 📚", s1.getThesis().getTitle().getText());
    assertNull(s1.getThesis().getTitle().getUrl());
    assertEquals(List.of(8), s1.getThesis().getTitle().getEmbedding().getShape());
    assertEquals(8, s1.getThesis().getTitle().getEmbedding().getData().size());
    assertNull(
        byId.get("stu-2").getThesis().getTitle().getEmbedding(), "None embedding stays null");
    assertNull(byId.get("stu-4").getThesis().getYear(), "None year stays null");

    // the untyped read agrees value by value
    Row untyped = spark.read().format("docarray").load(SAMPLE).filter("id = 'stu-1'").first();
    List<Float> data =
        ((Row) ((Row) ((Row) untyped.getAs("thesis")).getAs("title")).getAs("embedding"))
            .getList(1);
    assertEquals(data, s1.getThesis().getTitle().getEmbedding().getData());

    String out = tmp.resolve("out").toString();
    DocArray.write(TypedStudents.shoutTitles(DocArray.read(spark, Student.class, SAMPLE)))
        .save(out);
    Dataset<Student> back = DocArray.read(spark, Student.class, out);
    Map<String, Student> again =
        back.collectAsList().stream().collect(Collectors.toMap(Student::getId, s -> s));
    assertEquals(12, again.size());
    assertEquals("ÜNÏCØDÉ — 多模态文档 📚", again.get("stu-1").getThesis().getTitle().getText());
    assertEquals(data, again.get("stu-1").getThesis().getTitle().getEmbedding().getData());
    assertEquals(byId.get("stu-3").getThesis().getYear(), again.get("stu-3").getThesis().getYear());
  }
}
