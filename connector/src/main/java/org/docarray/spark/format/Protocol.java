package org.docarray.spark.format;

import java.util.Locale;

/** The protocol names DocArray's {@code save_binary} knows (docarray-format.md §1, §6.1). */
public enum Protocol {
  PROTOBUF("protobuf"),
  PROTOBUF_ARRAY("protobuf-array"),
  JSON_ARRAY("json-array"),
  JSON("json"),
  PICKLE("pickle"),
  PICKLE_ARRAY("pickle-array");

  private final String wireName;

  Protocol(String wireName) {
    this.wireName = wireName;
  }

  /** The name as it appears in file suffixes and in the {@code protocol} option. */
  public String wireName() {
    return wireName;
  }

  /** Whether compression covers each document on its own (true) or the whole file. */
  public boolean perDocumentCompression() {
    return this == PROTOBUF || this == PICKLE;
  }

  public boolean isPickle() {
    return this == PICKLE || this == PICKLE_ARRAY;
  }

  /** The protocol with this exact name, or null. */
  public static Protocol fromName(String name) {
    if (name == null) return null;
    String n = name.trim().toLowerCase(Locale.ROOT);
    for (Protocol p : values()) {
      if (p.wireName.equals(n)) return p;
    }
    return null;
  }

  /** Like {@link #fromName} but fails with the list of valid names. */
  public static Protocol parse(String name) {
    Protocol p = fromName(name);
    if (p == null) {
      throw new IllegalArgumentException(
          "Unknown DocArray protocol '"
              + name
              + "'; expected one of protobuf, protobuf-array, json-array");
    }
    return p;
  }
}
