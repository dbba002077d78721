package org.docarray.spark

import java.nio.file.{Files, Paths}

import org.apache.spark.sql.SparkSession
import org.scalatest.BeforeAndAfterAll
import org.scalatest.funsuite.AnyFunSuite

import org.docarray.spark.implicits._

case class Tensor(shape: Seq[Int], data: Seq[Float])
case class TextDoc(id: String, text: Option[String], url: Option[String], embedding: Option[Tensor])
case class Thesis(id: String, title: TextDoc)
case class Student(id: String, thesis: Thesis)

/** The Scala API: spark.read.docarray / df.write.docarray, and Dataset[Student] with product encoders. */
class DocArrayScalaSuite extends AnyFunSuite with BeforeAndAfterAll {
  private lazy val spark = SparkSession.builder().master("local[2]").appName("docarray-scala")
    .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1").getOrCreate()
  private val fixtures = sys.props.getOrElse("docarray.fixtures", "src/test/resources/fixtures")

  override def afterAll(): Unit = spark.stop()

  test("spark.read.docarray reads the students with nested fields") {
    val df = spark.read.docarray(s"$fixtures/students.protobuf.lz4")
    val rows = df.selectExpr("id", "thesis.title.text", "thesis.title.embedding.data").orderBy("id").collect()
    assert(rows.map(_.getString(0)).toSeq == Seq("stu-0", "stu-1", "stu-2"))
    assert(rows(0).getString(1) == "On the Spectral Radius of Sparse Random Graphs")
    assert(rows(2).getString(1) == "")
    assert(rows(1).getSeq[Float](2) == Seq(0.25f, -1.5f, 3.0f, 0.001f))
    assert(rows(0).isNullAt(2))
  }

  test("Dataset[Student] with product encoders, written and read back") {
    import spark.implicits._
    val students = spark.read.schema(org.apache.spark.sql.Encoders.product[Student].schema)
      .docarray(s"$fixtures/students.protobuf").as[Student]
    val loud = students.map(s => s.copy(thesis = s.thesis.copy(title = s.thesis.title.copy(text = s.thesis.title.text.map(_.toUpperCase)))))
    val out = Files.createTempDirectory("docarray-scala").resolve("out").toString
    loud.write.option("compression", "gzip").docarray(out)
    val back = spark.read.schema(org.apache.spark.sql.Encoders.product[Student].schema).docarray(out).as[Student]
      .collect().sortBy(_.id)
    assert(back.length == 3)
    assert(back(1).thesis.title.text.contains("ÜNÏCØDÉ — 多模态文档 📚"))
    assert(back(1).thesis.title.embedding.get.shape == Seq(4))
    assert(back(1).thesis.title.embedding.get.data == Seq(0.25f, -1.5f, 3.0f, 0.001f))
    assert(back(0).thesis.title.embedding.isEmpty)
    assert(Files.list(Paths.get(out)).toArray.exists(_.toString.endsWith(".protobuf.gzip")))
  }

  test("DocArrayPreprocessor with Scala lambdas, and the batch loader, from Scala") {
    import org.apache.spark.sql.Row
    import org.docarray.spark.functions.{DocArrayPreprocessor, DocRows, Tensors}
    val df = spark.read.docarray(s"$fixtures/students.protobuf")
    val prepared = DocArrayPreprocessor.builder()
      .map("thesis.title.text", (t: Any) => Option(t).map(_.toString.reverse).orNull)
      .map("", (d: Any) => DocRows.`with`(d.asInstanceOf[Row], "id", "s-" + d.asInstanceOf[Row].getAs[String]("id")))
      .build().apply(df)
    val rows = prepared.selectExpr("id", "thesis.title.text").orderBy("id").collect()
    assert(rows.map(_.getString(0)).toSeq == Seq("s-stu-0", "s-stu-1", "s-stu-2"))
    assert(rows(0).getString(1) == "On the Spectral Radius of Sparse Random Graphs".reverse)
    val loader = org.docarray.spark.loader.DocArrayBatchLoader.builder(prepared.select("id")).batchSize(2).build()
    val it = loader.epoch(0)
    try {
      var sizes = Vector.empty[Int]
      while (it.hasNext) sizes :+= it.next().getRowCount
      assert(sizes == Vector(2, 1))
    } finally it.close()
    // tensors built by a function can be read back in the same function (Java lists inside the Row)
    assert(Tensors.data(Tensors.l2Normalize(Tensors.of(Array(3f, 4f)))).toSeq == Seq(0.6f, 0.8f))
  }
}
