package org.docarray.spark.format;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.docarray.spark.format.proto.DenseNdArrayProto;
import org.docarray.spark.format.proto.DocListProto;
import org.docarray.spark.format.proto.DocProto;
import org.docarray.spark.format.proto.DocVecProto;
import org.docarray.spark.format.proto.ListOfAnyProto;
import org.docarray.spark.format.proto.ListOfDocVecProto;
import org.docarray.spark.format.proto.NdArrayProto;
import org.docarray.spark.format.proto.NodeProto;

/**
 * A {@code DocVecProto} file (DocArray's columnar {@code DocVec}, docarray-format.md §7) presented
 * row by row, as the {@code DocProto} each row would be in a DocList file: any-columns give their
 * row's node, stacked tensors their row's slice (tagged {@code ndarray}, as DocArray tags DocVec
 * rows), doc columns a nested document, docs-vec columns a DocList. So a DocVec file and a DocList
 * file of the same class read into the same Spark schema and mix in one read.
 *
 * <p>A DocVecProto can only be parsed whole (DocArray does the same), bounded by {@code
 * maxDecompressedFileBytes} and protobuf's 2 GiB message limit.
 */
public final class DocVecSource extends AbstractDocumentSource {
  private final DocVecProto vec;
  private final int rows;
  private final Limits limits;

  public DocVecSource(InputStream in, String fileName, Limits limits) throws IOException {
    super(fileName);
    this.limits = limits;
    // a DocVec is one message held whole (as in DocArray): it is bounded like a document
    CountingInputStream counted =
        new CountingInputStream(
            in, 0, Math.min(limits.maxDecompressedFileBytes, limits.maxDocumentBytes));
    byte[] whole;
    try {
      whole = counted.readAllBytes();
    } catch (CountingInputStream.LimitExceededException e) {
      throw new DocArrayFormatException(
          fileName,
          -1,
          e.limit,
          "DocVec file is larger than "
              + e.limit
              + " bytes: a DocVec is read whole, so it must fit maxDocumentBytes (raise the option for big DocVec files)");
    }
    // parsed from the bytes (protobuf's array decoder): its stream decoder can fail on malformed
    // input with an
    // ArrayIndexOutOfBoundsException instead of a protobuf error (found by DecoderFuzzTest)
    CodedInputStream cis = CodedInputStream.newInstance(whole);
    cis.setSizeLimit(Integer.MAX_VALUE);
    cis.setRecursionLimit(Math.max(100, limits.maxNestingDepth * 4));
    try {
      this.vec = DocVecProto.parseFrom(cis);
    } catch (InvalidProtocolBufferException e) {
      throw new DocArrayFormatException(
          fileName, -1, cis.getTotalBytesRead(), "not a DocVecProto: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new DocArrayFormatException(
          fileName,
          -1,
          cis.getTotalBytesRead(),
          "not a DocVecProto (malformed protobuf: " + e + ")",
          e);
    }
    try {
      this.rows = rowCount(vec, "");
      check(vec, rows, "");
    } catch (MalformedDocumentException e) {
      throw new DocArrayFormatException(fileName, -1, -1, e.getMessage(), e);
    }
  }

  /** Rows: the length of {@code any_columns["id"]} as DocArray takes it, else of any column. */
  static int rowCount(DocVecProto v, String path) {
    ListOfAnyProto ids = v.getAnyColumnsMap().get("id");
    if (ids != null) return ids.getDataCount();
    for (ListOfAnyProto c : v.getAnyColumnsMap().values()) return c.getDataCount();
    for (NdArrayProto t : v.getTensorColumnsMap().values()) {
      if (!isNoneMarker(t) && t.getDense().getShapeCount() > 0) return t.getDense().getShape(0);
    }
    for (ListOfDocVecProto l : v.getDocsVecColumnsMap().values())
      if (l.getDataCount() > 0) return l.getDataCount();
    throw new MalformedDocumentException(
        "DocVec" + where(path) + " has no column that gives its row count", -1);
  }

  /** Every column must have exactly as many rows as the DocVec. */
  private void check(DocVecProto v, int n, String path) {
    for (Map.Entry<String, ListOfAnyProto> e : v.getAnyColumnsMap().entrySet()) {
      if (e.getValue().getDataCount() != n)
        throw unequal(path, e.getKey(), e.getValue().getDataCount(), n);
    }
    for (Map.Entry<String, NdArrayProto> e : v.getTensorColumnsMap().entrySet()) {
      if (isNoneMarker(e.getValue())) continue;
      DenseNdArrayProto d = e.getValue().getDense();
      int first = d.getShapeCount() == 0 ? -1 : d.getShape(0);
      if (first != n) throw unequal(path, e.getKey(), first, n);
    }
    for (Map.Entry<String, DocVecProto> e : v.getDocColumnsMap().entrySet()) {
      if (isNoneColumn(e.getValue())) continue;
      int m = rowCount(e.getValue(), join(path, e.getKey()));
      if (m != n) throw unequal(path, e.getKey(), m, n);
      check(e.getValue(), n, join(path, e.getKey()));
    }
    for (Map.Entry<String, ListOfDocVecProto> e : v.getDocsVecColumnsMap().entrySet()) {
      int m = e.getValue().getDataCount();
      if (m != 0 && m != n) throw unequal(path, e.getKey(), m, n);
      for (int i = 0; i < m; i++) {
        DocVecProto sub = e.getValue().getData(i);
        check(
            sub,
            rowCount(sub, join(path, e.getKey()) + "[" + i + "]"),
            join(path, e.getKey()) + "[" + i + "]");
      }
    }
  }

  private static MalformedDocumentException unequal(String path, String column, int m, int n) {
    return new MalformedDocumentException(
        "DocVec column '"
            + join(path, column)
            + "' has "
            + m
            + " rows but the DocVec"
            + where(path)
            + " has "
            + n,
        -1);
  }

  private static String where(String path) {
    return path.isEmpty() ? "" : " '" + path + "'";
  }

  private static String join(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  static boolean isNoneMarker(NdArrayProto t) {
    return "None".equals(t.getDense().getDtype());
  }

  /** DocArray writes a None doc column as a DocVecProto with all four maps empty. */
  static boolean isNoneColumn(DocVecProto v) {
    return v.getTensorColumnsCount() == 0
        && v.getDocColumnsCount() == 0
        && v.getDocsVecColumnsCount() == 0
        && v.getAnyColumnsCount() == 0;
  }

  /** Row i of a DocVec as a DocProto. */
  private DocProto row(DocVecProto v, int i) {
    DocProto.Builder doc = DocProto.newBuilder();
    for (Map.Entry<String, ListOfAnyProto> e : v.getAnyColumnsMap().entrySet()) {
      doc.putData(e.getKey(), e.getValue().getData(i));
    }
    for (Map.Entry<String, NdArrayProto> e : v.getTensorColumnsMap().entrySet()) {
      doc.putData(
          e.getKey(),
          isNoneMarker(e.getValue())
              ? NodeProto.getDefaultInstance()
              : slice(e.getKey(), e.getValue(), i));
    }
    for (Map.Entry<String, DocVecProto> e : v.getDocColumnsMap().entrySet()) {
      doc.putData(
          e.getKey(),
          isNoneColumn(e.getValue())
              ? NodeProto.getDefaultInstance()
              : NodeProto.newBuilder().setDoc(row(e.getValue(), i)).build());
    }
    for (Map.Entry<String, ListOfDocVecProto> e : v.getDocsVecColumnsMap().entrySet()) {
      if (e.getValue().getDataCount() == 0) {
        doc.putData(e.getKey(), NodeProto.getDefaultInstance());
        continue;
      }
      DocVecProto sub = e.getValue().getData(i);
      int m = rowCount(sub, e.getKey());
      DocListProto.Builder list = DocListProto.newBuilder();
      for (int j = 0; j < m; j++) list.addDocs(row(sub, j));
      doc.putData(e.getKey(), NodeProto.newBuilder().setDocArray(list).build());
    }
    return doc.build();
  }

  private NodeProto slice(String column, NdArrayProto stacked, int i) {
    DenseNdArrayProto d = stacked.getDense();
    long per = 1;
    List<Integer> shape = new ArrayList<>(d.getShapeList().subList(1, d.getShapeCount()));
    for (int s : shape) per = Math.multiplyExact(per, Integer.toUnsignedLong(s));
    DType dtype;
    try {
      dtype = DType.parse(d.getDtype());
    } catch (IllegalArgumentException e) {
      throw new MalformedDocumentException(
          "DocVec tensor column '" + column + "': " + e.getMessage(), -1);
    }
    if (per > limits.maxTensorElements) {
      throw new MalformedDocumentException(
          "DocVec tensor column '"
              + column
              + "' rows have "
              + per
              + " elements, more than maxTensorElements",
          -1);
    }
    long bytes = per * dtype.itemSize();
    long n = d.getShapeCount() == 0 ? 0 : Integer.toUnsignedLong(d.getShape(0));
    if (bytes * n != d.getBuffer().size()) {
      throw new MalformedDocumentException(
          "DocVec tensor column '"
              + column
              + "' has "
              + d.getBuffer().size()
              + " bytes but shape "
              + d.getShapeList()
              + " x itemsize "
              + dtype.itemSize()
              + " needs "
              + bytes * n,
          -1);
    }
    ByteString part = d.getBuffer().substring((int) (bytes * i), (int) (bytes * (i + 1)));
    return NodeProto.newBuilder()
        .setNdarray(
            NdArrayProto.newBuilder()
                .setDense(
                    DenseNdArrayProto.newBuilder()
                        .setBuffer(part)
                        .addAllShape(shape)
                        .setDtype(d.getDtype())))
        .setType("ndarray")
        .build();
  }

  @Override
  public boolean next() {
    if (index + 1 >= rows) return false;
    index++;
    payloadError = null;
    try {
      current(row(vec, (int) index).toByteArray());
    } catch (MalformedDocumentException | ArithmeticException e) {
      // the columns are parsed: the other rows stay readable
      payloadError = "row " + index + ": " + e.getMessage();
      current(new byte[0]);
    }
    return true;
  }

  @Override
  public long declaredCount() {
    return rows;
  }

  @Override
  public void close() {}
}
