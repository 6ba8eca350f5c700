package io.adlake.event;

import io.adlake.config.AdlakeConfig.StreamNames;
import java.util.List;
import org.apache.spark.sql.types.StructType;

/** The four streams of the funnel, each with its explicit JSON schema and the fields it cannot lack. */
public enum EventType {
  BID_REQUEST(EventSchemas.BID_REQUEST, List.of("id", "event_timestamp")),
  BID_RESPONSE(EventSchemas.BID_RESPONSE, List.of("id", "bidid", "event_timestamp")),
  IMPRESSION(EventSchemas.IMPRESSION, List.of("impression_id", "ad_id", "campaign_id", "event_timestamp")),
  CLICK(EventSchemas.CLICK, List.of("click_id", "impression_id", "ad_id", "campaign_id", "event_timestamp"));

  private final StructType schema;
  private final List<String> requiredFields;

  EventType(StructType schema, List<String> requiredFields) {
    this.schema = schema;
    this.requiredFields = requiredFields;
  }

  public StructType schema() {
    return schema;
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
