package io.adlake.avro;

import java.nio.ByteBuffer;

/**
 * The Confluent wire format of one Kafka record value: magic byte 0, the writer schema's registry
 * id as a 4-byte big-endian integer, then the Avro binary encoding of the datum. Confluent,
 * Apicurio (ccompat) and Karapace clients all read and write it.
 */
public final class ConfluentWireFormat {
  public static final byte MAGIC_BYTE = 0;
  public static final int HEADER_BYTES = 5;

  private ConfluentWireFormat() {}

  public static byte[] frame(int schemaId, byte[] avroBinary) {
    return ByteBuffer.allocate(HEADER_BYTES + avroBinary.length)
        .put(MAGIC_BYTE)
        .putInt(schemaId)
        .put(avroBinary)
        .array();
  }

  /** True when the record starts with the magic byte and holds a whole header. */
  public static boolean isFramed(byte[] record) {
    return record != null && record.length >= HEADER_BYTES && record[0] == MAGIC_BYTE;
  }

  public static int schemaId(byte[] record) {
    if (!isFramed(record)) {
      throw new IllegalArgumentException(
          "Not a Confluent wire-format record (magic byte 0 + 4-byte schema id): "
              + (record == null ? "null" : record.length + " bytes"));
    }
    return ByteBuffer.wrap(record, 1, 4).getInt();
  }
}
