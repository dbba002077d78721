// Databricks notebook source
// MAGIC %md
// MAGIC # docarray-spark from Scala
// MAGIC Attach the connector jar of the cluster's Spark line as a cluster library, then run the cells.

// COMMAND ----------

import org.docarray.spark.implicits._

val students = spark.read.docarray("/dbfs/FileStore/docarray/sample")
students.printSchema()

// COMMAND ----------

display(students.selectExpr("id", "thesis.title.text AS title", "thesis.title.embedding.shape AS shape"))

// COMMAND ----------

org.docarray.spark.functions.DocArrayFunctions.register(spark)
students.createOrReplaceTempView("students")
display(spark.sql("SELECT id, docarray_l2_norm(thesis.title.embedding) AS norm FROM students"))
