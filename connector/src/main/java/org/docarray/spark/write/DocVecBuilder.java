package org.docarray.spark.write;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.docarray.spark.format.proto.DenseNdArrayProto;
import org.docarray.spark.format.proto.DocProto;
import org.docarray.spark.format.proto.DocVecProto;
import org.docarray.spark.format.proto.ListOfAnyProto;
import org.docarray.spark.format.proto.ListOfDocVecProto;
import org.docarray.spark.format.proto.NdArrayProto;
import org.docarray.spark.format.proto.NodeProto;
import org.docarray.spark.schema.TensorTypes;

/**
 * Collects rows and writes them as one {@code DocVecProto} (docarray-format.md §7): tensor fields
 * stacked into {@code tensor_columns} (every row the same shape and dtype; an all-null column is
 * the {@code None} marker), nested documents as {@code doc_columns}, DocList fields as {@code
 * docs_vec_columns} (one DocVec per row), everything else as {@code any_columns}.
 */
final class DocVecBuilder {
  private final StructType schema;
  private final DocEncoder encoder;
  private final List<DocProto> rows = new ArrayList<>();

  DocVecBuilder(StructType schema, DocEncoder encoder) {
    this.schema = schema;
    this.encoder = encoder;
  }

  void add(InternalRow row) {
    rows.add(encoder.encode(row));
  }

  DocVecProto build() {
    StructType withId = schema;
    boolean hasId = false;
    for (String n : schema.fieldNames()) hasId |= n.equals("id");
    if (!hasId) {
      withId = new StructType().add("id", org.apache.spark.sql.types.DataTypes.StringType);
      for (StructField f : schema.fields()) withId = withId.add(f);
    }
    List<String> ids = new ArrayList<>(rows.size());
    for (DocProto d : rows) {
      NodeProto id = d.getDataOrDefault("id", NodeProto.getDefaultInstance());
      ids.add(id.getContentCase() == NodeProto.ContentCase.TEXT ? id.getText() : null);
    }
    return columns("", withId, rows, ids);
  }

  /** What to write instead, in the words of both entry points. */
  private static final String INSTEAD =
      ": write the DocList layout instead (option container=doclist; write_shards(layout='doclist'))";

  /** The document a row belongs to, for errors: its id, else its position in the file. */
  private static String document(List<String> owners, int k) {
    String id = owners.get(k);
    return id != null ? "document id='" + id + "'" : "document " + k + " of the file";
  }

  private static DocVecProto columns(
      String path, StructType s, List<DocProto> docs, List<String> owners) {
    DocVecProto.Builder v = DocVecProto.newBuilder();
    for (StructField f : s.fields()) {
      String p = path.isEmpty() ? f.name() : path + "." + f.name();
      List<NodeProto> nodes = new ArrayList<>(docs.size());
      for (DocProto d : docs)
        nodes.add(d.getDataOrDefault(f.name(), NodeProto.getDefaultInstance()));
      DataType t = f.dataType();
      if (isTensor(t)) {
        v.putTensorColumns(f.name(), stack(p, nodes, owners));
      } else if (t instanceof StructType) {
        if (allNull(nodes)) {
          v.putDocColumns(f.name(), DocVecProto.getDefaultInstance());
        } else {
          List<DocProto> sub = new ArrayList<>();
          for (int k = 0; k < nodes.size(); k++)
            sub.add(requireContent(p, nodes, k, owners).getDoc());
          v.putDocColumns(f.name(), columns(p, (StructType) t, sub, owners));
        }
      } else if (t instanceof ArrayType
          && ((ArrayType) t).elementType() instanceof StructType
          && nodes.stream().allMatch(n -> n.getContentCase() != NodeProto.ContentCase.LIST)) {
        ListOfDocVecProto.Builder l = ListOfDocVecProto.newBuilder();
        if (!allNull(nodes)) {
          for (int k = 0; k < nodes.size(); k++) {
            List<DocProto> sub = requireContent(p, nodes, k, owners).getDocArray().getDocsList();
            if (sub.isEmpty()) {
              throw new DocEncoder.UnwritableValueException(
                  "DocList column '"
                      + p
                      + "' is an empty list in "
                      + document(owners, k)
                      + "; a DocVec cannot hold empty DocLists (DocArray cannot either)"
                      + INSTEAD);
            }
            l.addData(
                columns(
                    p,
                    (StructType) ((ArrayType) t).elementType(),
                    sub,
                    java.util.Collections.nCopies(sub.size(), owners.get(k))));
          }
        }
        v.putDocsVecColumns(f.name(), l.build());
      } else {
        v.putAnyColumns(f.name(), ListOfAnyProto.newBuilder().addAllData(nodes).build());
      }
    }
    return v.build();
  }

  private static boolean isTensor(DataType t) {
    if (t instanceof StructType) return TensorTypes.holdsTensor((StructType) t);
    return TensorTypes.isVector(t)
        || (t instanceof ArrayType && TensorTypes.isTensorElement(((ArrayType) t).elementType()));
  }

  private static boolean allNull(List<NodeProto> nodes) {
    for (NodeProto n : nodes)
      if (n.getContentCase() != NodeProto.ContentCase.CONTENT_NOT_SET) return false;
    return true;
  }

  private static NodeProto requireContent(
      String path, List<NodeProto> nodes, int k, List<String> owners) {
    NodeProto n = nodes.get(k);
    if (n.getContentCase() == NodeProto.ContentCase.CONTENT_NOT_SET) {
      throw new DocEncoder.UnwritableValueException(
          "Column '"
              + path
              + "' is null in some rows but not in others (null in "
              + document(owners, k)
              + "); a DocVec column is either all null or all set (DocArray's rule)"
              + INSTEAD);
    }
    return n;
  }

  private static NdArrayProto stack(String path, List<NodeProto> nodes, List<String> owners) {
    if (allNull(nodes)) {
      return NdArrayProto.newBuilder()
          .setDense(DenseNdArrayProto.newBuilder().setDtype("None").addShape(0))
          .build();
    }
    DenseNdArrayProto first = null;
    List<ByteString> parts = new ArrayList<>(nodes.size());
    for (int k = 0; k < nodes.size(); k++) {
      DenseNdArrayProto d = requireContent(path, nodes, k, owners).getNdarray().getDense();
      if (first == null) {
        first = d;
      } else if (!first.getShapeList().equals(d.getShapeList())
          || !first.getDtype().equals(d.getDtype())) {
        throw new DocEncoder.UnwritableValueException(
            "Tensor column '"
                + path
                + "' has rows of shape/dtype "
                + first.getShapeList()
                + "/"
                + first.getDtype()
                + " and "
                + d.getShapeList()
                + "/"
                + d.getDtype()
                + " ("
                + document(owners, k)
                + "); a DocVec stacks equal tensors only"
                + INSTEAD);
      }
      parts.add(d.getBuffer());
    }
    DenseNdArrayProto.Builder out =
        DenseNdArrayProto.newBuilder()
            .setDtype(first.getDtype())
            .addShape(nodes.size())
            .addAllShape(first.getShapeList())
            .setBuffer(ByteString.copyFrom(parts));
    return NdArrayProto.newBuilder().setDense(out).build();
  }
}
