package org.docarray.spark.plan

import scala.collection.JavaConverters._

import org.apache.hadoop.conf.Configuration
import org.apache.hadoop.fs.{FileStatus, Path}

import org.apache.spark.sql.SparkSession
import org.apache.spark.sql.execution.streaming.{FileStreamSink, FileStreamSinkLog}

/**
 * The files a Structured Streaming file sink committed under a directory, from its `_spark_metadata` log, as
 * Spark's own file sources read a sink's output: a file written by a batch that never committed (a query
 * stopped or killed mid-batch, then re-run) is not in the log and must not be read. Scala because the log's
 * classes take Scala collections that differ between 2.12 and 2.13.
 */
object StreamSinkLog {

  /** The committed files, or null when `dir` is not the output of a streaming file sink. */
  def committedFiles(spark: SparkSession, dir: Path, conf: Configuration): java.util.List[FileStatus] = {
    val sqlConf = spark.sessionState.conf
    if (!FileStreamSink.hasMetadata(Seq(dir.toString), conf, sqlConf)) return null
    val fs = dir.getFileSystem(conf)
    val log = new FileStreamSinkLog(
      FileStreamSinkLog.VERSION, spark, FileStreamSink.getMetadataLogPath(fs, dir, sqlConf).toString, None)
    log.allFiles().toSeq.map(_.toFileStatus).asJava
  }
}
