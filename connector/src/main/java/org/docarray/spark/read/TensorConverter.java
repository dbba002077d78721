package org.docarray.spark.read;

import java.nio.ByteBuffer;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Decimal;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.unsafe.Platform;
import org.docarray.spark.format.DType;
import org.docarray.spark.format.Half;
import org.docarray.spark.format.MalformedDocumentException;
import org.docarray.spark.format.TensorView;

/**
 * Copies a tensor's element buffer into a Spark array of the column's element type. The common case
 * (the stored dtype is the column's own type) is one bulk copy through a typed NIO view; other
 * dtypes widen element by element (ragged dtypes, user-declared wider types) and fail rather than
 * lose information when narrowing.
 */
final class TensorConverter {
  private TensorConverter() {}

  static ArrayData shape(int[] shape) {
    return UnsafeArrayData.fromPrimitiveArray(shape);
  }

  private static final boolean NATIVE_LE =
      java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN;

  /**
   * The stored dtype is exactly the column's element type, little-endian: one bulk copy into
   * Spark's layout.
   */
  static boolean sameLayout(DType d, DataType target) {
    if (!NATIVE_LE || d.bigEndian()) return false;
    switch (d.kind()) {
      case FLOAT:
        return (d.itemSize() == 4 && target == DataTypes.FloatType)
            || (d.itemSize() == 8 && target == DataTypes.DoubleType);
      case INT:
        return (d.itemSize() == 1 && target == DataTypes.ByteType)
            || (d.itemSize() == 2 && target == DataTypes.ShortType)
            || (d.itemSize() == 4 && target == DataTypes.IntegerType)
            || (d.itemSize() == 8 && target == DataTypes.LongType);
      default:
        return false;
    }
  }

  static ArrayData data(TensorView t, DataType target, String path) {
    DType d = t.dtype;
    int n = (int) t.elementCount;
    if (sameLayout(d, target)) {
      return UnsafeArrayData.fromPrimitiveArray(
          t.data, Platform.BYTE_ARRAY_OFFSET + t.bufferOffset, n, d.itemSize());
    }
    ByteBuffer bb =
        ByteBuffer.wrap(t.data, t.bufferOffset, t.bufferLength).slice().order(d.byteOrder());
    int size = d.itemSize();
    switch (d.kind()) {
      case FLOAT:
        if (size == 4 && target == DataTypes.FloatType) {
          float[] a = new float[n];
          bb.asFloatBuffer().get(a);
          return UnsafeArrayData.fromPrimitiveArray(a);
        }
        if (size == 8 && target == DataTypes.DoubleType) {
          double[] a = new double[n];
          bb.asDoubleBuffer().get(a);
          return UnsafeArrayData.fromPrimitiveArray(a);
        }
        if (size == 2 && target == DataTypes.FloatType) {
          float[] a = new float[n];
          for (int i = 0; i < n; i++) a[i] = Half.toFloat(bb.getShort(i * 2));
          return UnsafeArrayData.fromPrimitiveArray(a);
        }
        if (target == DataTypes.DoubleType) {
          double[] a = new double[n];
          for (int i = 0; i < n; i++)
            a[i] = size == 2 ? Half.toFloat(bb.getShort(i * 2)) : bb.getFloat(i * 4);
          return UnsafeArrayData.fromPrimitiveArray(a);
        }
        throw mismatch(t, target, path);
      case BOOL:
        if (target == DataTypes.BooleanType) {
          boolean[] a = new boolean[n];
          for (int i = 0; i < n; i++) a[i] = bb.get(i) != 0;
          return UnsafeArrayData.fromPrimitiveArray(a);
        }
        // a boolean tensor in a numeric column (its dtype kept beside it): 0 and 1
        return integers(t, ByteBuffer.wrap(booleansAsBytes(bb, n)), n, 1, true, target, path);
      case INT:
      case UINT:
        return integers(t, bb, n, size, d.kind() == DType.Kind.UINT, target, path);
      default:
        throw new MalformedDocumentException(
            "Tensor field '"
                + path
                + "' has dtype '"
                + t.dtypeText
                + "', which typed tensors cannot represent; read it with option tensorMode=binary",
            t.bufferOffset);
    }
  }

  private static ArrayData integers(
      TensorView t,
      ByteBuffer bb,
      int n,
      int size,
      boolean unsigned,
      DataType target,
      String path) {
    boolean signedSame =
        !unsigned
            && ((size == 1 && target == DataTypes.ByteType)
                || (size == 2 && target == DataTypes.ShortType)
                || (size == 4 && target == DataTypes.IntegerType)
                || (size == 8 && target == DataTypes.LongType));
    if (signedSame) {
      switch (size) {
        case 1:
          {
            byte[] a = new byte[n];
            bb.get(a);
            return UnsafeArrayData.fromPrimitiveArray(a);
          }
        case 2:
          {
            short[] a = new short[n];
            bb.asShortBuffer().get(a);
            return UnsafeArrayData.fromPrimitiveArray(a);
          }
        case 4:
          {
            int[] a = new int[n];
            bb.asIntBuffer().get(a);
            return UnsafeArrayData.fromPrimitiveArray(a);
          }
        default:
          {
            long[] a = new long[n];
            bb.asLongBuffer().get(a);
            return UnsafeArrayData.fromPrimitiveArray(a);
          }
      }
    }
    if (target instanceof DecimalType) {
      Object[] a = new Object[n];
      for (int i = 0; i < n; i++) {
        long v = read(bb, i, size, unsigned);
        a[i] =
            unsigned && size == 8 && v < 0
                ? Decimal.apply(
                    new java.math.BigDecimal(new java.math.BigInteger(Long.toUnsignedString(v))))
                : Decimal.apply(v);
      }
      return new GenericArrayData(a);
    }
    if (target == DataTypes.DoubleType || target == DataTypes.FloatType) {
      // integers in a float column (documents that disagree on dtype): exact, or an error, never
      // rounded
      if (target == DataTypes.DoubleType) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
          long v = read(bb, i, size, unsigned);
          boolean big = unsigned && size == 8 && v < 0;
          a[i] = big ? Double.parseDouble(Long.toUnsignedString(v)) : v;
          if (big
              ? !new java.math.BigDecimal(a[i])
                  .toBigInteger()
                  .equals(new java.math.BigInteger(Long.toUnsignedString(v)))
              : (long) a[i] != v || a[i] >= 0x1p63) {
            throw inexact(t, i, big ? Long.toUnsignedString(v) : Long.toString(v), target, path);
          }
        }
        return UnsafeArrayData.fromPrimitiveArray(a);
      }
      float[] a = new float[n];
      for (int i = 0; i < n; i++) {
        long v = read(bb, i, size, unsigned);
        a[i] = v;
        if ((unsigned && size == 8 && v < 0) || (long) a[i] != v)
          throw inexact(t, i, Long.toString(v), target, path);
      }
      return UnsafeArrayData.fromPrimitiveArray(a);
    }
    long min, max;
    if (target == DataTypes.ByteType) {
      min = Byte.MIN_VALUE;
      max = Byte.MAX_VALUE;
    } else if (target == DataTypes.ShortType) {
      min = Short.MIN_VALUE;
      max = Short.MAX_VALUE;
    } else if (target == DataTypes.IntegerType) {
      min = Integer.MIN_VALUE;
      max = Integer.MAX_VALUE;
    } else if (target == DataTypes.LongType) {
      min = Long.MIN_VALUE;
      max = Long.MAX_VALUE;
    } else throw mismatch(t, target, path);
    long[] vals = new long[n];
    for (int i = 0; i < n; i++) {
      long v = read(bb, i, size, unsigned);
      if ((unsigned && size == 8 && v < 0) || v < min || v > max) {
        throw new MalformedDocumentException(
            "Tensor field '"
                + path
                + "' element "
                + i
                + " of dtype "
                + t.dtypeText
                + " does not fit the column's "
                + target.simpleString()
                + "; declare a wider type",
            t.bufferOffset);
      }
      vals[i] = v;
    }
    if (target == DataTypes.ByteType) {
      byte[] a = new byte[n];
      for (int i = 0; i < n; i++) a[i] = (byte) vals[i];
      return UnsafeArrayData.fromPrimitiveArray(a);
    }
    if (target == DataTypes.ShortType) {
      short[] a = new short[n];
      for (int i = 0; i < n; i++) a[i] = (short) vals[i];
      return UnsafeArrayData.fromPrimitiveArray(a);
    }
    if (target == DataTypes.IntegerType) {
      int[] a = new int[n];
      for (int i = 0; i < n; i++) a[i] = (int) vals[i];
      return UnsafeArrayData.fromPrimitiveArray(a);
    }
    return UnsafeArrayData.fromPrimitiveArray(vals);
  }

  private static long read(ByteBuffer bb, int i, int size, boolean unsigned) {
    switch (size) {
      case 1:
        return unsigned ? bb.get(i) & 0xffL : bb.get(i);
      case 2:
        return unsigned ? bb.getShort(i * 2) & 0xffffL : bb.getShort(i * 2);
      case 4:
        return unsigned ? bb.getInt(i * 4) & 0xffffffffL : bb.getInt(i * 4);
      default:
        return bb.getLong(i * 8);
    }
  }

  private static byte[] booleansAsBytes(ByteBuffer bb, int n) {
    byte[] out = new byte[n];
    for (int i = 0; i < n; i++) out[i] = (byte) (bb.get(i) != 0 ? 1 : 0);
    return out;
  }

  private static MalformedDocumentException inexact(
      TensorView t, int i, String value, DataType target, String path) {
    return new MalformedDocumentException(
        "Tensor field '"
            + path
            + "' element "
            + i
            + " = "
            + value
            + " of dtype "
            + t.dtypeText
            + " has no exact "
            + target.simpleString()
            + " in the column's type (its documents mix integer "
            + "and float dtypes); read it with option tensorMode=binary, or declare the column's element type",
        t.bufferOffset);
  }

  private static MalformedDocumentException mismatch(TensorView t, DataType target, String path) {
    return new MalformedDocumentException(
        "Tensor field '"
            + path
            + "' has dtype "
            + t.dtypeText
            + ", which does not convert to the column's element type "
            + target.simpleString()
            + "; declare a matching type or read with tensorMode=binary",
        t.bufferOffset);
  }
}
