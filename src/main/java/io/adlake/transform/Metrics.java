package io.adlake.transform;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.window;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The windowed metrics, as pure functions of bronze DataFrames: the same code aggregates a stream (with
 * the watermark the caller set) and a batch (the correctness tests recompute them over bronze).
 */
public final class Metrics {
  private Metrics() {}

  /** Tumbling 1 h by country: impression_count, total_revenue (USD), avg_win_price (CPM). */
  public static Dataset<Row> hourlyImpressionsByGeo(Dataset<Row> impressions) {
    return impressions
        .groupBy(window(col("event_timestamp"), "1 hour").as("w"),
            coalesce(col("geo_location"), lit("UNKNOWN")).as("device_geo_country"))
        .agg(count(lit(1)).as("impression_count"),
            sum(col("win_price")).divide(1000).as("total_revenue"),
            avg(col("win_price")).as("avg_win_price"))
        .select(col("w.start").as("window_start"), col("device_geo_country"), col("w.end").as("window_end"),
            col("impression_count"), col("total_revenue"), col("avg_win_price"),
            current_timestamp().as("updated_at"));
  }

  /** Sliding 5 min every 1 min by bidder: win_count, revenue (USD), avg_cpm. */
  public static Dataset<Row> rollingMetricsByBidder(Dataset<Row> impressions) {
    return impressions
        .groupBy(window(col("event_timestamp"), "5 minutes", "1 minute").as("w"),
            coalesce(col("bidder_id"), lit("UNKNOWN")).as("bidder_id"))
        .agg(count(lit(1)).as("win_count"),
            sum(col("win_price")).divide(1000).as("revenue"),
            avg(col("win_price")).as("avg_cpm"))
        .select(col("w.start").as("window_start"), col("bidder_id"), col("w.end").as("window_end"),
            col("win_count"), col("revenue"), col("avg_cpm"), current_timestamp().as("updated_at"));
  }

  /** Relative standard deviation of the unique-user estimate (HyperLogLog++). */
  public static final double UNIQUE_USERS_RSD = 0.05;

  /**
   * Tumbling 5 min by campaign over impressions (with the user of their request) and clicks, each counted in
   * the window of its own event time.
   *
   * @param impressionUsers bronze impressions with a {@code user_id} column (NULL when the request is unknown)
   */
  public static Dataset<Row> campaignMetrics5m(Dataset<Row> impressionUsers, Dataset<Row> clicks,
      double clickRevenueMultiplier) {
    Dataset<Row> events = impressionUsers
        .select(col("event_timestamp"), col("campaign_id"), lit(1).as("is_impression"), lit(0).as("is_click"),
            col("win_price"), lit(null).cast("double").as("click_price"), col("user_id"))
        .unionByName(clicks.select(col("event_timestamp"), col("campaign_id"), lit(0).as("is_impression"),
            lit(1).as("is_click"), lit(null).cast("double").as("win_price"), col("click_price"),
            lit(null).cast("string").as("user_id")));
    return events
        .groupBy(window(col("event_timestamp"), "5 minutes").as("w"), col("campaign_id"))
        .agg(sum(col("is_impression")).cast("long").as("impressions"),
            sum(col("is_click")).cast("long").as("clicks"),
            sum(col("win_price")).divide(1000).as("spend"),
            sum(col("click_price")).multiply(clickRevenueMultiplier).as("revenue"),
            org.apache.spark.sql.functions.approx_count_distinct(col("user_id"), UNIQUE_USERS_RSD).as("unique_users"))
        .select(col("w.start").as("window_start"), col("campaign_id"), col("w.end").as("window_end"),
            col("impressions"), col("clicks"), col("spend"), col("revenue"),
            org.apache.spark.sql.functions.when(col("impressions").gt(0), col("clicks").divide(col("impressions")))
                .as("ctr"),
            col("unique_users"), current_timestamp().as("updated_at"));
  }

  /** Bronze impressions with the user of their bid request (a request has one row per imp: de-duplicated). */
  public static Dataset<Row> withUser(Dataset<Row> impressions, Dataset<Row> bidRequests) {
    Dataset<Row> users = bidRequests.select(col("request_id").as("_request_id"), col("user_id")).distinct();
    return impressions.join(users, impressions.col("request_id").equalTo(users.col("_request_id")), "left_outer")
        .drop("_request_id");
  }
}
