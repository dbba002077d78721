package org.docarray.spark.read;

import java.io.FileNotFoundException;
import java.io.IOException;
import org.apache.spark.rdd.InputFileBlockHolder;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.docarray.spark.DocArrayOptions;
import org.docarray.spark.format.DocArrayFormatException;
import org.docarray.spark.format.DocumentSource;
import org.docarray.spark.format.MalformedDocumentException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads the files of one partition document by document into rows. */
final class DocArrayPartitionReader implements PartitionReader<InternalRow> {
  private static final Logger LOG = LoggerFactory.getLogger(DocArrayPartitionReader.class);

  private final DocArrayReaderFactory f;
  private final DocArrayFileIndex.FileEntry[] files;
  private final DocDecoder decoder;
  private final SchemaJsonHints hints;
  private int fileIndex = -1;
  private DocumentSource source;
  private DocArrayFileIndex.FileEntry file;
  private InternalRow current;
  private long documents;

  DocArrayPartitionReader(DocArrayReaderFactory factory, DocArrayFileIndex.FileEntry[] files) {
    this.f = factory;
    this.files = files;
    this.decoder = new DocDecoder(factory.dataSchema, factory.options.limits);
    this.hints = new SchemaJsonHints(factory.dataSchema);
  }

  @Override
  public boolean next() throws IOException {
    while (true) {
      if (source == null && !openNext()) return false;
      try {
        if (!source.next()) {
          LOG.info("Read {} documents from {}", documents, file.path);
          closeSource();
          continue;
        }
      } catch (FileNotFoundException e) {
        if (!f.ignoreMissingFiles) throw e;
        LOG.warn("Skipped missing file {}", file.path);
        closeSource();
        continue;
      } catch (IOException | RuntimeException e) {
        DocArrayFormatException err = e instanceof DocArrayFormatException ? (DocArrayFormatException) e
            : new DocArrayFormatException(file.path, source.documentIndex() + 1, -1, e.toString(), e);
        if (!f.ignoreCorruptFiles) throw err;
        LOG.warn("Skipped the rest of corrupt file {}: {}", file.path, err.getMessage());
        closeSource();
        continue;
      }
      InternalRow data;
      try {
        data = decoder.decode(source.buffer(), source.offset(), source.length());
      } catch (MalformedDocumentException e) {
        DocArrayFormatException err = new DocArrayFormatException(file.path, source.documentIndex(),
            source.documentPosition(), e.getMessage()
                + (e.offsetInDocument() >= 0 ? " (at byte " + e.offsetInDocument() + " of the document payload)" : ""), e);
        if (f.options.mode == DocArrayOptions.ParseMode.DROPMALFORMED) {
          LOG.warn("Dropped malformed document: {}", err.getMessage());
          continue;
        }
        if (f.ignoreCorruptFiles) {
          LOG.warn("Skipped the rest of corrupt file {}: {}", file.path, err.getMessage());
          closeSource();
          continue;
        }
        throw err;
      }
      documents++;
      current = assemble(data);
      return true;
    }
  }

  private InternalRow assemble(InternalRow data) {
    int[] di = f.dataIndex;
    int[] pi = f.partIndex;
    boolean direct = true;
    for (int i = 0; i < di.length && direct; i++) direct = di[i] == i;
    if (direct) return data;
    Object[] values = new Object[di.length];
    Object[] src = ((GenericInternalRow) data).values();
    for (int i = 0; i < di.length; i++) values[i] = di[i] >= 0 ? src[di[i]] : file.partitionValues[pi[i]];
    return new GenericInternalRow(values);
  }

  private boolean openNext() throws IOException {
    while (++fileIndex < files.length) {
      file = files[fileIndex];
      documents = 0;
      try {
        source = DocumentFiles.open(file.path, file.length, f.options, f.conf.value().value(), hints);
        InputFileBlockHolder.set(file.path, 0, file.length); // input_file_name()
        return true;
      } catch (FileNotFoundException e) {
        if (!f.ignoreMissingFiles) throw e;
        LOG.warn("Skipped missing file {}", file.path);
      } catch (IOException e) {
        if (!f.ignoreCorruptFiles) throw e;
        LOG.warn("Skipped corrupt file {}: {}", file.path, e.getMessage());
      }
    }
    return false;
  }

  private void closeSource() throws IOException {
    if (source != null) {
      DocumentSource s = source;
      source = null;
      s.close();
    }
  }

  @Override
  public InternalRow get() {
    return current;
  }

  @Override
  public void close() throws IOException {
    InputFileBlockHolder.unset();
    closeSource();
  }
}
