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
    return columns("", withId, rows);
  }

  private static DocVecProto columns(String path, StructType s, List<DocProto> docs) {
    DocVecProto.Builder v = DocVecProto.newBuilder();
    for (StructField f : s.fields()) {
      String p = path.isEmpty() ? f.name() : path + "." + f.name();
      List<NodeProto> nodes = new ArrayList<>(docs.size());
      for (DocProto d : docs)
        nodes.add(d.getDataOrDefault(f.name(), NodeProto.getDefaultInstance()));
      DataType t = f.dataType();
      if (isTensor(t)) {
        v.putTensorColumns(f.name(), stack(p, nodes));
      } else if (t instanceof StructType) {
        if (allNull(nodes)) {
          v.putDocColumns(f.name(), DocVecProto.getDefaultInstance());
        } else {
          List<DocProto> sub = new ArrayList<>();
          for (NodeProto n : nodes) sub.add(requireContent(p, n).getDoc());
          v.putDocColumns(f.name(), columns(p, (StructType) t, sub));
        }
      } else if (t instanceof ArrayType
          && ((ArrayType) t).elementType() instanceof StructType
          && nodes.stream().allMatch(n -> n.getContentCase() != NodeProto.ContentCase.LIST)) {
        ListOfDocVecProto.Builder l = ListOfDocVecProto.newBuilder();
        if (!allNull(nodes)) {
          for (NodeProto n : nodes) {
            List<DocProto> sub = requireContent(p, n).getDocArray().getDocsList();
            if (sub.isEmpty()) {
              throw new DocEncoder.UnwritableValueException(
                  "DocList column '"
                      + p
                      + "' has an empty list; a DocVec cannot "
                      + "hold empty DocLists (DocArray cannot either): write container=doclist");
            }
            l.addData(columns(p, (StructType) ((ArrayType) t).elementType(), sub));
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

  private static NodeProto requireContent(String path, NodeProto n) {
    if (n.getContentCase() == NodeProto.ContentCase.CONTENT_NOT_SET) {
      throw new DocEncoder.UnwritableValueException(
          "Column '"
              + path
              + "' is null in some rows but not in others; a DocVec "
              + "column is either all null or all set (DocArray's rule): write container=doclist");
    }
    return n;
  }

  private static NdArrayProto stack(String path, List<NodeProto> nodes) {
    if (allNull(nodes)) {
      return NdArrayProto.newBuilder()
          .setDense(DenseNdArrayProto.newBuilder().setDtype("None").addShape(0))
          .build();
    }
    DenseNdArrayProto first = null;
    List<ByteString> parts = new ArrayList<>(nodes.size());
    for (NodeProto n : nodes) {
      DenseNdArrayProto d = requireContent(path, n).getNdarray().getDense();
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
                + "; a DocVec stacks equal tensors only: write container=doclist");
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
