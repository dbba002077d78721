package org.docarray.spark.read;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.docarray.spark.config.Container;
import org.docarray.spark.config.DocArrayReadConf;
import org.docarray.spark.format.ArrayFramingSource;
import org.docarray.spark.format.DocumentSource;
import org.docarray.spark.format.FileFormatDetector;
import org.docarray.spark.format.JsonHints;
import org.docarray.spark.format.Protocol;
import org.docarray.spark.format.StreamFramingSource;

/** Opens one DocArray file as a {@link DocumentSource}: framing and codec from name and options. */
public final class DocumentFiles {
  private DocumentFiles() {}

  private static final int BUFFER = 256 * 1024;

  /** Refuses the formats that are never read, with the reason and the way out. */
  public static void checkReadable(String path, FileFormatDetector.Detected d) {
    if (d.protocol.isPickle()) {
      // the user's protocol option, not the file, may say pickle: then say so, and what the name
      // says the file is
      FileFormatDetector.Detected byName =
          FileFormatDetector.detect(path.substring(path.lastIndexOf('/') + 1), null, null);
      if (!byName.protocol.isPickle()) {
        throw new UnsupportedOperationException(
            "Refusing to read "
                + path
                + " as a Python pickle: the 'protocol' option "
                + "says '"
                + d.protocol.wireName()
                + "', but by its name the file is '"
                + byName
                + "'. docarray-spark never "
                + "reads pickles; drop the option (or set protocol='"
                + byName.protocol.wireName()
                + "') to read it as "
                + "DocArray wrote it.");
      }
      throw new UnsupportedOperationException(
          "Refusing to read "
              + path
              + ": it is a Python pickle (protocol '"
              + d.protocol.wireName()
              + "'). Loading a pickle runs arbitrary Python code from the file, so docarray-spark "
              + "never reads pickles, and a JVM could not rebuild the Python objects anyway. In Python, load it with "
              + "DocList[MyDoc].load_binary(path, protocol='"
              + d.protocol.wireName()
              + "') and save it again with "
              + "save_binary(path, protocol='protobuf') (or 'protobuf-array'), which docarray-spark reads.");
    }
    if (d.protocol == Protocol.JSON) {
      throw new UnsupportedOperationException(
          "Cannot read "
              + path
              + ": protocol 'json' is not a DocList file format "
              + "(DocArray itself cannot save or load it); use protocol 'json-array'.");
    }
  }

  /** Opens a whole file. */
  public static DocumentSource open(
      String path, long length, DocArrayReadConf options, Configuration conf, JsonHints hints)
      throws IOException {
    FileFormatDetector.Detected d = options.detect(path);
    checkReadable(path, d);
    Path p = new Path(path);
    FileSystem fs = p.getFileSystem(conf);
    FSDataInputStream raw = fs.open(p, BUFFER);
    try {
      return open(raw, path, length, d, options, hints);
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw e;
    }
  }

  /** Opens a document-aligned byte range of a splittable file (see {@link FileSplits}). */
  static DocumentSource openRange(
      DocArrayFileSplit split, DocArrayReadConf options, Configuration conf) throws IOException {
    String path = split.file.path;
    FileFormatDetector.Detected d = options.detect(path);
    Path p = new Path(path);
    FSDataInputStream raw = p.getFileSystem(conf).open(p, BUFFER);
    try {
      raw.seek(split.start);
      InputStream in = new BufferedInputStream(raw, BUFFER);
      if (d.protocol == Protocol.PROTOBUF) {
        return new StreamFramingSource(
            in,
            path,
            split.file.length,
            d.codec,
            options.limits,
            split.start,
            split.end,
            split.firstIndex,
            -1);
      }
      return new ArrayFramingSource(
          in, path, options.limits, split.start, split.end, split.firstIndex);
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw e;
    }
  }

  static DocumentSource open(
      InputStream raw,
      String path,
      long length,
      FileFormatDetector.Detected d,
      DocArrayReadConf options,
      JsonHints hints)
      throws IOException {
    Boolean docVec =
        options.container == Container.AUTO ? null : options.container == Container.DOCVEC;
    return org.docarray.spark.format.DocumentSources.open(
        raw, path, length, d, options.limits, docVec, hints);
  }
}
