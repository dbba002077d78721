package org.docarray.spark.format;

import java.io.Serializable;

/**
 * Picks protocol and compression from a file name exactly as DocArray's {@code load_binary} does
 * (docarray-format.md §6.1): every dot-suffix is looked at, a suffix equal to a protocol name sets
 * the protocol, one equal to a codec name sets the compression, later suffixes win, other suffixes
 * are ignored, and a name with no protocol suffix is {@code protobuf-array}. Explicit options
 * override the name (a deliberate difference from DocArray, where the name wins, so that files with
 * foreign names can be read).
 */
public final class FileFormatDetector {
  private FileFormatDetector() {}

  /** Protocol and codec of one file. */
  public static final class Detected implements Serializable {
    private static final long serialVersionUID = 1L;
    public final Protocol protocol;
    public final Codec codec;

    public Detected(Protocol protocol, Codec codec) {
      this.protocol = protocol;
      this.codec = codec;
    }

    @Override
    public String toString() {
      return protocol.wireName() + (codec == Codec.NONE ? "" : "+" + codec.wireName());
    }
  }

  /** Detects from the name alone. */
  public static Detected fromName(String fileName) {
    return detect(fileName, null, null);
  }

  /**
   * @param protocolOverride protocol from options, or null to use the name
   * @param codecOverride codec from options, or null to use the name
   */
  public static Detected detect(String fileName, Protocol protocolOverride, Codec codecOverride) {
    Protocol protocol = null;
    Codec codec = null;
    String base = fileName;
    int slash = base.lastIndexOf('/');
    if (slash >= 0) base = base.substring(slash + 1);
    // pathlib's suffixes: a leading dot is part of the stem, not a suffix
    int start = 0;
    while (start < base.length() && base.charAt(start) == '.') start++;
    String[] parts = base.substring(start).split("\\.", -1);
    for (int i = 1; i < parts.length; i++) {
      String s = parts[i];
      Protocol p = Protocol.fromName(s);
      if (p != null && s.equals(p.wireName())) protocol = p;
      Codec c = Codec.fromSuffix(s);
      if (c != null) codec = c;
    }
    if (protocolOverride != null) protocol = protocolOverride;
    if (codecOverride != null) codec = codecOverride;
    if (protocol == null) protocol = Protocol.PROTOBUF_ARRAY;
    if (codec == null) codec = Codec.NONE;
    return new Detected(protocol, codec);
  }
}
