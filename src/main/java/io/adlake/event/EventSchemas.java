package io.adlake.event;

import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.createArrayType;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Explicit JSON schemas of the four streams (no inference: a stream's first records must not decide
 * its types). {@code event_timestamp} is read as a string and parsed separately, so an unparseable
 * timestamp is told apart from malformed JSON.
 */
final class EventSchemas {
  static final StructType IMPRESSION = struct(
      field("impression_id", StringType), field("request_id", StringType), field("response_id", StringType),
      field("ad_id", StringType), field("campaign_id", StringType), field("publisher_id", StringType),
      field("event_timestamp", StringType), field("device_type", IntegerType), field("geo_location", StringType),
      field("platform", StringType), field("ad_type", StringType), field("bid_price", DoubleType),
      field("win_price", DoubleType), field("bidder_id", StringType), field("creative_id", StringType),
      field("ad_domain", StringType),
      // Added after the first release (schema evolution walk-through): older events do not carry it.
      field("viewability_score", DoubleType));

  static final StructType CLICK = struct(
      field("click_id", StringType), field("impression_id", StringType), field("request_id", StringType),
      field("ad_id", StringType), field("campaign_id", StringType), field("publisher_id", StringType),
      field("event_timestamp", StringType), field("device_type", IntegerType), field("geo_location", StringType),
      field("platform", StringType), field("click_price", DoubleType), field("click_url", StringType));

  private static final StructType PUBLISHER = struct(field("id", StringType), field("name", StringType));

  /** OpenRTB 2.6 BidRequest, the parts the pipeline reads. */
  static final StructType BID_REQUEST = struct(
      field("id", StringType),
      field("imp", createArrayType(struct(
          field("id", StringType),
          field("banner", struct(field("w", IntegerType), field("h", IntegerType))),
          field("video", struct(field("w", IntegerType), field("h", IntegerType))),
          field("bidfloor", DoubleType),
          field("bidfloorcur", StringType),
          field("tagid", StringType)))),
      field("site", struct(field("id", StringType), field("domain", StringType),
          field("cat", createArrayType(StringType)), field("publisher", PUBLISHER))),
      field("app", struct(field("id", StringType), field("bundle", StringType),
          field("cat", createArrayType(StringType)), field("publisher", PUBLISHER))),
      field("device", struct(
          field("ua", StringType), field("ip", StringType),
          field("geo", struct(field("country", StringType), field("region", StringType),
              field("lat", DoubleType), field("lon", DoubleType))),
          field("devicetype", IntegerType), field("os", StringType), field("osv", StringType))),
      field("user", struct(field("id", StringType))),
      field("at", IntegerType),
      field("tmax", IntegerType),
      field("cur", createArrayType(StringType)),
      field("source", struct(field("fd", IntegerType), field("tid", StringType))),
      field("regs", struct(field("coppa", IntegerType), field("ext", struct(field("gdpr", IntegerType))))),
      field("event_timestamp", StringType));

  /** OpenRTB 2.6 BidResponse. */
  static final StructType BID_RESPONSE = struct(
      field("id", StringType),
      field("bidid", StringType),
      field("seatbid", createArrayType(struct(
          field("seat", StringType),
          field("bid", createArrayType(struct(
              field("id", StringType), field("impid", StringType), field("price", DoubleType),
              field("adomain", createArrayType(StringType)), field("crid", StringType),
              field("dealid", StringType), field("cid", StringType), field("adid", StringType))))))),
      field("cur", StringType),
      field("event_timestamp", StringType));

  private EventSchemas() {}

  private static StructField field(String name, DataType type) {
    return new StructField(name, type, true, org.apache.spark.sql.types.Metadata.empty());
  }

  private static StructType struct(StructField... fields) {
    return new StructType(fields);
  }
}
