package io.adlake.transform;

import static org.apache.spark.sql.functions.approx_count_distinct;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.timestamp_micros;
import static org.apache.spark.sql.functions.unix_micros;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.window;

import io.adlake.config.AdlakeConfig.AggregateSettings;
import io.adlake.lake.AdlakeTables;
import io.adlake.lake.TableSpec;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.RelationalGroupedDataset;
import org.apache.spark.sql.Row;

/**
 * The windowed metrics, as pure functions of bronze DataFrames: the same code aggregates a stream
 * (with the watermark the caller set) and a batch (the correctness tests recompute them over
 * bronze). Each returns exactly the columns of the table spec it is given, in its order; a windowed
 * table's group column (with window_start, its key) takes its name from the spec.
 */
public final class Metrics {
  /** The window struct of an aggregation, before its bounds become columns. */
  private static final String WINDOW = "w";

  private Metrics() {}

  /** Tumbling 1 h by country: impression_count, total_revenue (USD), avg_win_price (CPM). */
  public static Dataset<Row> hourlyImpressionsByGeo(Dataset<Row> impressions, TableSpec spec) {
    Dataset<Row> perHour =
        byWindow(
                impressions,
                window(col("event_timestamp"), "1 hour"),
                coalesce(col("geo_location"), lit("UNKNOWN")),
                spec)
            .agg(
                count(lit(1)).as("impression_count"),
                sum(col("win_price")).divide(1000).as("total_revenue"),
                avg(col("win_price")).as("avg_win_price"));
    return windowRows(perHour, spec, Map.of());
  }

  /** Sliding 5 min every 1 min by bidder: win_count, revenue (USD), avg_cpm. */
  public static Dataset<Row> rollingMetricsByBidder(Dataset<Row> impressions, TableSpec spec) {
    Dataset<Row> perWindow =
        byWindow(
                impressions,
                window(col("event_timestamp"), "5 minutes", "1 minute"),
                coalesce(col("bidder_id"), lit("UNKNOWN")),
                spec)
            .agg(
                count(lit(1)).as("win_count"),
                sum(col("win_price")).divide(1000).as("revenue"),
                avg(col("win_price")).as("avg_cpm"));
    return windowRows(perWindow, spec, Map.of());
  }

  /**
   * Groups by the window and by {@code group}, named as the table's group column (with the window,
   * its key).
   */
  private static RelationalGroupedDataset byWindow(
      Dataset<Row> events, Column window, Column group, TableSpec spec) {
    String groupColumn =
        spec.groupColumn()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "Windowed metrics table " + spec.name() + " has no group"));
    return events.groupBy(window.as(WINDOW), group.as(groupColumn));
  }

  /**
   * The table's columns of aggregated windows: the window's bounds, the batch time, and {@code
   * derived}.
   */
  private static Dataset<Row> windowRows(
      Dataset<Row> aggregated, TableSpec spec, Map<String, Column> derived) {
    Map<String, Column> computed = new HashMap<>(derived);
    computed.put(AdlakeTables.WINDOW_START, col(WINDOW + ".start"));
    computed.put(AdlakeTables.WINDOW_END, col(WINDOW + ".end"));
    computed.put(AdlakeTables.UPDATED_AT, current_timestamp());
    return spec.selectFrom(aggregated, computed);
  }

  /** Relative standard deviation of the unique-user estimate (HyperLogLog++). */
  public static final double UNIQUE_USERS_RSD = 0.05;

  /**
   * Tumbling 5 min by campaign over impressions (with the user of their request) and clicks, each
   * counted in the window of its own event time.
   *
   * @param impressionUsers bronze impressions with a {@code user_id} column (NULL when the request
   *     is unknown)
   */
  public static Dataset<Row> campaignMetrics5m(
      Dataset<Row> impressionUsers,
      Dataset<Row> clicks,
      double clickRevenueMultiplier,
      TableSpec spec) {
    Dataset<Row> events =
        impressionUsers
            .select(
                col("event_timestamp"),
                col("campaign_id"),
                lit(1).as("is_impression"),
                lit(0).as("is_click"),
                col("win_price"),
                lit(null).cast("double").as("click_price"),
                col("user_id"))
            .unionByName(
                clicks.select(
                    col("event_timestamp"),
                    col("campaign_id"),
                    lit(0).as("is_impression"),
                    lit(1).as("is_click"),
                    lit(null).cast("double").as("win_price"),
                    col("click_price"),
                    lit(null).cast("string").as("user_id")));
    Dataset<Row> perWindow =
        byWindow(events, window(col("event_timestamp"), CAMPAIGN_WINDOW), col("campaign_id"), spec)
            .agg(
                sum(col("is_impression")).cast("long").as("impressions"),
                sum(col("is_click")).cast("long").as("clicks"),
                sum(col("win_price")).divide(1000).as("spend"),
                sum(col("click_price")).multiply(clickRevenueMultiplier).as("revenue"),
                approx_count_distinct(col("user_id"), UNIQUE_USERS_RSD).as("unique_users"));
    // The delivery side only: a window's conversions are kept in the table by the conversions job,
    // and the aggregate's MERGE leaves them alone (CAMPAIGN_DELIVERY_UPDATE). A new row starts with
    // none.
    Map<String, Column> derived = new HashMap<>();
    derived.put("ctr", ratio("clicks", "impressions"));
    // Set per batch from the campaigns table the batch pins (AggregateJob).
    derived.putAll(ReferenceData.campaignPlaceholders());
    campaignRatios("clicks", "spend", "conversions", "conversion_value_usd")
        .forEach((name, sql) -> derived.put(name, expr(sql)));
    return windowRows(
        perWindow.withColumn("conversions", lit(0L)).withColumn("conversion_value_usd", lit(0.0)),
        spec,
        derived);
  }

  /** The tumbling window of campaign_metrics_5m. */
  public static final String CAMPAIGN_WINDOW = "5 minutes";

  /**
   * cvr, cpa and roas in SQL over the named inputs, each NULL when its denominator is 0 or NULL
   * (guarded, never a division by zero: Spark 4 runs with ANSI SQL on). One text for the batch
   * recomputation and for both writers' MERGEs, which name their own sides ({@code s.clicks},
   * {@code t.conversions}, ...).
   */
  public static Map<String, String> campaignRatios(
      String clicks, String spend, String conversions, String conversionValue) {
    Map<String, String> ratios = new LinkedHashMap<>();
    ratios.put("cvr", "CASE WHEN " + clicks + " > 0 THEN " + conversions + " / " + clicks + " END");
    ratios.put(
        "cpa", "CASE WHEN " + conversions + " > 0 THEN " + spend + " / " + conversions + " END");
    ratios.put(
        "roas", "CASE WHEN " + spend + " > 0 THEN " + conversionValue + " / " + spend + " END");
    return ratios;
  }

  /**
   * Assignments of the aggregate's MERGE into campaign_metrics_5m when the window's row exists: its
   * delivery columns from the batch, the ratios from them and the conversions the row holds.
   */
  public static Map<String, String> campaignDeliveryUpdate(TableSpec spec) {
    Map<String, String> set = new LinkedHashMap<>();
    for (String column : spec.columnNames()) {
      if (!spec.key().contains(column)
          && !AdlakeTables.CAMPAIGN_CONVERSION_COLUMNS.contains(column)
          && !AdlakeTables.CAMPAIGN_RATIO_COLUMNS.contains(column)) {
        set.put(column, "s." + column);
      }
    }
    set.putAll(campaignRatios("s.clicks", "s.spend", "t.conversions", "t.conversion_value_usd"));
    return set;
  }

  /**
   * campaign_metrics_5m recomputed in batch: {@link #campaignMetrics5m(Dataset, Dataset, double,
   * TableSpec)} with the attributed conversions of each window and campaign (unattributed ones
   * excluded), each conversion in the window of its own time. A window with conversions but no
   * delivery has 0 impressions and clicks and NULL spend.
   *
   * @param attributedConversions rows of attributed_conversions
   */
  public static Dataset<Row> campaignMetrics5m(
      Dataset<Row> impressionUsers,
      Dataset<Row> clicks,
      Dataset<Row> attributedConversions,
      double clickRevenueMultiplier,
      TableSpec spec) {
    Dataset<Row> delivery =
        campaignMetrics5m(impressionUsers, clicks, clickRevenueMultiplier, spec)
            .drop(AdlakeTables.CAMPAIGN_CONVERSION_COLUMNS.toArray(String[]::new))
            .drop(AdlakeTables.CAMPAIGN_RATIO_COLUMNS.toArray(String[]::new));
    Dataset<Row> converted =
        conversionsPerWindow(attributedConversions)
            .withColumnRenamed(AdlakeTables.WINDOW_START, "_window_start")
            .withColumnRenamed("campaign_id", "_campaign_id");
    Dataset<Row> joined =
        delivery.join(
            converted,
            delivery
                .col(AdlakeTables.WINDOW_START)
                .equalTo(converted.col("_window_start"))
                .and(delivery.col("campaign_id").equalTo(converted.col("_campaign_id"))),
            "full_outer");
    Column start = coalesce(col(AdlakeTables.WINDOW_START), col("_window_start"));
    Dataset<Row> rows =
        joined
            .withColumn(AdlakeTables.WINDOW_START, start)
            .withColumn("campaign_id", coalesce(col("campaign_id"), col("_campaign_id")))
            .withColumn(
                AdlakeTables.WINDOW_END,
                coalesce(
                    col(AdlakeTables.WINDOW_END),
                    col(AdlakeTables.WINDOW_START).plus(expr("INTERVAL " + CAMPAIGN_WINDOW))))
            .withColumn("impressions", coalesce(col("impressions"), lit(0L)))
            .withColumn("clicks", coalesce(col("clicks"), lit(0L)))
            .withColumn("unique_users", coalesce(col("unique_users"), lit(0L)))
            .withColumn("conversions", coalesce(col("_conversions"), lit(0L)))
            .withColumn("conversion_value_usd", coalesce(col("_conversion_value_usd"), lit(0.0)))
            .withColumn(AdlakeTables.UPDATED_AT, current_timestamp());
    Map<String, Column> ratios = new LinkedHashMap<>();
    campaignRatios("clicks", "spend", "conversions", "conversion_value_usd")
        .forEach((name, sql) -> ratios.put(name, expr(sql)));
    return spec.selectFrom(rows, ratios);
  }

  /**
   * Rows of campaign_metrics_5m for windows that have conversions and no delivery yet: what the
   * conversions job inserts when no row exists (0 impressions and clicks, NULL spend), and whose
   * conversion columns it writes into a row that exists.
   *
   * @param perWindow window_start, campaign_id, _conversions, _conversion_value_usd
   */
  public static Dataset<Row> campaignConversionRows(Dataset<Row> perWindow, TableSpec spec) {
    Dataset<Row> rows =
        perWindow
            .withColumn(
                AdlakeTables.WINDOW_END,
                col(AdlakeTables.WINDOW_START).plus(expr("INTERVAL " + CAMPAIGN_WINDOW)))
            .withColumn("impressions", lit(0L))
            .withColumn("clicks", lit(0L))
            .withColumn("spend", lit(null).cast("double"))
            .withColumn("revenue", lit(null).cast("double"))
            .withColumn("ctr", lit(null).cast("double"))
            .withColumn("unique_users", lit(0L))
            .withColumn("conversions", col("_conversions"))
            .withColumn("conversion_value_usd", col("_conversion_value_usd"))
            .withColumn(AdlakeTables.UPDATED_AT, current_timestamp());
    // The conversions job keeps only the conversion columns; the aggregate names the campaign
    // when the window gets delivery.
    Map<String, Column> ratios = new LinkedHashMap<>(ReferenceData.campaignPlaceholders());
    campaignRatios("clicks", "spend", "conversions", "conversion_value_usd")
        .forEach((name, sql) -> ratios.put(name, expr(sql)));
    return spec.selectFrom(rows, ratios);
  }

  /**
   * Per 5-minute window of the conversion's time and campaign: attributed conversions and their
   * value in USD (NULL values count as 0). Columns window_start, campaign_id, _conversions,
   * _conversion_value_usd.
   */
  public static Dataset<Row> conversionsPerWindow(Dataset<Row> attributedConversions) {
    return attributedConversions
        .filter(col("attribution").notEqual(lit(ConversionAttribution.UNATTRIBUTED)))
        .groupBy(window(col("conversion_time"), CAMPAIGN_WINDOW).as(WINDOW), col("campaign_id"))
        .agg(
            count(lit(1)).as("_conversions"),
            coalesce(sum(col("value_usd")), lit(0.0)).as("_conversion_value_usd"))
        .select(
            col(WINDOW + ".start").as(AdlakeTables.WINDOW_START),
            col("campaign_id"),
            col("_conversions"),
            col("_conversion_value_usd"));
  }

  /** Funnel stages, in order; a {@code funnel_events} row is one event reached from its request. */
  public static final List<String> FUNNEL_STAGES =
      List.of("bid_request", "bid_response", "impression", "click");

  /**
   * The funnel of each ad slot, one row per event with the request it descends from: the request
   * itself, and each response, impression and click that follows its predecessor within the
   * configured delay (event time, inclusive): response after request ({@code request_id} + {@code
   * imp_id}), impression after response ({@code response_id}), click after impression ({@code
   * impression_id}).
   *
   * <p>Each stage is an inner time-bounded join of the stage above and the next stream, so on
   * streams the joins evict their state by the watermark. Spark joins two streams only in append
   * mode; the rows are therefore appended to {@code funnel_events}, which {@link
   * #hourlyFunnelByPublisher(Dataset)} then aggregates in update mode like the other metrics.
   */
  public static Dataset<Row> funnelEvents(
      Dataset<Row> requests,
      Dataset<Row> responses,
      Dataset<Row> impressions,
      Dataset<Row> clicks,
      AggregateSettings settings,
      TableSpec spec) {
    Dataset<Row> slots =
        requests.select(
            col("request_id"),
            col("imp_id").as("req_imp_id"),
            coalesce(col("publisher_id"), lit("UNKNOWN")).as("publisher_id"),
            col("event_timestamp").as("request_time"));
    Dataset<Row> answered =
        slots
            .join(
                responses.select(
                    col("request_id").as("resp_request_id"),
                    col("imp_id").as("resp_imp_id"),
                    col("response_id"),
                    col("event_timestamp").as("response_time")),
                col("request_id")
                    .equalTo(col("resp_request_id"))
                    .and(col("req_imp_id").equalTo(col("resp_imp_id")))
                    .and(within("response_time", "request_time", settings.responseWithin())))
            .select(
                col("request_id"),
                col("publisher_id"),
                plain("request_time"),
                col("response_id"),
                col("response_time"));
    Dataset<Row> won =
        answered
            .join(
                impressions.select(
                    col("response_id").as("imp_response_id"),
                    col("impression_id"),
                    col("event_timestamp").as("impression_time")),
                col("response_id")
                    .equalTo(col("imp_response_id"))
                    .and(within("impression_time", "response_time", settings.impressionWithin())))
            .select(
                col("request_id"),
                col("publisher_id"),
                col("request_time"),
                col("impression_id"),
                col("impression_time"));
    Dataset<Row> clicked =
        won.join(
                clicks.select(
                    col("impression_id").as("click_impression_id"),
                    col("click_id"),
                    col("event_timestamp").as("click_time")),
                col("impression_id")
                    .equalTo(col("click_impression_id"))
                    .and(within("click_time", "impression_time", settings.clickWithin())))
            .select(
                col("request_id"),
                col("publisher_id"),
                col("request_time"),
                col("click_id"),
                col("click_time"));
    return stage(
            slots
                .withColumn("event_time", col("request_time"))
                .withColumn("request_time", plain("request_time")),
            0,
            concat_ws(":", col("request_id"), col("req_imp_id")),
            col("event_time"),
            spec)
        .unionByName(stage(answered, 1, col("response_id"), col("response_time"), spec))
        .unionByName(stage(won, 2, col("impression_id"), col("impression_time"), spec))
        .unionByName(stage(clicked, 3, col("click_id"), col("click_time"), spec));
  }

  /**
   * The column's values without its event-time (watermark) mark: a stream may carry one event-time
   * column only, so each join keeps the latest event's time as the mark and carries the request
   * time as data.
   */
  private static Column plain(String timestampColumn) {
    return timestamp_micros(unix_micros(col(timestampColumn))).as(timestampColumn);
  }

  /**
   * One stage's rows of {@code funnel_events}: what {@code rows} carries, and the stage and event
   * it adds.
   */
  private static Dataset<Row> stage(
      Dataset<Row> rows, int stage, Column eventId, Column eventTime, TableSpec spec) {
    return spec.selectFrom(
        rows,
        Map.of(
            "stage", lit(FUNNEL_STAGES.get(stage)), "event_id", eventId, "event_time", eventTime));
  }

  /**
   * Per request-hour and publisher over {@link #funnelEvents}: bid_requests (ad slots: bronze has
   * one row per {@code imp[]}), bid_responses, impressions, clicks, each in the hour of its
   * originating request, and fill_rate, win_rate, ctr.
   */
  public static Dataset<Row> hourlyFunnelByPublisher(Dataset<Row> funnelEvents, TableSpec spec) {
    Dataset<Row> perHour =
        byWindow(funnelEvents, window(col("request_time"), "1 hour"), col("publisher_id"), spec)
            .agg(
                stageCount(0).as("bid_requests"),
                stageCount(1).as("bid_responses"),
                stageCount(2).as("impressions"),
                stageCount(3).as("clicks"));
    return windowRows(
        perHour,
        spec,
        Map.of(
            "fill_rate", ratio("bid_responses", "bid_requests"),
            "win_rate", ratio("impressions", "bid_responses"),
            "ctr", ratio("clicks", "impressions")));
  }

  /**
   * The funnel computed in one go (batch): {@link #hourlyFunnelByPublisher(Dataset, TableSpec)} of
   * {@link #funnelEvents}.
   */
  public static Dataset<Row> hourlyFunnelByPublisher(
      Dataset<Row> requests,
      Dataset<Row> responses,
      Dataset<Row> impressions,
      Dataset<Row> clicks,
      AggregateSettings settings,
      TableSpec spec) {
    return hourlyFunnelByPublisher(
        funnelEvents(
            requests, responses, impressions, clicks, settings, AdlakeTables.funnelEvents()),
        spec);
  }

  private static Column stageCount(int stage) {
    return sum(when(col("stage").equalTo(FUNNEL_STAGES.get(stage)), 1).otherwise(0)).cast("long");
  }

  /** {@code later} lies in [{@code earlier}, {@code earlier} + {@code delay}]. */
  private static Column within(String later, String earlier, Duration delay) {
    return col(later)
        .geq(col(earlier))
        .and(col(later).leq(expr(earlier + " + INTERVAL " + delay.toMillis() + " MILLISECONDS")));
  }

  private static Column ratio(String numerator, String denominator) {
    return when(col(denominator).gt(0), col(numerator).divide(col(denominator)));
  }

  /**
   * Bronze impressions with their user: the impression's own {@code user_id}, or, on rows written
   * before impressions carried it, the user of their bid request (a request has one row per imp:
   * de-duplicated).
   */
  public static Dataset<Row> withUser(Dataset<Row> impressions, Dataset<Row> bidRequests) {
    Dataset<Row> users =
        bidRequests
            .select(col("request_id").as("_request_id"), col("user_id").as("_request_user_id"))
            .distinct();
    return impressions
        .join(users, impressions.col("request_id").equalTo(users.col("_request_id")), "left_outer")
        .withColumn("user_id", coalesce(impressions.col("user_id"), col("_request_user_id")))
        .drop("_request_id", "_request_user_id");
  }
}
