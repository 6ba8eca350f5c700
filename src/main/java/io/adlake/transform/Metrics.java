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
}
