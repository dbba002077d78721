package org.docarray.spark.config;

import static org.docarray.spark.config.OptionNames.*;

import java.io.Serializable;
import java.util.Map;
import org.docarray.spark.errors.SparkErrors;
import org.docarray.spark.format.Codec;
import org.docarray.spark.format.Protocol;

/**
 * Everything a write is configured with, parsed once on the driver (by {@link OptionParser}) and
 * shipped to the tasks.
 */
public final class DocArrayWriteConf implements Serializable {
  private static final long serialVersionUID = 2L;

  /**
   * What to do with Spark values DocArray cannot hold (longs beyond int32, timestamps,
   * decimals...).
   */
  public enum Unsupported {
    FAIL,
    TEXT
  }

  public final Protocol protocol;
  public final Codec compression;

  /** DOCLIST or DOCVEC (AUTO only means something when reading). */
  public final Container container;

  /** Keep torch/TensorFlow/JAX tensor tags from metadata (the reader then needs that framework). */
  public final boolean keepFrameworkTags;

  public final Unsupported unsupportedTypes;

  /**
   * Leave null fields out of the document (DocArray then uses the field default) instead of writing
   * None.
   */
  public final boolean ignoreNullFields;

  /**
   * A column (array of field names) listing, per row, the top-level fields the document did not
   * have: they are left out (not written as None), and the column itself is not written. Reading
   * gives it as {@code _metadata.absent_fields}, so that documents of different classes keep their
   * own key sets.
   */
  public final String absentFieldsColumn;

  /**
   * Write {@code _docarray_manifest.json} (shard paths, document counts, sizes, schema) when the
   * job commits.
   */
  public final boolean manifest;

  public DocArrayWriteConf(Map<String, String> options) {
    OptionParser o = new OptionParser(options);
    String p = o.nonEmpty(PROTOCOL);
    this.protocol = p == null ? Protocol.PROTOBUF : Protocol.parse(p);
    if (protocol != Protocol.PROTOBUF && protocol != Protocol.PROTOBUF_ARRAY) {
      throw SparkErrors.invalidOption(
          "Option 'protocol' for writing must be protobuf or protobuf-array, not '"
              + p
              + "' (json-array drops dtypes and bytes; pickles are never written)");
    }
    String c = o.firstOf(COMPRESSION, CODEC);
    this.compression = c == null || c.isEmpty() ? Codec.NONE : Codec.parse(c);
    this.container =
        OptionParser.enumOf(
            CONTAINER,
            Container.class,
            o.nonEmpty(CONTAINER),
            Container.DOCLIST,
            Container.DOCLIST,
            Container.DOCVEC);
    if (container == Container.DOCVEC && protocol != Protocol.PROTOBUF_ARRAY) {
      throw SparkErrors.invalidOption(
          "container=docvec writes a DocVecProto, which DocArray stores with "
              + "protocol='protobuf-array'; set option protocol=protobuf-array");
    }
    this.keepFrameworkTags = o.bool(KEEP_FRAMEWORK_TAGS, false);
    this.ignoreNullFields = o.bool(IGNORE_NULL_FIELDS, false);
    this.manifest = o.bool(MANIFEST, false);
    this.absentFieldsColumn = o.nonEmpty(ABSENT_FIELDS_COLUMN);
    if (absentFieldsColumn != null && container == Container.DOCVEC) {
      throw SparkErrors.invalidOption(
          "Option absentFieldsColumn keeps each document's own fields, which a DocVec "
              + "(one set of columns for every document) cannot: write container=doclist");
    }
    this.unsupportedTypes = o.enumValue(UNSUPPORTED_TYPES, Unsupported.class, Unsupported.FAIL);
  }

  /**
   * The compression actually applied: DocArray never compresses {@code protobuf-array} files with
   * zlib (it writes them plain and reads them plain, docs/docarray-format.md §6.5), and neither do
   * we.
   */
  public Codec effectiveCodec() {
    return protocol == Protocol.PROTOBUF_ARRAY ? compression.onWholeFile() : compression;
  }

  /**
   * {@code .protobuf[.lz4]}: the suffixes from which DocArray's load_binary picks protocol and
   * codec.
   */
  public String extension() {
    return "."
        + protocol.wireName()
        + (compression == Codec.NONE ? "" : "." + compression.wireName());
  }
}
