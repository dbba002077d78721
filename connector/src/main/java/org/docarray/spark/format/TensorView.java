package org.docarray.spark.format;

import com.google.protobuf.CodedInputStream;
import java.io.IOException;

/**
 * One decoded {@code NdArrayProto}, as a view on the document bytes: dtype, shape and where the
 * element buffer lies. Nothing is copied. Reused across documents by one reader.
 */
public final class TensorView {
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
    shape = NO_DIMS;
    data = buf;
    bufferOffset = off;
    bufferLength = 0;
    boolean sawDense = false;
    try {
      CodedInputStream in = CodedInputStream.newInstance(buf, off, len);
      while (true) {
        int tag = in.readTag();
        if (tag == 0) break;
        if (tag == Wire.tag(Wire.NDARRAY_DENSE, Wire.WT_LEN)) {
          int l = in.readRawVarint32();
          int start = off + in.getTotalBytesRead();
          Wire.checkLength(l, len - in.getTotalBytesRead(), start);
          parseDense(buf, start, l, limits);
          in.skipRawBytes(l);
          sawDense = true;
        } else if (tag == Wire.tag(2, Wire.WT_LEN)) {
          in.skipField(
              tag); // NdArrayProto.parameters: never written by DocArray, ignored when read
        } else {
          throw Wire.unexpected("NdArrayProto", tag, off + in.getTotalBytesRead());
        }
      }
    } catch (IOException e) {
      throw new MalformedDocumentException(
          "tensor (NdArrayProto) does not decode: " + e.getMessage(), off, e);
    }
    if (!sawDense || dtypeText == null) {
      throw new MalformedDocumentException(
          "tensor has no " + (sawDense ? "dtype" : "dense array"), off);
    }
    if ("None".equals(dtypeText)) {
      // DocVec's marker for a None column (docarray-format.md §7); callers treat it as null
      return this;
    }
    try {
      dtype = DType.parse(dtypeText);
    } catch (IllegalArgumentException e) {
      if (requireKnownDtype)
        throw new MalformedDocumentException("unknown tensor dtype: " + e.getMessage(), off);
      return this;
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

  /** Whether this is DocVec's None-column marker (dtype "None"). */
  public boolean isNoneMarker() {
    return "None".equals(dtypeText);
  }

  private void parseDense(byte[] buf, int off, int len, Limits limits) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(buf, off, len);
    int[] dims = NO_DIMS;
    int ndims = 0;
    while (true) {
      int tag = in.readTag();
      if (tag == 0) break;
      int field = tag >>> 3;
      int wt = tag & 7;
      if (field == Wire.DENSE_BUFFER && wt == Wire.WT_LEN) {
        int l = in.readRawVarint32();
        int start = off + in.getTotalBytesRead();
        Wire.checkLength(l, len - in.getTotalBytesRead(), start);
        bufferOffset = start;
        bufferLength = l;
        in.skipRawBytes(l);
      } else if (field == Wire.DENSE_SHAPE && wt == Wire.WT_LEN) {
        int l = in.readRawVarint32();
        Wire.checkLength(l, len - in.getTotalBytesRead(), off + in.getTotalBytesRead());
        int old = in.pushLimit(l);
        while (in.getBytesUntilLimit() > 0) {
          if (ndims == dims.length) dims = java.util.Arrays.copyOf(dims, Math.max(4, ndims * 2));
          dims[ndims++] = in.readUInt32();
          if (ndims > 64)
            throw new MalformedDocumentException("tensor has more than 64 dimensions", off);
        }
        in.popLimit(old);
      } else if (field == Wire.DENSE_SHAPE && wt == Wire.WT_VARINT) {
        if (ndims == dims.length) dims = java.util.Arrays.copyOf(dims, Math.max(4, ndims * 2));
        dims[ndims++] = in.readUInt32();
        if (ndims > 64)
          throw new MalformedDocumentException("tensor has more than 64 dimensions", off);
      } else if (field == Wire.DENSE_DTYPE && wt == Wire.WT_LEN) {
        dtypeText = in.readStringRequireUtf8();
      } else {
        throw Wire.unexpected("DenseNdArrayProto", tag, off + in.getTotalBytesRead());
      }
    }
    shape = ndims == 0 ? NO_DIMS : java.util.Arrays.copyOf(dims, ndims);
  }
}
