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
import org.docarray.spark.config.DocArrayReadConf;
import org.docarray.spark.config.ParseMode;
import org.docarray.spark.errors.SparkErrors;

/**
 * Reads files for Spark's file-source scan (catalog tables: {@code CREATE TABLE ... USING
 * docarray}); the DSv2 scan serves {@code spark.read}. Both decode with {@link DocumentRowReader},
 * evaluate pushed filters while decoding, and cut big files at document boundaries: Spark's file
 * source hands out byte ranges, and each range here reads the documents that start in it (the
 * boundaries come from one walk of the file's length prefixes per executor, remembered as the DSv2
 * planner remembers them).
 */
public final class FileSourceReader implements Serializable {
  private static final long serialVersionUID = 1L;
  private final DocumentRowReader.Settings settings;
  private final SerializableConfiguration conf;

  /** The granularity of the document-aligned cuts (one size for every task of a scan). */
  private final long cutBytes;

  private transient DocumentRowReader.Compiled compiled;

  /** Whole files of {@code requiredSchema}, cut in 4 MB ranges when Spark hands out ranges. */
  public FileSourceReader(DocArrayReadConf options, StructType requiredSchema, Configuration conf) {
    this(options, requiredSchema, null, java.util.Collections.emptyList(), conf, 4L << 20);
  }

  public FileSourceReader(
      DocArrayReadConf options,
      StructType requiredSchema,
      StructType dataSchema,
      java.util.List<org.apache.spark.sql.sources.Filter> filters,
      Configuration conf,
      long cutBytes) {
    java.util.List<org.apache.spark.sql.sources.Filter> keep = new java.util.ArrayList<>();
    if (options.filterPushdown && options.mode != ParseMode.PERMISSIVE) {
      for (org.apache.spark.sql.sources.Filter f : filters)
        if (DocumentFilter.supports(f, requiredSchema)) keep.add(f);
    }
    this.settings = new DocumentRowReader.Settings(options, requiredSchema, dataSchema, keep, null);
    this.conf = new SerializableConfiguration(conf);
    this.cutBytes = Math.max(1, cutBytes);
  }

  /** Whether Spark's file source may hand this file out in byte ranges. */
  public static boolean splittable(DocArrayReadConf options, String path) {
    return options.splitFiles && FileSplits.splittable(options.detect(path), options);
  }

  /** Rows of the required schema from one whole file. */
  public Iterator<InternalRow> read(String path, long length) {
    return read(path, length, 0, length, 0);
  }

  /**
   * Rows of the required schema from the documents of {@code path} that start in {@code [start,
   * start + length)}; the readers close at the end or when the task ends.
   */
  public Iterator<InternalRow> read(
      String path, long fileSize, long start, long length, long modificationTime) {
    if (compiled == null) compiled = settings.compile();
    java.util.List<DocArrayFileSplit> mine = new java.util.ArrayList<>();
    DocArrayFile entry = new DocArrayFile(path, fileSize, modificationTime, new Object[0]);
    if (start <= 0 && length >= fileSize) {
      mine.add(DocArrayFileSplit.whole(entry));
    } else {
      for (DocArrayFileSplit s : FileSplits.of(entry, settings.options, conf.value(), cutBytes)) {
        long at = Math.max(0, s.start);
        if (at >= start && at < start + length) mine.add(s);
      }
    }
    java.util.Iterator<DocArrayFileSplit> pieces = mine.iterator();
    java.util.Iterator<InternalRow> empty = java.util.Collections.emptyIterator();
    if (!pieces.hasNext()) return empty;
    return new Iterator<InternalRow>() {
      private Iterator<InternalRow> current = empty;

      @Override
      public boolean hasNext() {
        while (!current.hasNext()) {
          if (!pieces.hasNext()) return false;
          current = rows(pieces.next());
        }
        return true;
      }

      @Override
      public InternalRow next() {
        if (!hasNext()) throw new NoSuchElementException();
        return current.next();
      }
    };
  }

  private Iterator<InternalRow> rows(DocArrayFileSplit split) {
    final DocumentRowReader reader;
    try {
      reader = DocumentRowReader.open(compiled, split, conf.value());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    TaskContext tc = TaskContext.get();
    if (tc != null) {
      tc.addTaskCompletionListener(
          new org.apache.spark.util.TaskCompletionListener() {
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
            throw new UncheckedIOException(SparkErrors.orSelf(e));
          } catch (RuntimeException e) {
            throw SparkErrors.orSelf(e);
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
