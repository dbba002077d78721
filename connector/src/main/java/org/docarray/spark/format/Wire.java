package org.docarray.spark.format;

/** Field numbers and tags of the DocArray protobuf messages (docarray-format.md §2.1). */
public final class Wire {
  private Wire() {}

  public static final int WT_VARINT = 0;
  public static final int WT_FIXED64 = 1;
  public static final int WT_LEN = 2;
  public static final int WT_FIXED32 = 5;

  // NodeProto
  public static final int NODE_TEXT = 1;
  public static final int NODE_INTEGER = 2;
  public static final int NODE_FLOAT = 3;
  public static final int NODE_BOOLEAN = 4;
  public static final int NODE_BLOB = 5;
  public static final int NODE_NDARRAY = 6;
  public static final int NODE_DOC = 7;
  public static final int NODE_DOC_ARRAY = 8;
  public static final int NODE_LIST = 9;
  public static final int NODE_SET = 10;
  public static final int NODE_TUPLE = 11;
  public static final int NODE_DICT = 12;
  public static final int NODE_TYPE = 13;

  // DocProto / DictOfAnyProto: field 1 = map entry {1: key, 2: NodeProto}
  public static final int MAP_FIELD = 1;
  public static final int ENTRY_KEY = 1;
  public static final int ENTRY_VALUE = 2;
  // ListOfAnyProto.data, DocListProto.docs
  public static final int REPEATED_FIELD = 1;

  // NdArrayProto / DenseNdArrayProto
  public static final int NDARRAY_DENSE = 1;
  public static final int DENSE_BUFFER = 1;
  public static final int DENSE_SHAPE = 2;
  public static final int DENSE_DTYPE = 3;

  // DocVecProto
  public static final int DOCVEC_TENSOR_COLUMNS = 1;
  public static final int DOCVEC_DOC_COLUMNS = 2;
  public static final int DOCVEC_DOCS_VEC_COLUMNS = 3;
  public static final int DOCVEC_ANY_COLUMNS = 4;

  /**
   * A field DocArray never writes where it was found: the bytes are not the message they should be
   * (garbage, another format, a wrong codec guess). Readers are strict here instead of skipping, so
   * such input fails rather than reading as empty documents.
   */
  public static MalformedDocumentException unexpected(String message, int tag, int at) {
    return new MalformedDocumentException(
        "not a " + message + ": unexpected field " + (tag >>> 3) + " with wire type " + (tag & 7),
        at);
  }

  /** Checks the wire type of a NodeProto content field; returns the field number. */
  public static int checkNodeField(int tag, int at) {
    int f = tag >>> 3;
    int wt = tag & 7;
    boolean ok;
    switch (f) {
      case NODE_INTEGER:
      case NODE_BOOLEAN:
        ok = wt == WT_VARINT;
        break;
      case NODE_FLOAT:
        ok = wt == WT_FIXED64;
        break;
      case NODE_TEXT:
      case NODE_BLOB:
      case NODE_NDARRAY:
      case NODE_DOC:
      case NODE_DOC_ARRAY:
      case NODE_LIST:
      case NODE_SET:
      case NODE_TUPLE:
      case NODE_DICT:
      case NODE_TYPE:
        ok = wt == WT_LEN;
        break;
      default:
        ok = false;
    }
    if (!ok) throw unexpected("NodeProto", tag, at);
    return f;
  }

  /** A length read from the input must fit what is left of its enclosing message. */
  public static void checkLength(int length, int remaining, int at) {
    if (length < 0 || length > remaining) {
      throw new MalformedDocumentException(
          "length "
              + Integer.toUnsignedString(length)
              + " runs past the end of its message ("
              + remaining
              + " bytes left)",
          at);
    }
  }

  /** Receives one length-delimited record: where its bytes start in the buffer, and how many. */
  @FunctionalInterface
  public interface RecordVisitor {
    void record(int start, int length) throws java.io.IOException;
  }

  /**
   * Visits every field-1 record of a message whose only field is a repeated message or a map
   * (DocProto, DictOfAnyProto, DocListProto, ListOfAnyProto); anything else in it is an error.
   */
  public static void forEachRecord(byte[] buf, int off, int len, String message, RecordVisitor v)
      throws java.io.IOException {
    com.google.protobuf.CodedInputStream in =
        com.google.protobuf.CodedInputStream.newInstance(buf, off, len);
    while (true) {
      int tag = in.readTag();
      if (tag == 0) return;
      if (tag != tag(REPEATED_FIELD, WT_LEN))
        throw unexpected(message, tag, off + in.getTotalBytesRead());
      int l = in.readRawVarint32();
      int s = off + in.getTotalBytesRead();
      checkLength(l, len - in.getTotalBytesRead(), s);
      in.skipRawBytes(l);
      v.record(s, l);
    }
  }

  /** Where a map entry's key and value lie (value start -1 when the entry has none). */
  public static final class Entry {
    public int keyStart;
    public int keyLength;
    public int valueStart;
    public int valueLength;

    /** The key as a String; a key that is not UTF-8 is malformed (protobuf strings must be). */
    public String key(byte[] buf) {
      if (!Utf8Validation.isValid(buf, keyStart, keyStart + keyLength)) {
        throw new MalformedDocumentException("map key is not valid UTF-8", keyStart);
      }
      return new String(buf, keyStart, keyLength, java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  /** Parses a map entry {1: key, 2: value} in buf[s, s+l) into e. */
  public static Entry entry(byte[] buf, int s, int l, Entry e) throws java.io.IOException {
    e.keyStart = s;
    e.keyLength = 0;
    e.valueStart = -1;
    e.valueLength = 0;
    com.google.protobuf.CodedInputStream in =
        com.google.protobuf.CodedInputStream.newInstance(buf, s, l);
    while (true) {
      int tag = in.readTag();
      if (tag == 0) return e;
      if (tag != tag(ENTRY_KEY, WT_LEN) && tag != tag(ENTRY_VALUE, WT_LEN)) {
        throw unexpected("map entry", tag, s + in.getTotalBytesRead());
      }
      int n = in.readRawVarint32();
      int at = s + in.getTotalBytesRead();
      checkLength(n, l - in.getTotalBytesRead(), at);
      in.skipRawBytes(n);
      if (tag == tag(ENTRY_KEY, WT_LEN)) {
        e.keyStart = at;
        e.keyLength = n;
      } else {
        e.valueStart = at;
        e.valueLength = n;
      }
    }
  }

  public static int tag(int field, int wireType) {
    return (field << 3) | wireType;
  }

  /** The node kinds by NodeProto content field number, as the sidecars and metadata name them. */
  public static String contentName(int field) {
    switch (field) {
      case NODE_TEXT:
        return "text";
      case NODE_INTEGER:
        return "integer";
      case NODE_FLOAT:
        return "float";
      case NODE_BOOLEAN:
        return "boolean";
      case NODE_BLOB:
        return "blob";
      case NODE_NDARRAY:
        return "ndarray";
      case NODE_DOC:
        return "doc";
      case NODE_DOC_ARRAY:
        return "doc_array";
      case NODE_LIST:
        return "list";
      case NODE_SET:
        return "set";
      case NODE_TUPLE:
        return "tuple";
      case NODE_DICT:
        return "dict";
      default:
        return null;
    }
  }
}
