package org.docarray.spark.plan;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.types.StructType;
import org.docarray.spark.config.DocArrayReadConf;
import org.docarray.spark.config.ParseMode;
import org.docarray.spark.format.DocArrayFormatException;
import org.docarray.spark.format.DocumentSource;
import org.docarray.spark.format.MalformedDocumentException;
import org.docarray.spark.read.DocArrayFile;
import org.docarray.spark.read.DocumentFiles;
import org.docarray.spark.schema.InferredType;
import org.docarray.spark.schema.SchemaInferrer;
import org.docarray.spark.schema.SparkSchemaMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Infers the Spark schema of a read: the union of the documents of up to {@code
 * inferSchemaMaxFiles} files, {@code inferSchemaMaxDocuments} documents each.
 */
public final class DocArraySchemaInference {
  private static final Logger LOG = LoggerFactory.getLogger(DocArraySchemaInference.class);

  private DocArraySchemaInference() {}

  /**
   * Schemas inferred in this JVM, keyed by the sampled files (path, length, modification time) and
   * every option that changes the result: re-reading unchanged files does not sample them again. A
   * file that changes changes its length or modification time, and so the key.
   */
  private static final int CACHE_ENTRIES = 256;

  static final org.docarray.spark.util.BoundedCache<String, StructType> CACHE =
      new org.docarray.spark.util.BoundedCache<>(CACHE_ENTRIES);

  public static StructType infer(
      DocArrayFileIndex index, DocArrayReadConf options, Configuration conf) {
    List<DocArrayFile> files = index.files();
    int n = Math.min(files.size(), options.inferSchemaMaxFiles);
    StringBuilder key = new StringBuilder();
    key.append(options.protocol)
        .append('|')
        .append(options.compression)
        .append('|')
        .append(options.container)
        .append('|')
        .append(options.tensorMode)
        .append('|')
        .append(options.embeddings)
        .append('|')
        .append(options.inferSchemaMaxDocuments)
        .append('|')
        .append(options.mode)
        .append('|')
        .append(options.limits.maxDocumentBytes)
        .append('|')
        .append(options.limits.maxTensorElements)
        .append('|')
        .append(options.limits.maxNestingDepth)
        .append('|')
        .append(options.limits.maxDecompressedFileBytes)
        .append('|')
        .append(options.ignoreCorruptFiles)
        .append('|')
        .append(options.ignoreMissingFiles);
    for (int i = 0; i < n; i++) {
      DocArrayFile f = files.get(i);
      key.append('\n')
          .append(f.path)
          .append('|')
          .append(f.length)
          .append('|')
          .append(f.modificationTime);
    }
    String k = key.toString();
    StructType cached = CACHE.get(k, options.metadataCache);
    if (cached != null) return cached;
    StructType inferred = sample(files, n, options, conf);
    CACHE.put(k, inferred, options.metadataCache);
    return inferred;
  }

  private static StructType sample(
      List<DocArrayFile> files, int n, DocArrayReadConf options, Configuration conf) {
    SchemaInferrer inferrer = new SchemaInferrer(options.limits);
    for (int i = 0; i < n; i++) {
      DocArrayFile f = files.get(i);
      DocumentFiles.checkReadable(f.path, options.detect(f.path));
      try (DocumentSource src =
          DocumentFiles.open(
              f.path, f.length, options, conf, org.docarray.spark.format.JsonHints.NONE)) {
        long docs = 0;
        boolean strict = options.mode == ParseMode.FAILFAST;
        while (docs < options.inferSchemaMaxDocuments) {
          try {
            if (!src.next()) break;
          } catch (IOException | RuntimeException e) {
            if (strict) throw e;
            LOG.warn(
                "Schema inference stops reading {} at a malformed part: {}",
                f.path,
                e.getMessage());
            break;
          }
          try {
            if (src.payloadError() != null)
              throw new MalformedDocumentException(src.payloadError(), -1);
            inferrer.source(f.path + ", document " + src.documentIndex());
            inferrer.add(src.buffer(), src.offset(), src.length());
          } catch (MalformedDocumentException e) {
            if (strict) {
              throw new DocArrayFormatException(
                  f.path, src.documentIndex(), src.documentPosition(), e.getMessage(), e);
            }
            LOG.warn(
                "Schema inference skips malformed document {} of {}: {}",
                src.documentIndex(),
                f.path,
                e.getMessage());
          }
          docs++;
        }
      } catch (FileNotFoundException e) {
        if (!options.ignoreMissingFiles)
          throw new IllegalStateException(
              "File disappeared while inferring the schema: " + f.path, e);
        LOG.warn("Skipped missing file {}", f.path);
      } catch (IOException e) {
        if (!options.ignoreCorruptFiles && options.mode == ParseMode.FAILFAST) {
          throw new IllegalStateException("Cannot infer the schema: " + named(f.path, e), e);
        }
        LOG.warn("Skipped corrupt file {} while inferring the schema: {}", f.path, e.getMessage());
      } catch (RuntimeException e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains(f.path)) throw e;
        throw new IllegalStateException("Cannot infer the schema: " + named(f.path, e), e);
      }
    }
    InferredType root = inferrer.result();
    return new SparkSchemaMapper(options.binaryTensors(), options.embeddings).toSpark(root);
  }

  /** An error's message with the file named, when it does not name it already. */
  private static String named(String path, Exception e) {
    String m = e.getMessage() == null ? e.toString() : e.getMessage();
    return m.contains(path) ? m : path + ": " + m;
  }
}
