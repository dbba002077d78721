package org.docarray.spark.format;

/**
 * One decoded {@code NdArrayProto}, as a view on the document bytes: dtype, shape and where the
 * element buffer lies. Nothing is copied. Reused across documents by one reader.
 */
public final class TensorView extends WireReader {
  private static final int[] NO_DIMS = new int[0];

  public DType dtype;
  public String dtypeText;
  public int[] shape = NO_DIMS;
  public long elementCount;
  public byte[] data;
  public int bufferOffset;
  public int bufferLength;

  /**
   * Parses an NdArrayProto from {@code buf[off, off+len)} and checks buffer length against shape ×
   * item size and the element limit.
   *
   * @param requireKnownDtype whether an unparseable dtype string is an error (typed mode)
   */
  public TensorView parse(byte[] buf, int off, int len, Limits limits, boolean requireKnownDtype) {
    dtype = null;
    dtypeText = null;
    ndims = 0;
    data = buf;
    bufferOffset = off;
    bufferLength = 0;
    boolean sawDense = false;
    for (int p = off, end = off + len; p < end; ) {
      int tag = varint32(buf, p, end);
      int at = p;
      p = next;
      if (tag == Wire.tag(Wire.NDARRAY_DENSE, Wire.WT_LEN)) {
        int l = varint32(buf, p, end);
        Wire.checkLength(l, end - next, next);
        parseDense(buf, next, l);
        p = next + l;
        sawDense = true;
      } else if (tag == Wire.tag(2, Wire.WT_LEN)) {
        // NdArrayProto.parameters: never written by DocArray, ignored when read
        int l = varint32(buf, p, end);
        Wire.checkLength(l, end - next, next);
        p = next + l;
      } else {
        throw Wire.unexpected("NdArrayProto", tag, at);
      }
    }
    // the previous shape array when the dimensions repeat (never changed once handed out)
    if (ndims == 0) shape = NO_DIMS;
    else if (!java.util.Arrays.equals(shape, 0, shape.length, dims, 0, ndims))
      shape = java.util.Arrays.copyOf(dims, ndims);
    if (!sawDense || dtypeText == null) {
      throw new MalformedDocumentException(
          "tensor has no " + (sawDense ? "dtype" : "dense array"), off);
    }
    if ("None".equals(dtypeText)) {
      // DocVec's marker for a None column (docarray-format.md §7); callers treat it as null
      return this;
    }
    if (lastDtype != null && dtypeText == lastDtypeText) { // the same text as the last tensor's
      dtype = lastDtype;
    } else {
      try {
        dtype = DType.parse(dtypeText);
      } catch (IllegalArgumentException e) {
        if (requireKnownDtype)
          throw new MalformedDocumentException("unknown tensor dtype: " + e.getMessage(), off);
        return this;
      }
      lastDtype = dtype;
    }
    long n = 1;
    for (int d : shape) {
      if (d < 0)
        throw new MalformedDocumentException(
            "tensor dimension " + Integer.toUnsignedString(d) + " is too large", off);
      try {
        n = Math.multiplyExact(n, (long) d);
      } catch (ArithmeticException e) {
        throw new MalformedDocumentException("tensor shape product overflows", off);
      }
    }
    if (n > limits.maxTensorElements) {
      throw new MalformedDocumentException(
          "tensor has "
              + n
              + " elements, more than maxTensorElements ("
              + limits.maxTensorElements
              + ")",
          off);
    }
    elementCount = n;
    long expected = n * dtype.itemSize();
    if (expected != bufferLength) {
      throw new MalformedDocumentException(
          "tensor buffer has "
              + bufferLength
              + " bytes but shape "
              + java.util.Arrays.toString(shape)
              + " x itemsize "
              + dtype.itemSize()
              + " of dtype "
              + dtypeText
              + " needs "
              + expected,
          off);
    }
    return this;
  }

  /** The dtype's UTF-8 bytes as they were on the wire (shared by later tensors: read only). */
  public byte[] dtypeBytes() {
    return lastDtypeBytes;
  }

  /** Whether this is DocVec's None-column marker (dtype "None"). */
  public boolean isNoneMarker() {
    return "None".equals(dtypeText);
  }

  /** The dtype of the last tensor parsed and its text: documents of a column repeat it. */
  private DType lastDtype;

  private String lastDtypeText;
  private byte[] lastDtypeBytes = new byte[0];

  private int[] dims = new int[4];
  private int ndims;

  private void dim(int d, int at) {
    if (ndims == dims.length) dims = java.util.Arrays.copyOf(dims, ndims * 2);
    dims[ndims++] = d;
    if (ndims > 64) throw new MalformedDocumentException("tensor has more than 64 dimensions", at);
  }

  private void parseDense(byte[] buf, int off, int len) {
    ndims = 0;
    for (int p = off, end = off + len; p < end; ) {
      int tag = varint32(buf, p, end);
      int at = p;
      p = next;
      int field = tag >>> 3;
      int wt = tag & 7;
      if (field == Wire.DENSE_BUFFER && wt == Wire.WT_LEN) {
        int l = varint32(buf, p, end);
        Wire.checkLength(l, end - next, next);
        bufferOffset = next;
        bufferLength = l;
        p = next + l;
      } else if (field == Wire.DENSE_SHAPE && wt == Wire.WT_LEN) {
        int l = varint32(buf, p, end);
        Wire.checkLength(l, end - next, next);
        int q = next;
        p = q + l;
        while (q < p) {
          dim(varint32(buf, q, p), at);
          q = next;
        }
      } else if (field == Wire.DENSE_SHAPE && wt == Wire.WT_VARINT) {
        dim(varint32(buf, p, end), at);
        p = next;
      } else if (field == Wire.DENSE_DTYPE && wt == Wire.WT_LEN) {
        int l = varint32(buf, p, end);
        Wire.checkLength(l, end - next, next);
        int s = next;
        p = s + l;
        if (lastDtypeText != null
            && java.util.Arrays.equals(lastDtypeBytes, 0, lastDtypeBytes.length, buf, s, p)) {
          dtypeText = lastDtypeText;
        } else {
          if (!Utf8Validation.isValid(buf, s, p))
            throw new MalformedDocumentException("tensor dtype is not valid UTF-8", s);
          dtypeText = new String(buf, s, l, java.nio.charset.StandardCharsets.UTF_8);
          lastDtypeBytes = java.util.Arrays.copyOfRange(buf, s, p);
          lastDtypeText = dtypeText;
          lastDtype = null; // set when it parses
        }
      } else {
        throw Wire.unexpected("DenseNdArrayProto", tag, at);
      }
    }
  }
}
