package org.docarray.spark.read;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructType;
import org.docarray.spark.DocArrayOptions;

/**
 * Reads whole files for Spark's file-source scan (catalog tables: {@code CREATE TABLE ... USING
 * docarray}); the DSv2 scan serves {@code spark.read}. Both decode with {@link DocumentRowReader}.
 */
public final class FileSourceReader implements Serializable {
  private static final long serialVersionUID = 1L;
  private final DocumentRowReader.Settings settings;
  private final SerializableConfiguration conf;
  private transient DocumentRowReader.Compiled compiled;

  public FileSourceReader(java.util.Map<String, String> options, StructType requiredSchema, Configuration conf,
      boolean ignoreCorruptFiles, boolean ignoreMissingFiles) {
    this.settings = new DocumentRowReader.Settings(new DocArrayOptions(options), requiredSchema, ignoreCorruptFiles,
        ignoreMissingFiles);
    this.conf = new SerializableConfiguration(conf);
  }

  /** Rows of the required schema from one file; the reader closes at the end or when the task ends. */
  public Iterator<InternalRow> read(String path, long length) {
    if (compiled == null) compiled = settings.compile();
    final DocumentRowReader reader;
    try {
      reader = DocumentRowReader.open(compiled, path, length, conf.value());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    TaskContext tc = TaskContext.get();
    if (tc != null) {
      tc.addTaskCompletionListener(new org.apache.spark.util.TaskCompletionListener() {
        @Override
        public void onTaskCompletion(TaskContext context) {
          try {
            reader.close();
          } catch (IOException ignored) {
            // best effort
          }
        }
      });
    }
    return new Iterator<InternalRow>() {
      private Boolean ready;

      @Override
      public boolean hasNext() {
        if (ready == null) {
          try {
            ready = reader.next();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
        return ready;
      }

      @Override
      public InternalRow next() {
        if (!hasNext()) throw new NoSuchElementException();
        ready = null;
        return reader.get();
      }
    };
  }
}
