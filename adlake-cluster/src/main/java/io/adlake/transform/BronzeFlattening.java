package io.adlake.transform;

import static org.apache.spark.sql.functions.array_join;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode_outer;
import static org.apache.spark.sql.functions.lit;

import io.adlake.event.EventParser;
import io.adlake.event.EventType;
import io.adlake.event.RawRecord;
import io.adlake.lake.TableSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Valid parsed records → rows of their bronze table. Nested OpenRTB flattens to one row per {@code
 * imp[]} of a request and one row per {@code seatbid[].bid[]} of a response; a request without imps
 * or a response without bids still gives one row (NULL imp / bid columns), so no record vanishes.
 */
public final class BronzeFlattening {
  private BronzeFlattening() {}

  /**
   * @return exactly the columns of {@code spec}, in its order
   */
  public static Dataset<Row> flatten(EventType type, Dataset<Row> valid, TableSpec spec) {
    Map<String, Column> columns =
        switch (type) {
          case BID_REQUEST -> bidRequest();
          case BID_RESPONSE -> bidResponse();
          case IMPRESSION, CLICK, CONVERSION -> new LinkedHashMap<>();
        };
    Dataset<Row> rows =
        switch (type) {
          case BID_REQUEST -> valid.withColumn("_imp", explode_outer(col("imp")));
          case BID_RESPONSE ->
              valid
                  .withColumn("_seat", explode_outer(col("seatbid")))
                  .withColumn("_bid", explode_outer(col("_seat.bid")));
          case IMPRESSION, CLICK, CONVERSION -> valid;
        };
    columns.put("event_timestamp", col(EventParser.EVENT_TIME));
    columns.put(RawRecord.RECEIVED_AT, col(RawRecord.RECEIVED_AT));
    columns.put(RawRecord.PARTITION, col(RawRecord.PARTITION));
    columns.put(RawRecord.OFFSET, col(RawRecord.OFFSET));
    return rows.select(
        spec.columns().stream()
            .map(c -> columns.getOrDefault(c.name(), col(c.name())).cast(c.type()).as(c.name()))
            .toArray(Column[]::new));
  }

  private static Map<String, Column> bidRequest() {
    Map<String, Column> c = new LinkedHashMap<>();
    c.put("request_id", col("id"));
    c.put("imp_id", col("_imp.id"));
    c.put("imp_banner_w", coalesce(col("_imp.banner.w"), col("_imp.video.w")));
    c.put("imp_banner_h", coalesce(col("_imp.banner.h"), col("_imp.video.h")));
    c.put("imp_bidfloor", col("_imp.bidfloor"));
    c.put("site_id", col("site.id"));
    c.put("site_domain", col("site.domain"));
    c.put("site_cat", array_join(coalesce(col("site.cat"), col("app.cat")), ","));
    c.put("app_id", col("app.id"));
    c.put("app_bundle", col("app.bundle"));
    c.put("publisher_id", coalesce(col("site.publisher.id"), col("app.publisher.id")));
    c.put("device_type", col("device.devicetype"));
    c.put("device_os", col("device.os"));
    c.put("device_ip", col("device.ip"));
    c.put("device_geo_country", col("device.geo.country"));
    c.put("device_geo_region", col("device.geo.region"));
    c.put("user_id", col("user.id"));
    c.put("auction_type", col("at"));
    c.put("tmax", col("tmax"));
    // OpenRTB: bidfloorcur defaults to USD.
    c.put("currency", coalesce(col("_imp.bidfloorcur"), lit("USD")));
    c.put("is_coppa", coalesce(col("regs.coppa").equalTo(1), lit(false)));
    c.put("is_gdpr", coalesce(col("regs.ext.gdpr").equalTo(1), lit(false)));
    return c;
  }

  private static Map<String, Column> bidResponse() {
    Map<String, Column> c = new LinkedHashMap<>();
    c.put("response_id", col("bidid"));
    c.put("request_id", col("id"));
    c.put("bidder_id", col("_seat.seat"));
    c.put("bid_id", col("_bid.id"));
    c.put("imp_id", col("_bid.impid"));
    c.put("price", col("_bid.price"));
    c.put("ad_domain", array_join(col("_bid.adomain"), ","));
    c.put("creative_id", col("_bid.crid"));
    c.put("deal_id", col("_bid.dealid"));
    c.put("campaign_id", col("_bid.cid"));
    c.put("ad_id", col("_bid.adid"));
    c.put("currency", coalesce(col("cur"), lit("USD")));
    return c;
  }
}
