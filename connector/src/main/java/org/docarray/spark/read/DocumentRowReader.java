package org.docarray.spark.read;

import java.io.Closeable;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.Serializable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructType;
import org.docarray.spark.DocArrayOptions;
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

  /** What a reader needs besides the file: shipped to executors. */
  public static final class Settings implements Serializable {
    private static final long serialVersionUID = 1L;
    final DocArrayOptions options;
    final StructType dataSchema;
    final boolean ignoreCorruptFiles;
    final boolean ignoreMissingFiles;

    public Settings(DocArrayOptions options, StructType dataSchema, boolean ignoreCorruptFiles, boolean ignoreMissingFiles) {
      this.options = options;
      this.dataSchema = dataSchema;
      this.ignoreCorruptFiles = ignoreCorruptFiles;
      this.ignoreMissingFiles = ignoreMissingFiles;
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

    Compiled(Settings s) {
      this.settings = s;
      this.decoder = new DocDecoder(s.dataSchema, s.options.limits);
      this.hints = new SchemaJsonHints(s.dataSchema);
    }
  }

  private final Compiled c;
  private final String path;
  private DocumentSource source;
  private InternalRow current;
  private long documents;

  private DocumentRowReader(Compiled c, String path, DocumentSource source) {
    this.c = c;
    this.path = path;
    this.source = source;
  }

  /** Opens a file; a missing or unreadable file gives an empty reader when the options say to skip it. */
  public static DocumentRowReader open(Compiled c, String path, long length, Configuration conf) throws IOException {
    Settings s = c.settings;
    try {
      return new DocumentRowReader(c, path, DocumentFiles.open(path, length, s.options, conf, c.hints));
    } catch (FileNotFoundException e) {
      if (!s.ignoreMissingFiles) throw e;
      LOG.warn("Skipped missing file {}", path);
    } catch (IOException e) {
      if (!s.ignoreCorruptFiles) throw e;
      LOG.warn("Skipped corrupt file {}: {}", path, e.getMessage());
    }
    return new DocumentRowReader(c, path, null);
  }

  public boolean next() throws IOException {
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
        DocArrayFormatException err = e instanceof DocArrayFormatException ? (DocArrayFormatException) e
            : new DocArrayFormatException(path, source.documentIndex() + 1, -1, e.toString(), e);
        if (!s.ignoreCorruptFiles) throw err;
        LOG.warn("Skipped the rest of corrupt file {}: {}", path, err.getMessage());
        close();
        return false;
      }
      try {
        current = c.decoder.decode(source.buffer(), source.offset(), source.length());
      } catch (MalformedDocumentException e) {
        DocArrayFormatException err = new DocArrayFormatException(path, source.documentIndex(),
            source.documentPosition(), e.getMessage()
                + (e.offsetInDocument() >= 0 ? " (at byte " + e.offsetInDocument() + " of the document payload)" : ""), e);
        if (s.options.mode == DocArrayOptions.ParseMode.DROPMALFORMED) {
          LOG.warn("Dropped malformed document: {}", err.getMessage());
          continue;
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

  /** The current row, of the data schema. */
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
