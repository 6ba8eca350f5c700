package io.adlake.avro;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adlake.config.AdlakeConfig.StreamNames;
import io.adlake.event.EventSink;
import io.adlake.event.EventType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.util.EnumMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * Writes the generator's events as Avro in the Confluent wire format into another sink. On
 * construction it sets each {@code <topic>-value} subject's compatibility and registers its writer
 * schema there, so an incompatible schema stops the producer before it writes anything. A record
 * the writer schema cannot hold (the generator breaks some on purpose) is passed on as the bytes it
 * was given, as a misconfigured producer would send it: the ingest quarantines it.
 */
public final class AvroEventSink implements EventSink {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final EventSink target;
  private final Map<EventType, Writer> writers = new EnumMap<>(EventType.class);
  private BinaryEncoder encoder;
  private long unencodable;

  private record Writer(int schemaId, GenericDatumWriter<Object> writer, Schema schema) {}

  /**
   * @param writerSchemas the schema each stream is written with; a stream not named here uses its
   *     current schema from {@code schemas/avro/}
   */
  public AvroEventSink(
      EventSink target,
      SchemaRegistryClient registry,
      String compatibility,
      StreamNames streams,
      Map<EventType, Schema> writerSchemas,
      PrintStream out) {
    this.target = requireNonNull(target, "target");
    for (EventType type : EventType.values()) {
      String subject = subject(type.streamName(streams));
      Schema schema = writerSchemas.getOrDefault(type, type.avroSchema());
      registry.setCompatibility(subject, compatibility);
      int id = registry.register(subject, schema);
      out.printf(
          "  schema of %s registered as id %d under subject %s (%s)%n",
          type.streamName(streams), id, subject, compatibility);
      writers.put(type, new Writer(id, new GenericDatumWriter<>(schema), schema));
    }
  }

  /** The Confluent naming strategy ({@code TopicNameStrategy}) for record values. */
  public static String subject(String topic) {
    return topic + "-value";
  }

  @Override
  public void send(EventType type, String key, byte[] value) {
    Writer writer = writers.get(type);
    byte[] record;
    try {
      record = ConfluentWireFormat.frame(writer.schemaId(), encode(writer, JSON.readTree(value)));
    } catch (IOException | IllegalArgumentException notRepresentable) {
      unencodable++;
      record = value;
    }
    target.send(type, key, record);
  }

  private byte[] encode(Writer writer, JsonNode json) throws IOException {
    Object datum = JsonToAvro.datum(json, writer.schema());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    encoder = EncoderFactory.get().binaryEncoder(bytes, encoder);
    writer.writer().write(datum, encoder);
    encoder.flush();
    return bytes.toByteArray();
  }

  /** Records passed on unencoded because their writer schema could not hold them. */
  public long unencodable() {
    return unencodable;
  }

  @Override
  public void flush() {
    target.flush();
  }

  @Override
  public void close() {
    target.close();
  }
}
