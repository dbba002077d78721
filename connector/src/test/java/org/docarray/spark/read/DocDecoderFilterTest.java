package org.docarray.spark.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.sources.EqualTo;
import org.apache.spark.sql.types.StructType;
import org.docarray.spark.format.Limits;
import org.docarray.spark.format.MalformedDocumentException;
import org.docarray.spark.format.Wire;
import org.junit.jupiter.api.Test;

/**
 * Pushed filters judge a document on the values they read, before anything else in it is decoded.
 */
class DocDecoderFilterTest {
  private static final StructType SCHEMA = StructType.fromDDL("id STRING, text STRING, label INT");

  /**
   * A DocProto: id, then text (raw bytes, possibly not UTF-8), then label (the filtered field
   * last).
   */
  private static byte[] doc(String id, byte[] text, int label) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CodedOutputStream o = CodedOutputStream.newInstance(out);
    entry(o, "id", node(Wire.NODE_TEXT, id.getBytes(java.nio.charset.StandardCharsets.UTF_8), 0));
    entry(o, "text", node(Wire.NODE_TEXT, text, 0));
    entry(o, "label", node(Wire.NODE_INTEGER, null, label));
    o.flush();
    return out.toByteArray();
  }

  private static byte[] node(int field, byte[] bytes, int value) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CodedOutputStream o = CodedOutputStream.newInstance(out);
    if (bytes != null) o.writeByteArray(field, bytes);
    else o.writeInt32(field, value);
    o.flush();
    return out.toByteArray();
  }

  private static void entry(CodedOutputStream o, String key, byte[] value) throws IOException {
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    CodedOutputStream eo = CodedOutputStream.newInstance(e);
    eo.writeString(Wire.ENTRY_KEY, key);
    eo.writeByteArray(Wire.ENTRY_VALUE, value);
    eo.flush();
    o.writeByteArray(Wire.REPEATED_FIELD, e.toByteArray());
  }

  private static DocDecoder decoder(int label) {
    return new DocDecoder(SCHEMA, Limits.defaults())
        .filter(DocumentFilter.of(List.of(new EqualTo("label", label)), SCHEMA));
  }

  @Test
  void aRejectedDocumentIsNeverDecodedPastItsFilteredValues() throws IOException {
    byte[] badText = doc("a", new byte[] {(byte) 0xC3, (byte) 0x28}, 1); // 0xC3 0x28 is not UTF-8
    // label 1 fails `label = 3` before the text is looked at: no row and no error
    assertNull(decoder(3).decode(badText, 0, badText.length));
    // the same document kept by the filter is decoded in full, and its bad text is reported
    MalformedDocumentException e =
        assertThrows(
            MalformedDocumentException.class, () -> decoder(1).decode(badText, 0, badText.length));
    assertTrue(e.getMessage().contains("text is not valid UTF-8"), e.getMessage());
  }

  @Test
  void aKeptDocumentHasEveryValue() throws IOException {
    byte[] good = doc("b", "héllo".getBytes(java.nio.charset.StandardCharsets.UTF_8), 3);
    InternalRow row = decoder(3).decode(good, 0, good.length);
    assertNotNull(row);
    assertEquals("b", row.getUTF8String(0).toString());
    assertEquals("héllo", row.getUTF8String(1).toString());
    assertEquals(3, row.getInt(2));
    assertNull(decoder(4).decode(good, 0, good.length));
  }
}
