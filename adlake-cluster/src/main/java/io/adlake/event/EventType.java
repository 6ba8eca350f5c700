package io.adlake.event;

import static org.apache.spark.sql.functions.not;

import io.adlake.config.AdlakeConfig.StreamNames;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.types.StructType;

/**
 * The five streams: the four of the funnel and the advertisers' conversions, each with its schema
 * (one Avro file under {@code schemas/avro/}, see {@link EventSchemas}) and the fields it cannot
 * lack.
 */
public enum EventType {
  BID_REQUEST("bid_request.avsc", List.of("id", "event_timestamp")),
  BID_RESPONSE("bid_response.avsc", List.of("id", "bidid", "event_timestamp")),
  IMPRESSION(
      "impression.avsc", List.of("impression_id", "ad_id", "campaign_id", "event_timestamp")),
  CLICK(
      "click.avsc",
      List.of("click_id", "impression_id", "ad_id", "campaign_id", "event_timestamp")),
  CONVERSION("conversion.avsc", List.of("conversion_id", "conversion_type", "event_timestamp"));

  /** The kinds of conversion an advertiser reports; anything else is quarantined. */
  public static final List<String> CONVERSION_TYPES =
      List.of("purchase", "signup", "install", "lead");

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

  /**
   * Values a decoded record of this type may not carry, beyond missing fields: reason → when it
   * applies, over the decoded struct {@code event}. Empty for the funnel's types.
   */
  public Map<String, Column> invalidValues(Column event) {
    if (this != CONVERSION) {
      return Map.of();
    }
    Map<String, Column> rules = new LinkedHashMap<>();
    rules.put(
        "invalid_conversion_type",
        not(event.getField("conversion_type").isin(CONVERSION_TYPES.toArray())));
    rules.put("invalid_value", event.getField("value").lt(0));
    return rules;
  }

  /** The topic, stream or directory name this type travels on. */
  public String streamName(StreamNames names) {
    return switch (this) {
      case BID_REQUEST -> names.bidRequests();
      case BID_RESPONSE -> names.bidResponses();
      case IMPRESSION -> names.impressions();
      case CLICK -> names.clicks();
      case CONVERSION -> names.conversions();
    };
  }
}
