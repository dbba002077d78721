package org.docarray.spark.read;

import java.io.Closeable;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.Serializable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructType;
import org.docarray.spark.config.DocArrayReadConf;
import org.docarray.spark.config.ParseMode;
import org.docarray.spark.format.DocArrayFormatException;
import org.docarray.spark.format.DocumentSource;
import org.docarray.spark.format.MalformedDocumentException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rows of one file: opens it, decodes document by document into rows of the data schema, and
 * applies {@code mode}, {@code ignoreCorruptFiles} and {@code ignoreMissingFiles}. Used by the DSv2
 * partition reader and by the file-source (catalog table) read path alike.
 */
public final class DocumentRowReader implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(DocumentRowReader.class);

  /**
   * What a reader needs besides the file: shipped to executors, never changed after construction.
   */
  public static final class Settings implements Serializable {
    private static final long serialVersionUID = 2L;
    final DocArrayReadConf options;
    final StructType dataSchema;
    final boolean ignoreCorruptFiles;
    final boolean ignoreMissingFiles;

    /** PERMISSIVE: the slot of the corrupt-record column in the data schema, or -1. */
    final int corruptSlot;

    /**
     * failOnUndeclaredFields: every top-level name the table declares (not only the ones a query
     * needs), or null.
     */
    final java.util.Set<String> declaredNames;

    /**
     * Top-level names whose presence in each document is tracked (for _metadata.absent_fields), or
     * null.
     */
    final String[] presenceNames;

    /** Filters pushed by the query, evaluated while decoding (Spark evaluates them again). */
    final java.util.List<org.apache.spark.sql.sources.Filter> filters;

    /**
     * Reads of {@code dataSchema}: no declared names to check against, no filters, no presence
     * tracking.
     */
    public Settings(DocArrayReadConf options, StructType dataSchema) {
      this(options, dataSchema, null, java.util.Collections.emptyList(), null);
    }

    /**
     * @param tableSchema the table's data columns ({@code failOnUndeclaredFields} checks keys
     *     against them), or null
     * @param filters pushed filters, evaluated while decoding
     * @param presenceNames the names whose absence {@code _metadata.absent_fields} reports, or null
     */
    public Settings(
        DocArrayReadConf options,
        StructType dataSchema,
        StructType tableSchema,
        java.util.List<org.apache.spark.sql.sources.Filter> filters,
        String[] presenceNames) {
      this.options = options;
      this.dataSchema = dataSchema;
      this.ignoreCorruptFiles = options.ignoreCorruptFiles;
      this.ignoreMissingFiles = options.ignoreMissingFiles;
      this.declaredNames =
          tableSchema == null
              ? null
              : java.util.Collections.unmodifiableSet(
                  new java.util.HashSet<>(java.util.Arrays.asList(tableSchema.fieldNames())));
      this.filters = java.util.List.copyOf(filters);
      this.presenceNames = presenceNames == null ? null : presenceNames.clone();
      int slot = -1;
      String[] names = dataSchema.fieldNames();
      for (int i = 0; i < names.length; i++) {
        if (names[i].equals(options.columnNameOfCorruptRecord)) {
          if (dataSchema.fields()[i].dataType()
              != org.apache.spark.sql.types.DataTypes.StringType) {
            throw new IllegalArgumentException(
                "The corrupt record column '" + names[i] + "' must be a nullable string");
          }
          slot = i;
        }
      }
      this.corruptSlot = slot;
    }

    /** Per-reader state compiled from the settings (the decode plan and JSON hints). */
    public Compiled compile() {
      return new Compiled(this);
    }
  }

  /** The compiled plan, reused across the files of one task. */
  public static final class Compiled {
    final Settings settings;
    final DocDecoder decoder;
    final SchemaJsonHints hints;

    /**
     * Columnar reads: the Arrow vectors documents are decoded into (at the writer's next position)
     * instead of rows, or null.
     */
    ArrowBatchWriter target;

    /**
     * Decodes documents straight into the writer's vectors from now on; {@code columnOfSlot}: the
     * writer's column of each data-schema column.
     */
    void decodeInto(ArrowBatchWriter w, int[] columnOfSlot) {
      ArrowFields.Field[] all = w.fields();
      ArrowFields.Field[] bySlot = new ArrowFields.Field[columnOfSlot.length];
      for (int i = 0; i < bySlot.length; i++) bySlot[i] = all[columnOfSlot[i]];
      decoder.bind(bySlot);
      target = w;
    }

    Compiled(Settings s) {
      this.settings = s;
      this.decoder = new DocDecoder(s.dataSchema, s.options.limits);
      if (s.options.failOnUndeclaredFields && s.declaredNames != null)
        decoder.failOnKeysOutside(s.declaredNames);
      if (!s.filters.isEmpty()) decoder.filter(DocumentFilter.of(s.filters, s.dataSchema));
      if (s.presenceNames != null) decoder.trackPresence(s.presenceNames);
      this.hints = new SchemaJsonHints(s.dataSchema);
    }
  }

  /** The row of a count-only read: no columns (an UnsafeRow, as every row this reader gives). */
  private static final InternalRow EMPTY = emptyRow();

  private static InternalRow emptyRow() {
    org.apache.spark.sql.catalyst.expressions.UnsafeRow r =
        new org.apache.spark.sql.catalyst.expressions.UnsafeRow(0);
    r.pointTo(new byte[0], 0);
    return r;
  }

  private final Compiled c;
  private final String path;
  private DocumentSource source;
  private InternalRow current;
  private long documents;

  /** PERMISSIVE: the corrupt row of a file that could not even be opened, emitted once. */
  private InternalRow pending;

  private boolean hasPending;

  /** Count-only reads: rows left to emit without reading documents, or -1. */
  private long emptyRowsLeft = -1;

  /**
   * Index in its file of the document of the current row (-1 when the row stands for a broken rest
   * of a file).
   */
  private long currentIndex = -1;

  /** Index of the next document of a count-only range (its rows are not decoded). */
  private long emptyIndex;

  private DocumentRowReader(Compiled c, String path, DocumentSource source) {
    this.c = c;
    this.path = path;
    this.source = source;
  }

  /**
   * Opens a whole file; a missing or unreadable file gives an empty reader when the options say to
   * skip it.
   */
  public static DocumentRowReader open(Compiled c, String path, long length, Configuration conf)
      throws IOException {
    return open(c, DocArrayFileSplit.whole(new DocArrayFile(path, length, 0, new Object[0])), conf);
  }

  /**
   * Opens a split. When no column is needed (count(*)), documents are not read: a range knows its
   * count from the split walk, a whole {@code protobuf} file from its header.
   */
  static DocumentRowReader open(Compiled c, DocArrayFileSplit split, Configuration conf)
      throws IOException {
    Settings s = c.settings;
    String path = split.file.path;
    boolean countOnly =
        s.dataSchema.isEmpty() && s.presenceNames == null; // absent_fields needs the keys
    if (countOnly && split.count >= 0) {
      DocumentRowReader r = new DocumentRowReader(c, path, null);
      r.emptyRowsLeft = split.count;
      r.emptyIndex = Math.max(0, split.firstIndex);
      return r;
    }
    try {
      DocumentSource src =
          split.isWhole()
              ? DocumentFiles.open(path, split.file.length, s.options, conf, c.hints)
              : DocumentFiles.openRange(split, s.options, conf);
      if (countOnly
          && src.declaredCount() >= 0
          && src instanceof org.docarray.spark.format.StreamFramingSource) {
        DocumentRowReader r = new DocumentRowReader(c, path, null);
        r.emptyRowsLeft = src.declaredCount();
        src.close();
        return r;
      }
      return new DocumentRowReader(c, path, src);
    } catch (FileNotFoundException e) {
      if (!s.ignoreMissingFiles) throw e;
      LOG.warn("Skipped missing file {}", path);
    } catch (IOException ioe) {
      DocArrayFormatException e =
          ioe instanceof DocArrayFormatException
              ? (DocArrayFormatException) ioe
              : new DocArrayFormatException(path, 0, -1, "cannot open: " + ioe, ioe);
      if (s.ignoreCorruptFiles) {
        LOG.warn("Skipped corrupt file {}: {}", path, e.getMessage());
      } else if (s.options.mode == ParseMode.DROPMALFORMED) {
        LOG.warn("Dropped unreadable file {}: {}", path, e.getMessage());
      } else if (s.options.mode == ParseMode.PERMISSIVE) {
        LOG.warn("Unreadable file {}: {}", path, e.getMessage());
        DocumentRowReader r = new DocumentRowReader(c, path, null);
        r.pending = r.corruptRow(e);
        r.hasPending = true;
        return r;
      } else {
        throw e;
      }
    }
    return new DocumentRowReader(c, path, null);
  }

  /**
   * The top-level columns the current row's document did not have as keys (null when it was not
   * decoded).
   */
  public java.util.List<String> currentAbsentFields() {
    return currentDecoded ? c.decoder.absentRootFields() : null;
  }

  private boolean currentDecoded;

  /**
   * The index in its file of the document the current row was read from, or -1 for a row that
   * stands for damage.
   */
  public long currentDocumentIndex() {
    return currentIndex;
  }

  public boolean next() throws IOException {
    currentIndex = -1;
    currentDecoded = false;
    if (hasPending) {
      current = pending;
      pending = null;
      hasPending = false;
      return true;
    }
    if (emptyRowsLeft >= 0) {
      if (emptyRowsLeft == 0) return false;
      emptyRowsLeft--;
      currentIndex = emptyIndex++;
      current = EMPTY;
      return true;
    }
    Settings s = c.settings;
    while (source != null) {
      try {
        if (!source.next()) {
          LOG.info("Read {} documents from {}", documents, path);
          close();
          return false;
        }
      } catch (FileNotFoundException e) {
        if (!s.ignoreMissingFiles) throw e;
        LOG.warn("Skipped missing file {}", path);
        close();
        return false;
      } catch (IOException | RuntimeException e) {
        DocArrayFormatException err =
            e instanceof DocArrayFormatException
                ? (DocArrayFormatException) e
                : new DocArrayFormatException(
                    path, source.documentIndex() + 1, -1, e.toString(), e);
        close(); // the framing is broken: nothing after this point can be trusted
        if (s.ignoreCorruptFiles) {
          LOG.warn("Skipped the rest of corrupt file {}: {}", path, err.getMessage());
          return false;
        }
        switch (s.options.mode) {
          case DROPMALFORMED:
            LOG.warn("Dropped the rest of {}: {}", path, err.getMessage());
            return false;
          case PERMISSIVE:
            LOG.warn("Malformed rest of {}: {}", path, err.getMessage());
            current = corruptRow(err);
            return true;
          default:
            throw err;
        }
      }
      try {
        if (source.payloadError() != null)
          throw new MalformedDocumentException(source.payloadError(), -1);
        if (c.target != null) {
          // columnar: into the vectors at the writer's next position
          if (!c.decoder.decodeInto(
              c.target.rows(), source.buffer(), source.offset(), source.length())) continue;
          current = null;
        } else {
          current = c.decoder.decode(source.buffer(), source.offset(), source.length());
          if (current == null) continue; // rejected by a pushed filter
        }
        currentIndex = source.documentIndex();
        currentDecoded = true;
      } catch (MalformedDocumentException e) {
        DocArrayFormatException err =
            new DocArrayFormatException(
                path,
                source.documentIndex(),
                source.documentPosition(),
                e.getMessage()
                    + (e.offsetInDocument() >= 0
                        ? " (at byte "
                            + (e.offsetInDocument() - source.offset())
                            + " of the document payload)"
                        : ""),
                e);
        if (s.options.mode == ParseMode.DROPMALFORMED) {
          LOG.warn("Dropped malformed document: {}", err.getMessage());
          continue;
        }
        if (s.options.mode == ParseMode.PERMISSIVE) {
          LOG.warn("Malformed document: {}", err.getMessage());
          currentIndex = source.documentIndex();
          current = corruptRow(err);
          documents++;
          return true;
        }
        if (s.ignoreCorruptFiles) {
          LOG.warn("Skipped the rest of corrupt file {}: {}", path, err.getMessage());
          close();
          return false;
        }
        throw err;
      }
      documents++;
      return true;
    }
    return false;
  }

  /**
   * PERMISSIVE: a row of nulls whose corrupt-record column (if the schema has one) holds the error.
   */
  private InternalRow corruptRow(DocArrayFormatException err) {
    if (c.target != null) {
      c.decoder.nullsInto(c.target.rows(), c.settings.corruptSlot, err.getMessage());
      return null;
    }
    return c.decoder.rowWithText(c.settings.corruptSlot, err.getMessage());
  }

  /** The current row, of the data schema (null when decoded into Arrow vectors). */
  public InternalRow get() {
    return current;
  }

  @Override
  public void close() throws IOException {
    if (source != null) {
      DocumentSource s = source;
      source = null;
      s.close();
    }
  }
}
