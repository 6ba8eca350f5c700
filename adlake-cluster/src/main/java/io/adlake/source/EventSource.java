package io.adlake.source;

import io.adlake.avro.AvroEventDecoder;
import io.adlake.config.AdlakeConfig;
import io.adlake.event.EventDecoder;
import io.adlake.event.EventType;
import java.util.Collection;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Where a streaming job reads one stream of events from. Every implementation returns the columns
 * of {@link io.adlake.event.RawRecord}, so parsing and everything after it do not know the source.
 */
public interface EventSource {
  Dataset<Row> readStream(SparkSession spark, EventType type);

  /** Fails fast, with a message naming the setting to fix, when the streams cannot be read. */
  void requireStreams(Collection<EventType> types);

  /** A short description for logs and progress output, without secrets. */
  String describe();

  /**
   * How the records of the configured source are decoded: JSON or Avro ({@code
   * adlake.source.format}).
   */
  static EventDecoder decoder(AdlakeConfig config) {
    return switch (config.source().format()) {
      case JSON -> EventDecoder.json();
      case AVRO -> new AvroEventDecoder(config.source().schemaRegistry(), config.streams());
    };
  }

  static EventSource from(AdlakeConfig config) {
    return switch (config.source().type()) {
      case KAFKA -> new KafkaEventSource(config.source().kafka(), config.streams());
      case FILES -> new FileEventSource(config.source().files(), config.streams());
      case KINESIS -> new KinesisEventSource(config.source().kinesis(), config.streams());
    };
  }
}
