package org.docarray.spark;

import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoder;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;

/**
 * The typed Java API: DocArray files as {@code Dataset<T>} of JavaBeans whose properties mirror the
 * document classes (a nested document is a nested bean, a DocList a {@code List} of beans, a tensor
 * a bean with {@code shape} and {@code data} lists, or a {@code List<Float>} for a 1-D embedding).
 *
 * <pre>{@code
 * Dataset<Student> students = DocArray.read(spark, Student.class, "/data/students");
 * DocArray.write(students.filter(...)).save("/data/out");
 * }</pre>
 */
public final class DocArray {
  private DocArray() {}

  /**
   * Reads documents as beans. The bean's schema is the read schema, so only its properties are
   * decoded; fields of the files that the bean lacks are skipped without decoding.
   */
  public static <T> Dataset<T> read(SparkSession spark, Class<T> beanClass, String... paths) {
    Encoder<T> encoder = Encoders.bean(beanClass);
    return spark
        .read()
        .format(DocArrayDataSource.ShortName())
        .schema(encoder.schema())
        .load(paths)
        .as(encoder);
  }

  /**
   * A writer for a typed Dataset, format {@code docarray}; options and {@code save(path)} as usual.
   */
  public static <T> DataFrameWriter<T> write(Dataset<T> ds) {
    return ds.write().format(DocArrayDataSource.ShortName());
  }
}
