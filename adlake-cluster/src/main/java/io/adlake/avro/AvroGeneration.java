package io.adlake.avro;

import io.adlake.config.AdlakeConfig;
import io.adlake.config.AdlakeConfig.SchemaRegistrySettings;
import io.adlake.config.AdlakeConfig.StreamNames;
import io.adlake.event.EventSink;
import io.adlake.event.EventType;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/** How {@code generate --format avro}, the demo and the bench turn a sink into an Avro producer. */
public final class AvroGeneration {
  private AvroGeneration() {}

  /**
   * An {@link AvroEventSink} over {@code target} with the configured registry, subjects registered.
   */
  public static AvroEventSink sink(
      EventSink target,
      AdlakeConfig config,
      Map<EventType, Schema> writerSchemas,
      PrintStream out) {
    SchemaRegistrySettings registry = config.source().schemaRegistry();
    String url =
        registry
            .url()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "--format avro needs a schema "
                            + "registry: give --schema-registry URL or set adlake.source.schema-registry.url"));
    out.printf("Writing Avro (Confluent wire format), schemas in the registry at %s%n", url);
    SchemaRegistryClient client =
        new SchemaRegistryClient(
            url, AvroEventDecoder.URL_SETTING + " / --schema-registry", registry.timeout());
    return new AvroEventSink(
        target, client, registry.compatibility().name(), config.streams(), writerSchemas, out);
  }

  /**
   * {@code --writer-schema} values, keyed by stream name as in {@code adlake.streams.*}, read and
   * parsed.
   */
  public static Map<EventType, Schema> writerSchemas(Map<String, Path> byStream)
      throws IOException {
    Map<String, EventType> names =
        Arrays.stream(EventType.values())
            .collect(Collectors.toMap(t -> t.streamName(StreamNames.byKey()), t -> t));
    Map<EventType, Schema> schemas = new EnumMap<>(EventType.class);
    for (Map.Entry<String, Path> e : byStream.entrySet()) {
      EventType type = names.get(e.getKey());
      if (type == null) {
        throw new IllegalArgumentException(
            "--writer-schema " + e.getKey() + "=...: the stream must be one of " + names.keySet());
      }
      try {
        schemas.put(type, new Schema.Parser().parse(Files.readString(e.getValue())));
      } catch (SchemaParseException bad) {
        throw new IllegalArgumentException(
            "--writer-schema "
                + e.getKey()
                + "="
                + e.getValue()
                + " is not an Avro "
                + "schema: "
                + bad.getMessage(),
            bad);
      }
    }
    return schemas;
  }
}
