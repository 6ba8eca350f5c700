package io.adlake.event;

import static java.util.Objects.requireNonNull;

import io.adlake.config.AdlakeConfig.StreamNames;

/** Writes each event type to its Kinesis stream; partition key = the event's id. */
public final class KinesisEventSink implements EventSink {
  private final KinesisRecordWriter writer;
  private final StreamNames streams;

  /**
   * @param writer closed with this sink
   */
  public KinesisEventSink(KinesisRecordWriter writer, StreamNames streams) {
    this.writer = requireNonNull(writer, "writer");
    this.streams = requireNonNull(streams, "streams");
  }

  @Override
  public void send(EventType type, String key, byte[] value) {
    writer.put(type.streamName(streams), key, value);
  }

  @Override
  public void flush() {
    writer.flush();
  }

  @Override
  public void close() {
    writer.close();
  }
}
