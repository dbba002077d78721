package org.docarray.spark.write;

import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.connector.write.LogicalWriteInfo;
import org.apache.spark.sql.connector.write.SupportsTruncate;
import org.apache.spark.sql.connector.write.V1Write;
import org.apache.spark.sql.connector.write.WriteBuilder;
import org.apache.spark.sql.sources.InsertableRelation;

/**
 * Writes into a catalog table (INSERT INTO, CTAS) when Spark resolves it as a DataSource V2 table
 * (Spark 4 does, for TableProviders): the rows go through the same file-source write as {@code
 * df.write.format("docarray")}, so one writer serves every entry point.
 */
public final class DocArrayV1Write implements WriteBuilder, SupportsTruncate, V1Write {
  private final Map<String, String> tableOptions;
  private final LogicalWriteInfo info;
  private boolean truncate;

  public DocArrayV1Write(Map<String, String> tableOptions, LogicalWriteInfo info) {
    this.tableOptions = tableOptions;
    this.info = info;
  }

  @Override
  public WriteBuilder truncate() {
    truncate = true;
    return this;
  }

  @Override
  public V1Write build() {
    return this;
  }

  @Override
  public InsertableRelation toInsertableRelation() {
    return (InsertableRelation & java.io.Serializable)
        (Dataset<Row> data, boolean overwrite) -> {
          org.apache.spark.sql.DataFrameWriter<Row> w =
              data.write()
                  .format("docarray")
                  .mode(overwrite || truncate ? SaveMode.Overwrite : SaveMode.Append);
          for (Map.Entry<String, String> e : tableOptions.entrySet())
            w = w.option(e.getKey(), e.getValue());
          for (Map.Entry<String, String> e : info.options().asCaseSensitiveMap().entrySet())
            w = w.option(e.getKey(), e.getValue());
          w.save();
        };
  }
}
