package org.docarray.spark



import scala.collection.JavaConverters._

import org.apache.hadoop.conf.Configuration
import org.apache.hadoop.fs.{FileStatus, Path}
import org.apache.hadoop.mapreduce.Job

import org.apache.spark.sql.SparkSession
import org.apache.spark.sql.catalyst.InternalRow
import org.apache.spark.sql.connector.catalog.{Table, TableProvider}
import org.apache.spark.sql.connector.expressions.Transform
import org.apache.spark.sql.execution.datasources.{FileFormat, OutputWriterFactory, PartitionedFile}
import org.apache.spark.sql.sources.{DataSourceRegister, Filter}
import org.apache.spark.sql.types.StructType
import org.apache.spark.sql.util.CaseInsensitiveStringMap

import org.docarray.spark.errors.SparkErrors
import org.docarray.spark.config.{DocArrayReadConf, DocArrayWriteConf, OptionCheck, OptionNames}
import org.docarray.spark.plan.{DocArrayFileIndex, DocArraySchemaInference, DocArrayTable}
import org.docarray.spark.read.FileSourceReader
import org.docarray.spark.write.{DocArrayOutputWriterFactory, ShardManifestCommitter}

/**
 * The `docarray` data source. Reads through DataSource V2 (`DocArrayTable`: pruning, partition
 * discovery); writes and catalog tables through Spark's file-source path, as Spark's own Avro
 * source does, which brings every save mode, `partitionBy`, `maxRecordsPerFile` and the commit
 * protocol. Only this glue is Scala (Spark's `FileFormat` is a Scala trait whose collection types
 * differ between Scala 2.12 and 2.13); the work is done by the Java packages.
 */
class DocArrayDataSource extends TableProvider with FileFormat with DataSourceRegister with Serializable {

  override def shortName(): String = DocArrayDataSource.ShortName

  override def toString: String = "DocArray"

  // ---- DataSource V2: spark.read.format("docarray")

  // Spark calls inferSchema and then getTable with the inferred schema on the same instance: keep the
  // table inference built, so that the files are listed once, not twice
  @transient private var inferred: DocArrayTable = _
  @transient private var inferredFor: java.util.Map[String, String] = _

  // the one place the DSv2 path finds its session (Spark's own FileDataSourceV2 does the same); everything
  // below receives it
  private def session: SparkSession = SparkSession.active

  /** The connector's errors as the Spark errors users see (PySpark's own classes). */
  private def spark[T](body: => T): T = try body catch {
    case e: Throwable =>
      val translated = SparkErrors.translate(e)
      throw (if (translated != null) translated else e)
  }

  override def inferSchema(options: CaseInsensitiveStringMap): StructType = spark {
    val table = DocArrayTable.forOptions(session, options.asCaseSensitiveMap(), null)
    val schema = table.schema()
    inferred = table
    inferredFor = new java.util.HashMap[String, String](options.asCaseSensitiveMap())
    schema
  }

  override def getTable(
      schema: StructType,
      partitioning: Array[Transform],
      properties: java.util.Map[String, String]): Table = spark {
    if (inferred != null && inferredFor == new java.util.HashMap[String, String](properties) && inferred.schema() == schema) {
      val table = inferred
      inferred = null
      table
    } else {
      DocArrayTable.forOptions(session, properties, schema)
    }
  }

  override def supportsExternalMetadata(): Boolean = true

  // ---- file source: df.write.format("docarray"), CREATE TABLE ... USING docarray

  override def inferSchema(
      sparkSession: SparkSession,
      options: Map[String, String],
      files: Seq[FileStatus]): Option[StructType] = spark {
    // no files: let Spark say it cannot infer a schema, rather than inventing one
    if (files.isEmpty) return None
    val opts = new DocArrayReadConf(options.asJava, sparkSession.sessionState.conf)
    val conf = DocArrayTable.hadoopConf(sparkSession, options.asJava)
    val listed = DocArrayFileIndex.ofFiles(files.map(f => f.getPath.toString).asJava,
      files.map(f => java.lang.Long.valueOf(f.getLen)).asJava)
    Option(DocArraySchemaInference.infer(listed, opts, conf))
  }

  override def prepareWrite(
      sparkSession: SparkSession,
      job: Job,
      options: Map[String, String],
      dataSchema: StructType): OutputWriterFactory = {
    OptionCheck.warnUnknown(options.asJava, OptionNames.WRITE, "write")
    val writeOptions = new DocArrayWriteConf(options.asJava)
    // option manifest=true: the job's committer writes _docarray_manifest.json (as Parquet's writes summaries)
    if (writeOptions.manifest) ShardManifestCommitter.configure(job.getConfiguration, writeOptions, dataSchema)
    new DocArrayOutputWriterFactory(writeOptions, dataSchema)
  }

  override def buildReader(
      sparkSession: SparkSession,
      dataSchema: StructType,
      partitionSchema: StructType,
      requiredSchema: StructType,
      filters: Seq[Filter],
      options: Map[String, String],
      hadoopConf: Configuration): PartitionedFile => Iterator[InternalRow] = {
    val conf = new DocArrayReadConf(options.asJava, sparkSession.sessionState.conf)
    val reader = new FileSourceReader(conf, requiredSchema, dataSchema, filters.asJava, hadoopConf,
      conf.openCostInBytes)
    (file: PartitionedFile) =>
      reader.read(file.toPath.toString, file.fileSize, file.start, file.length, file.modificationTime).asScala
  }

  // big protobuf and plain protobuf-array files are cut at document boundaries (see FileSourceReader)
  override def isSplitable(sparkSession: SparkSession, options: Map[String, String], path: Path): Boolean =
    FileSourceReader.splittable(new DocArrayReadConf(options.asJava, sparkSession.sessionState.conf), path.toString)

  override def equals(other: Any): Boolean = other.isInstanceOf[DocArrayDataSource]

  override def hashCode(): Int = getClass.hashCode()
}

object DocArrayDataSource {
  val ShortName = "docarray"
}
