package org.docarray.spark

import org.apache.spark.sql.{DataFrame, DataFrameReader, DataFrameWriter}

/**
 * Scala extensions in the style of spark-avro's:
 * {{{
 * import org.docarray.spark.implicits._
 * val students = spark.read.docarray("/data/students")
 * students.write.option("compression", "lz4").docarray("/data/out")
 * }}}
 */
object implicits {
  implicit class DocArrayDataFrameReader(val reader: DataFrameReader) extends AnyVal {
    /** `spark.read.format("docarray").load(paths: _*)` */
    def docarray(paths: String*): DataFrame = reader.format(DocArrayDataSource.ShortName).load(paths: _*)
  }

  implicit class DocArrayDataFrameWriter[T](val writer: DataFrameWriter[T]) extends AnyVal {
    /** `df.write.format("docarray").save(path)` */
    def docarray(path: String): Unit = writer.format(DocArrayDataSource.ShortName).save(path)
  }
}
