package org.docarray.spark.write;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.execution.datasources.OutputWriter;
import org.apache.spark.sql.types.StructType;
import org.docarray.spark.config.DocArrayWriteConf;
import org.docarray.spark.errors.SparkErrors;
import org.docarray.spark.format.Codec;
import org.docarray.spark.format.Protocol;
import org.docarray.spark.format.StreamFramingSource;
import org.docarray.spark.format.proto.DocProto;

/**
 * Writes one DocArray file. {@code protobuf}: the documents go (each compressed on its own) to a
 * local spill file, because the header needs the exact count before the first document and Hadoop
 * streams cannot seek back; on close the header and the spill are written out. {@code
 * protobuf-array}: field-1 records streamed straight through the whole-file codec. {@code docvec}:
 * rows collected and written as one DocVecProto on close.
 */
public final class DocArrayOutputWriter extends OutputWriter {
  private final String path;
  private final DocArrayWriteConf options;
  private final DocEncoder encoder;
  private final Configuration conf;
  private final Codec codec;
  private long count;

  /**
   * Bytes of the file before the next document (cut points are document starts in the final file).
   */
  private long offset;

  /**
   * Document-aligned cut points (offset, index) about every {@link #CUT_BYTES}, for the manifest.
   */
  private final java.util.List<long[]> cuts = new java.util.ArrayList<>();

  private long lastCut;

  /**
   * The spacing of the cut points a manifest records: a reader cuts a file at these instead of
   * walking it, at any split size down to this.
   */
  static final long CUT_BYTES = 1L << 20;

  private File spill;
  private DataOutputStream spillOut;
  private OutputStream arrayOut;
  private DocVecBuilder docVec;

  public DocArrayOutputWriter(
      String path, StructType schema, DocArrayWriteConf options, Configuration conf) {
    this.path = path;
    this.options = options;
    this.encoder = new DocEncoder(schema, options);
    this.conf = conf;
    this.codec = options.effectiveCodec();
    try {
      if (options.container == org.docarray.spark.config.Container.DOCVEC) {
        docVec = new DocVecBuilder(schema, encoder);
      } else if (options.protocol == Protocol.PROTOBUF) {
        offset = lastCut = StreamFramingSource.HEADER_BYTES;
        spill = File.createTempFile("docarray-spill-", ".bin");
        spill.deleteOnExit();
        spillOut =
            new DataOutputStream(new BufferedOutputStream(new FileOutputStream(spill), 1 << 16));
      } else {
        arrayOut = codec.compress(new BufferedOutputStream(create(), 1 << 16), true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot open " + path + " for writing", e);
    }
  }

  private OutputStream create() throws IOException {
    Path p = new Path(path);
    FileSystem fs = p.getFileSystem(conf);
    return fs.create(p, false);
  }

  @Override
  public void write(InternalRow row) {
    try {
      if (docVec != null) {
        docVec.add(row);
        count++;
        return;
      }
      DocProto doc = encoder.encode(row);
      byte[] bytes = doc.toByteArray();
      if (offset - lastCut >= CUT_BYTES) {
        cuts.add(new long[] {offset, count});
        lastCut = offset;
      }
      if (spillOut != null) {
        byte[] payload = codec == Codec.NONE ? bytes : codec.compressBytes(bytes, 0, bytes.length);
        spillOut.writeInt(payload.length);
        spillOut.write(payload);
        offset += 4 + payload.length;
      } else {
        arrayOut.write(0x0A);
        writeVarint(arrayOut, bytes.length);
        arrayOut.write(bytes);
        offset += 1 + varintSize(bytes.length) + bytes.length;
      }
      count++;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write document " + count + " to " + path, e);
    } catch (DocEncoder.UnwritableValueException e) {
      throw SparkErrors.translate(
          new DocEncoder.UnwritableValueException(
              e.getMessage() + " (row " + count + " of output file " + path + ")"));
    }
  }

  private static int varintSize(long v) {
    int n = 1;
    while ((v & ~0x7FL) != 0) {
      n++;
      v >>>= 7;
    }
    return n;
  }

  static void writeVarint(OutputStream out, long v) throws IOException {
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }

  @Override
  public void close() {
    try {
      if (docVec != null) {
        try (OutputStream out = codec.compress(new BufferedOutputStream(create(), 1 << 16), true)) {
          if (count > 0) docVec.build().writeTo(out);
        }
      } else if (spillOut != null) {
        spillOut.close();
        try (OutputStream out = new BufferedOutputStream(create(), 1 << 16);
            InputStream in = new FileInputStream(spill)) {
          byte[] header = new byte[StreamFramingSource.HEADER_BYTES];
          header[0] = StreamFramingSource.VERSION;
          for (int i = 0; i < 8; i++) header[1 + i] = (byte) (count >>> (56 - 8 * i));
          out.write(header);
          in.transferTo(out);
        }
      } else {
        arrayOut.close();
      }
      if (options.manifest) {
        // cut points only where a reader can cut: protobuf files, plain protobuf-array files
        boolean cuttable = docVec == null && (spillOut != null || codec == Codec.NONE);
        ShardManifestCommitter.writeCount(
            new Path(path), count, cuttable ? cuts : java.util.List.of(), conf);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot finish " + path, e);
    } catch (DocEncoder.UnwritableValueException e) {
      throw SparkErrors.translate(
          new DocEncoder.UnwritableValueException(e.getMessage() + " (output file " + path + ")"));
    } finally {
      if (spill != null && !spill.delete()) spill.deleteOnExit();
    }
  }

  @Override
  public String path() {
    return path;
  }
}
