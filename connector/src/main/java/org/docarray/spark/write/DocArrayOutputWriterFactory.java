package org.docarray.spark.write;

import org.apache.hadoop.mapreduce.TaskAttemptContext;
import org.apache.spark.sql.execution.datasources.OutputWriter;
import org.apache.spark.sql.execution.datasources.OutputWriterFactory;
import org.apache.spark.sql.types.StructType;
import org.docarray.spark.config.DocArrayWriteConf;

/**
 * Makes one {@link DocArrayOutputWriter} per output file; Spark's commit protocol places the files.
 */
public final class DocArrayOutputWriterFactory extends OutputWriterFactory {
  private static final long serialVersionUID = 1L;
  private final DocArrayWriteConf options;

  public DocArrayOutputWriterFactory(DocArrayWriteConf options, StructType dataSchema) {
    this.options = options;
    new DocEncoder(
        dataSchema, options); // fail on the driver, before any task, for unwritable schemas
  }

  @Override
  public String getFileExtension(TaskAttemptContext context) {
    return options.extension();
  }

  @Override
  public OutputWriter newInstance(String path, StructType dataSchema, TaskAttemptContext context) {
    return new DocArrayOutputWriter(path, dataSchema, options, context.getConfiguration());
  }
}
