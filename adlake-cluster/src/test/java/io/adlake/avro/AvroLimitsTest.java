package io.adlake.avro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.SystemLimitException;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

/**
 * A record claiming a huge length is refused before Avro allocates it; an honest length decodes as
 * before.
 */
class AvroLimitsTest {
  @Test
  void aClaimedLengthBeyondTheLimitIsRefusedWithoutAllocatingIt() throws IOException {
    AvroLimits.apply();
    for (String type :
        new String[] {"\"string\"", "\"bytes\"", "{\"type\": \"array\", \"items\": \"long\"}"}) {
      Schema schema = new Schema.Parser().parse(type);
      // 1.5 GB claimed in a 5-byte record: without the limit, Avro allocates it before it finds the
      // record short.
      assertThrows(SystemLimitException.class, () -> read(schema, 1_500_000_000L), type);
      // A claim within the limit goes on to the usual end: the record is shorter than it says.
      assertThrows(EOFException.class, () -> read(schema, AvroLimits.MAX_LENGTH - 1), type);
    }
    for (String property : AvroLimits.PROPERTIES) {
      assertEquals(Integer.toString(AvroLimits.MAX_LENGTH), System.getProperty(property), property);
    }
  }

  private static void read(Schema schema, long claimedLength) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
    encoder.writeLong(claimedLength);
    encoder.flush();
    new GenericDatumReader<>(schema)
        .read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
  }
}
