package org.docarray.spark.format;

import java.io.Serializable;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * A numpy {@code dtype.str} as DocArray stores it in {@code DenseNdArrayProto.dtype}: a byte-order
 * character ({@code <}, {@code >}, {@code |} or {@code =}), a kind letter and an item size, with an
 * optional {@code [unit]} for datetimes (docarray-format.md §4).
 */
public final class DType implements Serializable {
  private static final long serialVersionUID = 1L;

  /** numpy kind letters. */
  public enum Kind {
    FLOAT('f'),
    INT('i'),
    UINT('u'),
    BOOL('b'),
    COMPLEX('c'),
    UNICODE('U'),
    BYTES('S'),
    VOID('V'),
    DATETIME('M'),
    TIMEDELTA('m'),
    OBJECT('O');

    final char letter;

    Kind(char letter) {
      this.letter = letter;
    }

    static Kind of(char c) {
      for (Kind k : values()) if (k.letter == c) return k;
      if (c == 'a') return BYTES;
      return null;
    }
  }

  private final String text;
  private final boolean bigEndian;
  private final Kind kind;
  private final int itemSize;
  private final String unit;

  private DType(String text, boolean bigEndian, Kind kind, int itemSize, String unit) {
    this.text = text;
    this.bigEndian = bigEndian;
    this.kind = kind;
    this.itemSize = itemSize;
    this.unit = unit;
  }

  /** Parses a dtype string; throws {@link IllegalArgumentException} with the text on failure. */
  public static DType parse(String s) {
    if (s == null || s.isEmpty()) throw new IllegalArgumentException("empty dtype string");
    int i = 0;
    boolean big = false;
    char c0 = s.charAt(0);
    if (c0 == '<' || c0 == '|' || c0 == '=') {
      i = 1;
    } else if (c0 == '>' || c0 == '!') {
      big = true;
      i = 1;
    }
    if (i >= s.length()) throw new IllegalArgumentException("dtype '" + s + "' has no kind letter");
    Kind kind = Kind.of(s.charAt(i));
    if (kind == null) {
      throw new IllegalArgumentException(
          "dtype '" + s + "' has an unknown kind letter '" + s.charAt(i) + "'");
    }
    i++;
    int j = i;
    while (j < s.length() && Character.isDigit(s.charAt(j))) j++;
    if (j == i || j - i > 6)
      throw new IllegalArgumentException("dtype '" + s + "' has no valid item size");
    int size = Integer.parseInt(s.substring(i, j));
    String unit = null;
    if (j < s.length()) {
      if (s.charAt(j) != '[' || s.charAt(s.length() - 1) != ']') {
        throw new IllegalArgumentException("dtype '" + s + "' has trailing characters");
      }
      unit = s.substring(j + 1, s.length() - 1);
    }
    if (size <= 0 && kind != Kind.UNICODE && kind != Kind.BYTES) {
      throw new IllegalArgumentException("dtype '" + s + "' has item size 0");
    }
    int itemSize = kind == Kind.UNICODE ? size * 4 : size;
    boolean validSize;
    switch (kind) {
      case FLOAT:
        validSize = size == 2 || size == 4 || size == 8;
        break;
      case INT:
      case UINT:
        validSize = size == 1 || size == 2 || size == 4 || size == 8;
        break;
      case BOOL:
        validSize = size == 1;
        break;
      case COMPLEX:
        validSize = size == 8 || size == 16;
        break;
      case DATETIME:
      case TIMEDELTA:
        validSize = size == 8;
        break;
      default:
        validSize = true;
    }
    if (!validSize)
      throw new IllegalArgumentException("dtype '" + s + "' has an invalid item size for its kind");
    return new DType(s, big && itemSize > 1, kind, itemSize, unit);
  }

  public String text() {
    return text;
  }

  public boolean bigEndian() {
    return bigEndian;
  }

  public ByteOrder byteOrder() {
    return bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
  }

  public Kind kind() {
    return kind;
  }

  /** Bytes per element. */
  /** The smallest value of an integer dtype narrower than 64 bits (signed or unsigned). */
  public long minInteger() {
    return kind() == Kind.UINT ? 0 : -(1L << (itemSize() * 8 - 1));
  }

  /** The largest value of an integer dtype narrower than 64 bits (signed or unsigned). */
  public long maxInteger() {
    return kind() == Kind.UINT ? (1L << (itemSize() * 8)) - 1 : (1L << (itemSize() * 8 - 1)) - 1;
  }

  public int itemSize() {
    return itemSize;
  }

  public String unit() {
    return unit;
  }

  /** Whether typed mode can hold it as Spark numbers/booleans. */
  public boolean isNumeric() {
    return kind == Kind.FLOAT || kind == Kind.INT || kind == Kind.UINT || kind == Kind.BOOL;
  }

  /**
   * The little-endian spelling numpy uses, e.g. {@code >f4} to {@code <f4}; 1-byte types use {@code
   * |}.
   */
  public String littleEndianText() {
    String body =
        text.substring(
            text.charAt(0) == '<'
                    || text.charAt(0) == '>'
                    || text.charAt(0) == '|'
                    || text.charAt(0) == '='
                    || text.charAt(0) == '!'
                ? 1
                : 0);
    return (itemSize == 1 || kind == Kind.BOOL ? "|" : "<") + body;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DType && ((DType) o).text.equals(text);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(text);
  }

  @Override
  public String toString() {
    return text;
  }
}
