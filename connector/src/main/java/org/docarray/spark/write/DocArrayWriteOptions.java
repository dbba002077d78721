package org.docarray.spark.write;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.docarray.spark.format.Codec;
import org.docarray.spark.format.Protocol;

/** The write options, parsed once on the driver and shipped to the tasks. */
public final class DocArrayWriteOptions implements Serializable {
  private static final long serialVersionUID = 1L;

  /** What to do with Spark values DocArray cannot hold (longs beyond int32, timestamps, decimals...). */
  public enum Unsupported { FAIL, TEXT }

  public final Protocol protocol;
  public final Codec compression;
  /** DOCLIST or DOCVEC (the read options' enum; AUTO only means something when reading). */
  public final org.docarray.spark.DocArrayOptions.Container container;
  /** Keep torch/TensorFlow/JAX tensor tags from metadata (the reader then needs that framework). */
  public final boolean keepFrameworkTags;
  public final Unsupported unsupportedTypes;
  /** Leave null fields out of the document (DocArray then uses the field default) instead of writing None. */
  public final boolean ignoreNullFields;
  /**
   * A column (array of field names) listing, per row, the top-level fields the document did not have: they
   * are left out (not written as None), and the column itself is not written. Reading gives it as
   * {@code _metadata.absent_fields}, so that documents of different classes keep their own key sets.
   */
  public final String absentFieldsColumn;
  /** Write {@code _docarray_manifest.json} (shard paths, document counts, sizes, schema) when the job commits. */
  public final boolean manifest;

  public DocArrayWriteOptions(Map<String, String> options) {
    Map<String, String> o = new HashMap<>();
    for (Map.Entry<String, String> e : options.entrySet()) o.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue());
    String p = o.getOrDefault("protocol", "protobuf");
    this.protocol = Protocol.parse(p);
    if (protocol != Protocol.PROTOBUF && protocol != Protocol.PROTOBUF_ARRAY) {
      throw new IllegalArgumentException("Option 'protocol' for writing must be protobuf or protobuf-array, not '" + p
          + "' (json-array drops dtypes and bytes; pickles are never written)");
    }
    this.compression = Codec.parse(o.getOrDefault("compression", o.getOrDefault("codec", "none")));
    String c = o.getOrDefault("container", "doclist");
    this.container = "doclist".equalsIgnoreCase(c) ? org.docarray.spark.DocArrayOptions.Container.DOCLIST
        : "docvec".equalsIgnoreCase(c) ? org.docarray.spark.DocArrayOptions.Container.DOCVEC : null;
    if (container == null) {
      throw new IllegalArgumentException("Option 'container' for writing must be doclist or docvec, not '" + c + "'");
    }
    if (container == org.docarray.spark.DocArrayOptions.Container.DOCVEC && protocol != Protocol.PROTOBUF_ARRAY) {
      throw new IllegalArgumentException("container=docvec writes a DocVecProto, which DocArray stores with "
          + "protocol='protobuf-array'; set option protocol=protobuf-array");
    }
    this.keepFrameworkTags = bool(o, "keepFrameworkTags");
    this.ignoreNullFields = bool(o, "ignoreNullFields");
    this.manifest = bool(o, "manifest");
    String absent = o.get("absentfieldscolumn");
    this.absentFieldsColumn = absent == null || absent.isEmpty() ? null : absent;
    if (absentFieldsColumn != null && container == org.docarray.spark.DocArrayOptions.Container.DOCVEC) {
      throw new IllegalArgumentException("Option absentFieldsColumn keeps each document's own fields, which a DocVec "
          + "(one set of columns for every document) cannot: write container=doclist");
    }
    String u = o.getOrDefault("unsupportedtypes", "fail").toUpperCase(Locale.ROOT);
    try {
      this.unsupportedTypes = Unsupported.valueOf(u);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Option 'unsupportedTypes' must be fail or text, not '" + u + "'");
    }
  }

  /** A boolean option: true or false (any case), false when absent; anything else is an error. */
  private static boolean bool(Map<String, String> lowerCased, String name) {
    String v = lowerCased.get(name.toLowerCase(Locale.ROOT));
    if (v == null || v.equalsIgnoreCase("false")) return false;
    if (v.equalsIgnoreCase("true")) return true;
    throw new IllegalArgumentException("Option '" + name + "' must be true or false, not '" + v + "'");
  }

  /**
   * The compression actually applied: DocArray never compresses {@code protobuf-array} files with
   * zlib (it writes them plain and reads them plain, docarray-format.md §6.5), and neither do we.
   */
  public Codec effectiveCodec() {
    return protocol == Protocol.PROTOBUF_ARRAY ? compression.onWholeFile() : compression;
  }

  /** {@code .protobuf[.lz4]}: the suffixes from which DocArray's load_binary picks protocol and codec. */
  public String extension() {
    return "." + protocol.wireName() + (compression == Codec.NONE ? "" : "." + compression.wireName());
  }
}
