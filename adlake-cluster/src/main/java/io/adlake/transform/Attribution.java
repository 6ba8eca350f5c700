package io.adlake.transform;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;

import io.adlake.config.AdlakeConfig.AttributionSettings;
import io.adlake.event.EventParser;
import io.adlake.lake.TableSpec;
import java.time.Duration;
import org.apache.iceberg.relocated.com.google.common.base.Preconditions;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * Click attribution: each click joined to the impression it belongs to, within a time range around
 * the impression, then enriched. Pure functions of DataFrames: they run on a stream in the job and
 * on batch DataFrames in the tests.
 */
public final class Attribution {
  public static final String IMPRESSION_TIME = "impression_time";
  public static final String CLICK_TIME = "click_time";

  private Attribution() {}

  /**
   * Stream-stream inner join of valid impressions and clicks on {@code impression_id} and {@code
   * ad_id}, with {@code impression_time - skew <= click_time <= impression_time + window}. The
   * watermark on each side bounds the join state: an impression is kept until no click inside its
   * window can still arrive.
   */
  public static Dataset<Row> join(
      Dataset<Row> impressions, Dataset<Row> clicks, AttributionSettings settings) {
    Dataset<Row> i =
        impressions
            .select(
                col("impression_id"),
                col("ad_id"),
                col("campaign_id"),
                col("publisher_id"),
                col(EventParser.EVENT_TIME).as(IMPRESSION_TIME),
                col("geo_location"),
                col("platform"),
                col("device_type"),
                col("bid_price"))
            .withWatermark(IMPRESSION_TIME, interval(settings.impressionWatermark()));
    Dataset<Row> c =
        clicks
            .select(
                col("impression_id").as("c_impression_id"),
                col("ad_id").as("c_ad_id"),
                col("click_id"),
                col(EventParser.EVENT_TIME).as(CLICK_TIME),
                col("click_price"))
            .withWatermark(CLICK_TIME, interval(settings.clickWatermark()));
    Column condition =
        col("impression_id")
            .equalTo(col("c_impression_id"))
            .and(col("ad_id").equalTo(col("c_ad_id")))
            .and(
                col(CLICK_TIME)
                    .geq(
                        expr(
                            IMPRESSION_TIME
                                + " - INTERVAL "
                                + settings.clickSkew().toMillis()
                                + " MILLISECONDS")))
            .and(
                col(CLICK_TIME)
                    .leq(
                        expr(
                            IMPRESSION_TIME
                                + " + INTERVAL "
                                + settings.clickWindow().toMillis()
                                + " MILLISECONDS")));
    return i.join(c, condition, "inner").drop("c_impression_id", "c_ad_id");
  }

  /**
   * Adds the derived columns of the original design.
   *
   * @param spec the attributed table, enriched_ad_data: the result has exactly its columns, in its
   *     order
   */
  public static Dataset<Row> enrich(
      Dataset<Row> joined, AttributionSettings settings, TableSpec spec) {
    // The original job's formula: whole epoch seconds of each side, subtracted (so 0.9 s can be 1).
    Column engagement = col(CLICK_TIME).cast("long").minus(col(IMPRESSION_TIME).cast("long"));
    return spec.selectFrom(
        joined
            .withColumn(
                "is_premium_ad",
                when(col("bid_price").gt(lit(settings.premiumBidThreshold())), lit("Yes"))
                    .otherwise(lit("No")))
            .withColumn("engagement_duration", engagement)
            .withColumn("platform_category", platformCategory(col("device_type")))
            .withColumn(
                "click_revenue",
                col("click_price").multiply(lit(settings.clickRevenueMultiplier())))
            .withColumn(
                "is_suspected_fraud", engagement.lt(lit(settings.fraudMinEngagementSeconds())))
            .withColumn("processed_time", current_timestamp()),
        // Set per micro-batch from the campaigns snapshot of the batch
        // (ReferenceData.withCampaign).
        ReferenceData.campaignPlaceholders());
  }

  /** OpenRTB 2.6 {@code devicetype} (list 5.21) to the platform category analysts report on. */
  public static Column platformCategory(Column deviceType) {
    return when(deviceType.isin(1, 4), lit("Mobile"))
        .when(deviceType.equalTo(5), lit("Tablet"))
        .when(deviceType.equalTo(2), lit("Desktop"))
        .when(deviceType.isin(3, 7), lit("CTV"))
        .otherwise(lit("Other"));
  }

  /**
   * One row per key of {@code spec} (an impression and its ad): the earliest click, ties broken by
   * click id, so the result does not depend on the order in which clicks arrive or on how they fall
   * into micro-batches.
   */
  public static Dataset<Row> firstClickWins(Dataset<Row> attributed, TableSpec spec) {
    Preconditions.checkArgument(
        !spec.key().isEmpty(), "First click wins per key, but table %s has no key", spec.name());
    Column[] key = spec.key().stream().map(name -> col(name)).toArray(Column[]::new);
    return attributed
        .withColumn(
            "_click_rank",
            row_number().over(Window.partitionBy(key).orderBy(col(CLICK_TIME), col("click_id"))))
        .filter(col("_click_rank").equalTo(1))
        .drop("_click_rank");
  }

  /** Spark's interval syntax for a watermark delay. */
  public static String interval(Duration duration) {
    return duration.toMillis() + " milliseconds";
  }
}
