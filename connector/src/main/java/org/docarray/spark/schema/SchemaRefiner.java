package org.docarray.spark.schema;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Completes a declared schema with what the files show: the declaration decides the structure and
 * every field's presence and type; the data fills in what declarations do not say (tensor dtypes
 * and the tags the writer used, element types of untyped containers, v1 DocList element classes).
 * Positions the data never shows keep the declared type (float32 tensors, JSON for untyped
 * containers).
 */
public final class SchemaRefiner {
  private SchemaRefiner() {}

  public static StructType refine(StructType declared, StructType inferred) {
    List<StructField> out = new ArrayList<>();
    for (StructField f : declared.fields()) {
      StructField g = find(inferred, f.name());
      out.add(g == null ? clean(f) : field(f, g));
    }
    return new StructType(out.toArray(new StructField[0]));
  }

  private static StructField find(StructType s, String name) {
    if (s == null) return null;
    for (StructField f : s.fields()) if (f.name().equals(name)) return f;
    return null;
  }

  private static boolean seen(StructField g) {
    return g.metadata().contains(DocArrayMetadata.KIND);
  }

  private static StructField field(StructField f, StructField g) {
    boolean open = f.metadata().contains(DeclaredSchema.OPEN);
    DataType ft = f.dataType();
    DataType gt = g.dataType();
    String fKind = DocArrayMetadata.getString(f, DocArrayMetadata.KIND);
    if (open && seen(g)) {
      if (DocArrayMetadata.KIND_TENSOR.equals(fKind)) {
        if (!DocArrayMetadata.isKind(g, DocArrayMetadata.KIND_TENSOR)) return clean(f);
        MetadataBuilder m = new MetadataBuilder().withMetadata(g.metadata());
        String shape = DocArrayMetadata.getString(f, DocArrayMetadata.SHAPE);
        if (shape != null) m.putString(DocArrayMetadata.SHAPE, shape);
        if (!g.metadata().contains(DocArrayMetadata.TAG)
            && f.metadata().contains(DocArrayMetadata.TAG)) {
          m.putString(DocArrayMetadata.TAG, DocArrayMetadata.getString(f, DocArrayMetadata.TAG));
        }
        return new StructField(f.name(), gt, true, m.build());
      }
      return new StructField(f.name(), gt, true, g.metadata());
    }
    DataType t = ft;
    if (ft instanceof StructType
        && gt instanceof StructType
        && !DocArrayMetadata.KIND_TENSOR.equals(fKind)) {
      t = refine((StructType) ft, (StructType) gt);
    } else if (ft instanceof ArrayType
        && gt instanceof ArrayType
        && ((ArrayType) ft).elementType() instanceof StructType
        && ((ArrayType) gt).elementType() instanceof StructType) {
      t =
          new ArrayType(
              refine(
                  (StructType) ((ArrayType) ft).elementType(),
                  (StructType) ((ArrayType) gt).elementType()),
              ((ArrayType) ft).containsNull());
    }
    MetadataBuilder m = new MetadataBuilder().withMetadata(withoutOpen(f.metadata()));
    // the tag the file really carries (a union's runtime class) is better than the declared one
    if (seen(g) && g.metadata().contains(DocArrayMetadata.TAG) && sameKind(f, g)) {
      m.putString(DocArrayMetadata.TAG, DocArrayMetadata.getString(g, DocArrayMetadata.TAG));
    }
    return new StructField(f.name(), t, true, m.build());
  }

  private static boolean sameKind(StructField f, StructField g) {
    String a = DocArrayMetadata.getString(f, DocArrayMetadata.KIND);
    String b = DocArrayMetadata.getString(g, DocArrayMetadata.KIND);
    return a != null && a.equals(b);
  }

  private static StructField clean(StructField f) {
    DataType t = f.dataType();
    if (t instanceof StructType && !DocArrayMetadata.isKind(f, DocArrayMetadata.KIND_TENSOR))
      t = refine((StructType) t, null);
    if (t instanceof ArrayType && ((ArrayType) t).elementType() instanceof StructType) {
      t =
          new ArrayType(
              refine((StructType) ((ArrayType) t).elementType(), null),
              ((ArrayType) t).containsNull());
    }
    return new StructField(f.name(), t, true, withoutOpen(f.metadata()));
  }

  private static Metadata withoutOpen(Metadata m) {
    if (!m.contains(DeclaredSchema.OPEN)) return m;
    MetadataBuilder b = new MetadataBuilder();
    for (String key :
        new String[] {
          DocArrayMetadata.KIND,
          DocArrayMetadata.TAG,
          DocArrayMetadata.DTYPE,
          DocArrayMetadata.SHAPE
        }) {
      if (m.contains(key)) b.putString(key, m.getString(key));
    }
    return b.build();
  }
}
