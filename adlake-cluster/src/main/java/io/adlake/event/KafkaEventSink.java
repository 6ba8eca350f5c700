package io.adlake.event;

import io.adlake.config.AdlakeConfig.StreamNames;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Writes each event type to its Kafka topic; idempotent producer, key = the event's id. */
public final class KafkaEventSink implements EventSink {
  private final KafkaProducer<byte[], byte[]> producer;
  private final StreamNames streams;
  private final String bootstrapServers;
  private final AtomicReference<Exception> failure = new AtomicReference<>();

  public KafkaEventSink(
      String bootstrapServers, StreamNames streams, Map<String, String> extraProperties) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "10");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
    // One request in flight per broker: with more, a batch refused with NOT_LEADER_OR_FOLLOWER by a
    // partition
    // that is just becoming led can be overtaken by the next batch, which the broker accepts as the
    // producer's
    // first; the refused batch then gets OUT_OF_ORDER_SEQUENCE_NUMBER until it expires
    // (KAFKA-15591, fixed
    // in the broker only in Kafka 4.5). Seen as "Expiring N record(s)" in this project's tests.
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000");
    extraProperties.forEach((k, v) -> p.put(k.startsWith("kafka.") ? k.substring(6) : k, v));
    this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    this.streams = streams;
    this.bootstrapServers = bootstrapServers;
  }

  @Override
  public void send(EventType type, String key, byte[] value) {
    throwIfFailed();
    producer.send(
        new ProducerRecord<>(type.streamName(streams), key.getBytes(StandardCharsets.UTF_8), value),
        (metadata, error) -> {
          if (error != null) {
            failure.compareAndSet(null, error);
          }
        });
  }

  @Override
  public void flush() {
    producer.flush();
    throwIfFailed();
  }

  private void throwIfFailed() {
    Exception e = failure.get();
    if (e != null) {
      throw new IllegalStateException(
          "Writing to Kafka at "
              + bootstrapServers
              + " failed: "
              + e.getMessage()
              + ". Check that the broker is reachable and the topics exist.",
          e);
    }
  }

  @Override
  public void close() {
    producer.close();
  }
}
