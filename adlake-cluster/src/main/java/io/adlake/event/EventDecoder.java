package io.adlake.event;

import java.io.Serializable;
import java.util.Collection;
import org.apache.spark.sql.Column;

/**
 * How a stream's record bytes become the struct of its {@link EventType#schema()}: JSON text, or
 * Avro in the Confluent wire format. {@link EventParser} applies one, then the same checks
 * (required fields, event time) to either, so everything after decoding does not know the format.
 */
public interface EventDecoder extends Serializable {
  /**
   * @param raw the record's bytes
   * @return a struct with at least the fields of {@code type.schema()}
   */
  Column decode(Column raw, EventType type);

  /**
   * @param raw the record's bytes
   * @param decoded what {@link #decode} returned (null when the record was too large to decode)
   * @return the quarantine reason when the bytes could not be decoded, else null
   */
  Column failure(Column raw, Column decoded);

  /**
   * Fails fast, naming the setting to fix, when records cannot be decoded (e.g. no schema registry
   * answers).
   */
  default void requireReady(Collection<EventType> types) {}

  /** A short description for logs. */
  String describe();

  static EventDecoder json() {
    return JsonEventDecoder.INSTANCE;
  }
}
