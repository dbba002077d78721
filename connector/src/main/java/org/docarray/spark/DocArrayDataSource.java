package org.docarray.spark;

import java.util.Map;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableProvider;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.sources.DataSourceRegister;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import org.docarray.spark.read.DocArrayTable;

/**
 * The {@code docarray} data source: {@code spark.read().format("docarray").load(path)}.
 * Registered through {@code META-INF/services/org.apache.spark.sql.sources.DataSourceRegister}.
 */
public final class DocArrayDataSource implements TableProvider, DataSourceRegister {
  public static final String SHORT_NAME = "docarray";

  @Override
  public String shortName() {
    return SHORT_NAME;
  }

  @Override
  public StructType inferSchema(CaseInsensitiveStringMap options) {
    return DocArrayTable.forOptions(options, null).schema();
  }

  @Override
  public Table getTable(StructType schema, Transform[] partitioning, Map<String, String> properties) {
    return DocArrayTable.forOptions(properties, schema);
  }

  @Override
  public boolean supportsExternalMetadata() {
    return true;
  }
}
