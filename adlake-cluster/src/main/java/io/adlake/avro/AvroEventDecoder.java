package io.adlake.avro;

import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.udf;

import io.adlake.config.AdlakeConfig.SchemaRegistrySettings;
import io.adlake.config.AdlakeConfig.StreamNames;
import io.adlake.event.EventDecoder;
import io.adlake.event.EventType;
import java.util.Collection;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Avro records in the Confluent wire format, decoded by schema id against the registry, into the
 * same struct the JSON decoder gives. Records that cannot be decoded get a quarantine reason of
 * their own.
 */
public final class AvroEventDecoder implements EventDecoder {
  /**
   * Shorter than the 5-byte header, or not starting with magic byte 0 (e.g. JSON sent to an Avro
   * topic).
   */
  public static final String BAD_MAGIC_BYTE = "avro_bad_magic_byte";

  /** The registry knows no schema with the record's id. */
  public static final String UNKNOWN_SCHEMA_ID = "avro_unknown_schema_id";

  /**
   * The bytes after the header are not a datum of the writer schema the id names, or that schema
   * does not resolve against the stream's (e.g. another topic's schema id).
   */
  public static final String UNDECODABLE = "avro_undecodable";

  private static final long serialVersionUID = 1L;
  private static final String ERROR = "_avro_error";

  /** The setting the registry URL comes from, named in errors. */
  public static final String URL_SETTING = "adlake.source.schema-registry.url";

  private final SchemaRegistrySettings registry;
  private final StreamNames streams;

  public AvroEventDecoder(SchemaRegistrySettings registry, StreamNames streams) {
    this.registry = requireNonNull(registry, "registry");
    this.streams = requireNonNull(streams, "streams");
    if (registry.url().isEmpty()) {
      throw new IllegalArgumentException(
          URL_SETTING + " must name the schema registry when records are Avro");
    }
  }

  @Override
  public Column decode(Column raw, EventType type) {
    StructType struct = type.schema();
    AvroRecordDecoding decoding =
        new AvroRecordDecoding(
            registry.url().get(), URL_SETTING, registry.timeout(), type.avroSchema(), struct);
    return udf(decoding, struct.add(ERROR, DataTypes.StringType)).apply(raw);
  }

  @Override
  public Column failure(Column raw, Column decoded) {
    return decoded.getField(ERROR);
  }

  /** The registry answers and each stream's subject has a schema, before any query starts. */
  @Override
  public void requireReady(Collection<EventType> types) {
    SchemaRegistryClient client = client();
    for (EventType type : types) {
      String topic = type.streamName(streams);
      client.requireSubject(AvroEventSink.subject(topic), topic);
    }
  }

  private SchemaRegistryClient client() {
    return new SchemaRegistryClient(registry.url().get(), URL_SETTING, registry.timeout());
  }

  @Override
  public String describe() {
    return "avro, schema registry " + registry.url().get();
  }
}
