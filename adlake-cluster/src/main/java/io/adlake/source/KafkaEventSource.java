package io.adlake.source;

import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.col;

import io.adlake.config.AdlakeConfig.KafkaSettings;
import io.adlake.config.AdlakeConfig.StreamNames;
import io.adlake.event.EventType;
import io.adlake.event.RawRecord;
import java.util.Collection;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.DataStreamReader;

/** One Kafka topic per stream, read with Spark's Kafka source. */
public final class KafkaEventSource implements EventSource {
  private final KafkaSettings settings;
  private final StreamNames streams;

  public KafkaEventSource(KafkaSettings settings, StreamNames streams) {
    this.settings = requireNonNull(settings, "settings");
    this.streams = requireNonNull(streams, "streams");
  }

  @Override
  public Dataset<Row> readStream(SparkSession spark, EventType type) {
    DataStreamReader reader =
        spark
            .readStream()
            .format("kafka")
            .option("kafka.bootstrap.servers", settings.bootstrapServers())
            .option("subscribe", type.streamName(streams))
            .option("startingOffsets", settings.startingOffsets())
            .option("failOnDataLoss", settings.failOnDataLoss())
            .options(settings.options());
    if (settings.maxOffsetsPerTrigger() > 0) {
      reader = reader.option("maxOffsetsPerTrigger", settings.maxOffsetsPerTrigger());
    }
    return reader
        .load()
        .select(
            col("value").as(RawRecord.RAW),
            col("topic").as(RawRecord.SOURCE),
            col("partition").as(RawRecord.PARTITION),
            col("offset").as(RawRecord.OFFSET),
            col("timestamp").as(RawRecord.RECEIVED_AT));
  }

  @Override
  public void requireStreams(Collection<EventType> types) {
    KafkaTopics.requireTopics(
        settings.bootstrapServers(),
        settings.options(),
        types.stream().map(t -> t.streamName(streams)).toList());
  }

  @Override
  public String describe() {
    return "kafka " + settings.bootstrapServers();
  }
}
