package io.adlake.event;

/**
 * Where the generator writes: Kafka topics, Kinesis streams or files, one per {@link EventType}.
 */
public interface EventSink extends AutoCloseable {
  void send(EventType type, String key, byte[] value);

  /** Blocks until everything sent so far is durably written; throws if any send failed. */
  void flush();

  @Override
  void close();
}
