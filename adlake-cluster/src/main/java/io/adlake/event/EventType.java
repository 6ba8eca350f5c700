package io.adlake.event;

import io.adlake.config.AdlakeConfig.StreamNames;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.spark.sql.types.StructType;

/**
 * The four streams of the funnel, each with its schema (one Avro file under {@code schemas/avro/},
 * see {@link EventSchemas}) and the fields it cannot lack.
 */
public enum EventType {
  BID_REQUEST("bid_request.avsc", List.of("id", "event_timestamp")),
  BID_RESPONSE("bid_response.avsc", List.of("id", "bidid", "event_timestamp")),
  IMPRESSION(
      "impression.avsc", List.of("impression_id", "ad_id", "campaign_id", "event_timestamp")),
  CLICK(
      "click.avsc",
      List.of("click_id", "impression_id", "ad_id", "campaign_id", "event_timestamp"));

  private final String schemaFile;
  private final Schema avroSchema;
  private final StructType schema;
  private final List<String> requiredFields;

  EventType(String schemaFile, List<String> requiredFields) {
    this.schemaFile = schemaFile;
    this.avroSchema = EventSchemas.avro(schemaFile);
    this.schema = EventSchemas.sparkType(avroSchema);
    this.requiredFields = requiredFields;
  }

  /** The struct both decoders (JSON and Avro) produce, derived from {@link #avroSchema()}. */
  public StructType schema() {
    return schema;
  }

  /**
   * The current Avro schema: what producers register, and the reader schema of the Avro decoder.
   */
  public Schema avroSchema() {
    return avroSchema;
  }

  /** The schema's file name under {@code schemas/avro/}. */
  public String schemaFile() {
    return schemaFile;
  }

  public List<String> requiredFields() {
    return requiredFields;
  }

  /** The topic, stream or directory name this type travels on. */
  public String streamName(StreamNames names) {
    return switch (this) {
      case BID_REQUEST -> names.bidRequests();
      case BID_RESPONSE -> names.bidResponses();
      case IMPRESSION -> names.impressions();
      case CLICK -> names.clicks();
    };
  }
}
