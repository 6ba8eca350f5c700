package io.adlake.lake;

import static io.adlake.lake.TableSpec.ColumnSpec.optional;
import static io.adlake.lake.TableSpec.ColumnSpec.required;

import io.adlake.transform.IpGeography;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The declarations of adlake's tables. */
public final class AdlakeTables {
  /**
   * 512 MB: large files for analysts' scans; compaction (maintain) gets the streaming writes there.
   */
  static final long TARGET_FILE_SIZE_BYTES = 512L * 1024 * 1024;

  static final int CAMPAIGN_BUCKETS = 8;

  private AdlakeTables() {}

  /** write.merge.mode, write.update.mode and write.delete.mode, all the same. */
  public static Map<String, String> mergeModeProperties(MergeMode mode) {
    Map<String, String> p = new LinkedHashMap<>();
    for (String operation : List.of("merge", "update", "delete")) {
      p.put("write." + operation + ".mode", mode.property());
    }
    return p;
  }

  /** Properties every adlake table shares. */
  static Map<String, String> commonProperties() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("format-version", "2");
    p.put("write.format.default", "parquet");
    p.put("write.parquet.compression-codec", "zstd");
    p.put("write.target-file-size-bytes", Long.toString(TARGET_FILE_SIZE_BYTES));
    // Streaming MERGEs and maintenance commit side by side: retry optimistic-concurrency conflicts.
    p.put("commit.retry.num-retries", "10");
    p.put("commit.retry.min-wait-ms", "100");
    // Each micro-batch is a commit: keep metadata from growing without bound.
    p.put("write.metadata.delete-after-commit.enabled", "true");
    p.put("write.metadata.previous-versions-max", "100");
    return p;
  }

  /**
   * Attributed clicks. Nearly every micro-batch MERGE only inserts; an earlier click arriving later
   * replaces a row. With merge-on-read that is a delete file (compaction folds it); with
   * copy-on-write the touched file is rewritten. {@link MergeMode} says which the runtime can use.
   */
  public static TableSpec enrichedAdData(String name, MergeMode mode) {
    Map<String, String> props = commonProperties();
    props.putAll(mergeModeProperties(mode));
    return new TableSpec(
            name,
            "Clicks attributed to their impression (first click wins), enriched",
            List.of(
                required("ad_id", "STRING", "Ad id (key)"),
                required("impression_id", "STRING", "Impression id (key)"),
                required(
                    "click_id",
                    "STRING",
                    "The attributed click: the earliest one, ties broken by click id"),
                required("campaign_id", "STRING", "Campaign of the impression"),
                optional(
                    "advertiser_id",
                    "STRING",
                    "Advertiser of the campaign (campaigns, as of the micro-batch); NULL if unknown"),
                optional(
                    "campaign_name",
                    "STRING",
                    "Name of the campaign (campaigns, as of the micro-batch); NULL if unknown"),
                optional("publisher_id", "STRING", "Publisher of the impression"),
                required("impression_time", "TIMESTAMP", "Impression event time (UTC)"),
                required("click_time", "TIMESTAMP", "Click event time (UTC)"),
                optional("geo_location", "STRING", "Country, ISO-3166-1 alpha-3"),
                optional("platform", "STRING", "Platform reported by the tracker"),
                optional("device_type", "INT", "OpenRTB devicetype"),
                optional("bid_price", "DOUBLE", "Bid price, USD CPM"),
                optional("click_price", "DOUBLE", "Click price, USD"),
                optional(
                    "is_premium_ad", "STRING", "'Yes' when bid_price > premium threshold (50)"),
                optional(
                    "engagement_duration",
                    "BIGINT",
                    "Whole epoch seconds of click_time minus those of impression_time"),
                optional(
                    "platform_category",
                    "STRING",
                    "Mobile, Tablet, Desktop, CTV or Other from device_type"),
                optional("click_revenue", "DOUBLE", "click_price * revenue multiplier (1.2)"),
                optional(
                    "is_suspected_fraud",
                    "BOOLEAN",
                    "engagement_duration below the plausible minimum"),
                optional(
                    "processed_time", "TIMESTAMP", "When the micro-batch that wrote the row ran")),
            // Partitioned by campaign_id as the original design, but hashed into 8 buckets: a
            // micro-batch spans every campaign, and identity partitions made each MERGE write one
            // small file per campaign (measured: 40 files and ~650 ms per 900-row MERGE, against
            // ~400 ms bucketed). Campaign predicates still prune through the bucket. days() makes
            // old days closed partitions to compact.
            List.of("days(impression_time)", "bucket(" + CAMPAIGN_BUCKETS + ", campaign_id)"),
            List.of("ad_id", "impression_id"),
            props,
            Optional.of("impression_time"),
            Optional.of("campaign_id"))
        // A row appears when its click is attributed: the newest click tells how fresh it is.
        .withEventTimeColumn("click_time");
  }

  public static final String BID_REQUESTS = "bid_requests";
  public static final String BID_RESPONSES = "bid_responses";
  public static final String IMPRESSIONS = "impressions";
  public static final String CLICKS = "clicks";
  public static final String CONVERSIONS = "conversions";
  public static final String BID_REQUESTS_ENRICHED = "bid_requests_enriched";
  public static final String QUARANTINE = "quarantine";
  public static final String INGEST_METRICS = "ingest_metrics";

  /** The event time of every bronze row. */
  public static final String EVENT_TIMESTAMP = "event_timestamp";

  /** Where every bronze row came from: arrival time and source position. */
  private static List<TableSpec.ColumnSpec> lineage() {
    return List.of(
        required(EVENT_TIMESTAMP, "TIMESTAMP", "Event time (UTC)"),
        optional("received_at", "TIMESTAMP", "When the source received the record"),
        optional("source_partition", "INT", "Kafka partition; NULL for files"),
        optional("source_offset", "BIGINT", "Kafka offset, or line number in the file"));
  }

  private static List<TableSpec.ColumnSpec> withLineage(List<TableSpec.ColumnSpec> columns) {
    List<TableSpec.ColumnSpec> all = new ArrayList<>(columns);
    all.addAll(lineage());
    return all;
  }

  /** Bronze tables are append-only: re-sent records are dropped before the write, not upserted. */
  private static TableSpec bronze(
      String name, String comment, List<TableSpec.ColumnSpec> columns, List<String> partitioning) {
    return new TableSpec(
            name,
            comment,
            withLineage(columns),
            partitioning,
            List.of(),
            commonProperties(),
            Optional.empty(),
            Optional.empty())
        .withEventTimeColumn(EVENT_TIMESTAMP);
  }

  private static List<TableSpec.ColumnSpec> bidRequestColumns() {
    return List.of(
        required("request_id", "STRING", "BidRequest.id"),
        optional("imp_id", "STRING", "imp[].id: one row per impression opportunity of the request"),
        optional("imp_banner_w", "INT", "imp[].banner.w (or video.w)"),
        optional("imp_banner_h", "INT", "imp[].banner.h (or video.h)"),
        optional(
            "imp_bidfloor", "DOUBLE", "imp[].bidfloor, in the currency of the currency column"),
        optional("site_id", "STRING", "site.id; NULL for app traffic"),
        optional("site_domain", "STRING", "site.domain"),
        optional("site_cat", "STRING", "site.cat (or app.cat), IAB categories joined with ','"),
        optional("app_id", "STRING", "app.id; NULL for site traffic"),
        optional("app_bundle", "STRING", "app.bundle"),
        optional("publisher_id", "STRING", "site.publisher.id or app.publisher.id"),
        optional("device_type", "INT", "OpenRTB devicetype"),
        optional("device_os", "STRING", "device.os"),
        optional("device_ip", "STRING", "device.ip"),
        optional("device_geo_country", "STRING", "device.geo.country, ISO-3166-1 alpha-3"),
        optional("device_geo_region", "STRING", "device.geo.region"),
        optional("user_id", "STRING", "user.id"),
        optional("auction_type", "INT", "at: 1 first price, 2 second price"),
        optional("tmax", "INT", "tmax, milliseconds"),
        optional("currency", "STRING", "imp[].bidfloorcur, ISO-4217"),
        optional("is_coppa", "BOOLEAN", "regs.coppa = 1"),
        optional("is_gdpr", "BOOLEAN", "regs.ext.gdpr = 1"));
  }

  public static TableSpec bidRequests() {
    return bronze(
        BID_REQUESTS,
        "OpenRTB bid requests, one row per imp[]",
        bidRequestColumns(),
        List.of("days(event_timestamp)", "device_geo_country"));
  }

  public static TableSpec bidResponses() {
    return bronze(
        BID_RESPONSES,
        "OpenRTB bid responses, one row per seatbid[].bid[]",
        List.of(
            required("response_id", "STRING", "BidResponse.bidid"),
            required("request_id", "STRING", "BidResponse.id = the request's id"),
            optional("bidder_id", "STRING", "seatbid[].seat"),
            optional("bid_id", "STRING", "seatbid[].bid[].id"),
            optional("imp_id", "STRING", "seatbid[].bid[].impid"),
            optional("price", "DOUBLE", "seatbid[].bid[].price, CPM in the response currency"),
            optional("ad_domain", "STRING", "seatbid[].bid[].adomain, joined with ','"),
            optional("creative_id", "STRING", "seatbid[].bid[].crid"),
            optional("deal_id", "STRING", "seatbid[].bid[].dealid"),
            optional("campaign_id", "STRING", "seatbid[].bid[].cid"),
            optional("ad_id", "STRING", "seatbid[].bid[].adid"),
            optional("currency", "STRING", "cur, ISO-4217")),
        List.of("days(event_timestamp)"));
  }

  /** The ad and context columns both tracking events carry. */
  private static List<TableSpec.ColumnSpec> trackedAd() {
    return List.of(
        required("ad_id", "STRING", "Ad id"),
        required("campaign_id", "STRING", "Campaign id"),
        optional("publisher_id", "STRING", "Publisher id"),
        optional("device_type", "INT", "OpenRTB devicetype"),
        optional("geo_location", "STRING", "Country, ISO-3166-1 alpha-3"),
        optional("platform", "STRING", "Platform"));
  }

  public static TableSpec impressions() {
    List<TableSpec.ColumnSpec> columns =
        new ArrayList<>(
            List.of(
                required("impression_id", "STRING", "Impression id"),
                optional("request_id", "STRING", "Originating bid request"),
                optional("response_id", "STRING", "Winning bid response")));
    columns.addAll(trackedAd());
    columns.addAll(
        List.of(
            optional("ad_type", "STRING", "banner, video or native"),
            optional("bid_price", "DOUBLE", "Bid price, USD CPM"),
            optional("win_price", "DOUBLE", "Clearing price, USD CPM"),
            optional("bidder_id", "STRING", "Winning bidder"),
            optional("creative_id", "STRING", "Creative id"),
            optional("ad_domain", "STRING", "Advertiser domain"),
            optional(
                "viewability_score",
                "DOUBLE",
                "Share of the ad in view, 0-1 (added later: NULL on older rows)"),
            userId()));
    return bronze(
        IMPRESSIONS,
        "Impression (win notice) tracking events",
        columns,
        List.of("days(event_timestamp)"));
  }

  public static TableSpec clicks() {
    List<TableSpec.ColumnSpec> columns =
        new ArrayList<>(
            List.of(
                required("click_id", "STRING", "Click id"),
                required("impression_id", "STRING", "Impression clicked"),
                optional("request_id", "STRING", "Originating bid request")));
    columns.addAll(trackedAd());
    columns.addAll(
        List.of(
            optional("click_price", "DOUBLE", "Click price, USD"),
            optional("click_url", "STRING", "Landing page"),
            userId()));
    return bronze(CLICKS, "Click tracking events", columns, List.of("days(event_timestamp)"));
  }

  /** The user a tracking event belongs to; added after the first release, last in the table. */
  private static TableSpec.ColumnSpec userId() {
    return optional(
        "user_id",
        "STRING",
        "user.id of the originating bid request, as the ad server logs it (added later: NULL on older rows)");
  }

  /** Advertisers' conversions as they come; a re-sent one is a second row with the same id. */
  public static TableSpec conversions() {
    return bronze(
        CONVERSIONS,
        "Advertiser conversions (pixels and postbacks)",
        List.of(
            required("conversion_id", "STRING", "Conversion id; re-sends repeat it"),
            optional("user_id", "STRING", "Converting user (the bid requests' user.id)"),
            optional("click_id", "STRING", "Click id carried by a postback"),
            optional("advertiser_id", "STRING", "Advertiser"),
            required("conversion_type", "STRING", "purchase, signup, install or lead"),
            optional("value", "DOUBLE", "Value, >= 0, in currency"),
            optional("currency", "STRING", "ISO-4217 code of value; NULL means USD")),
        List.of("days(event_timestamp)"));
  }

  /**
   * Bid requests with USD floors and device category; test, private-IP and non-positive-floor
   * traffic left out.
   */
  public static TableSpec bidRequestsEnriched() {
    List<TableSpec.ColumnSpec> columns = new ArrayList<>(bidRequestColumns());
    columns.add(
        optional(
            "usd_rate",
            "DOUBLE",
            "USD per unit of currency at event_timestamp (currency_rates), used for floor_usd"));
    columns.add(
        optional(
            "rate_valid_from", "TIMESTAMP", "valid_from of the currency_rates row of usd_rate"));
    columns.add(optional("floor_usd", "DOUBLE", "imp_bidfloor * usd_rate"));
    columns.add(
        optional("device_category", "STRING", "CTV, Mobile Web, Mobile App, Desktop or Unknown"));
    // From device_ip in the City database of adlake.enrichment.geoip.path; device_geo_* stay as the
    // request stated them.
    columns.add(
        optional(
            IpGeography.CITY, "STRING", "City of device_ip (English name); NULL when unknown"));
    columns.add(
        optional(
            IpGeography.REGION,
            "STRING",
            "ISO 3166-2 code of the first-level subdivision of device_ip, e.g. US-MI"));
    columns.add(optional(IpGeography.POSTAL, "STRING", "Postal code (or prefix) of device_ip"));
    columns.add(optional(IpGeography.TIMEZONE, "STRING", "IANA time zone of device_ip"));
    columns.add(optional(IpGeography.LATITUDE, "DOUBLE", "Approximate latitude of device_ip"));
    columns.add(optional(IpGeography.LONGITUDE, "DOUBLE", "Approximate longitude of device_ip"));
    return bronze(
        BID_REQUESTS_ENRICHED,
        "Valid, billable bid requests with normalised floors",
        columns,
        List.of("days(event_timestamp)", "device_geo_country"));
  }

  /** Every record that could not be used, with its bytes, where it came from and why. */
  public static TableSpec quarantine() {
    return new TableSpec(
        QUARANTINE,
        "Records that could not be used, with the reason",
        List.of(
            required(
                "event_type",
                "STRING",
                "Stream the record was read for: bid_request, bid_response, impression, click, conversion"),
            optional("source", "STRING", "Topic, stream or file the record came from"),
            optional("source_partition", "INT", "Kafka partition; NULL for files"),
            optional("source_offset", "BIGINT", "Kafka offset, or line number in the file"),
            required(
                "reason",
                "STRING",
                "malformed_json, missing_field:<name>, invalid_timestamp, timestamp_out_of_range, too_large, "
                    + "invalid_conversion_type or invalid_value"),
            optional("raw_text", "STRING", "The record as text when it is valid UTF-8"),
            optional(
                "raw_base64", "STRING", "The record base64-encoded when it is not valid UTF-8"),
            optional("raw_bytes", "INT", "Size of the record"),
            optional("received_at", "TIMESTAMP", "When the source received the record"),
            required(
                "quarantined_at", "TIMESTAMP", "When the micro-batch that quarantined it ran")),
        List.of("days(quarantined_at)", "event_type"),
        List.of(),
        commonProperties(),
        Optional.empty(),
        Optional.empty());
  }

  /** One row per ingest micro-batch and stream: what was read and where every record went. */
  public static TableSpec ingestMetrics() {
    return new TableSpec(
        INGEST_METRICS,
        "Per micro-batch accounting of the bronze ingest",
        List.of(
            required("stream", "STRING", "Topic / stream name"),
            required("query_id", "STRING", "Streaming query id"),
            required("batch_id", "BIGINT", "Micro-batch id"),
            required("batch_time", "TIMESTAMP", "When the micro-batch ran"),
            optional("records_read", "BIGINT", "Records read from the source"),
            optional(
                "duplicates_dropped",
                "BIGINT",
                "Records dropped as re-sent within the dedup window"),
            optional("bronze_records", "BIGINT", "Valid records written to the bronze table"),
            optional(
                "bronze_rows", "BIGINT", "Rows written to the bronze table (after flattening)"),
            optional("quarantined", "BIGINT", "Records written to quarantine"),
            optional(
                "quarantined_by_reason", "MAP<STRING, BIGINT>", "Quarantined records per reason"),
            optional(
                "filtered", "BIGINT", "Rows kept out of bid_requests_enriched (still in bronze)"),
            optional("filtered_by_reason", "MAP<STRING, BIGINT>", "Filtered rows per reason"),
            optional("enriched_rows", "BIGINT", "Rows written to bid_requests_enriched"),
            optional(
                "geo_unresolved",
                "BIGINT",
                "Rows written to bid_requests_enriched whose device_ip the City database does not "
                    + "know (reserved, malformed or unknown): geo_* NULL. NULL when geography is off")),
        List.of(),
        List.of(),
        commonProperties(),
        Optional.empty(),
        Optional.empty());
  }

  /** Columns every windowed metrics table has besides its group and measures. */
  public static final String WINDOW_START = "window_start";

  public static final String WINDOW_END = "window_end";
  public static final String UPDATED_AT = "updated_at";

  public static final String HOURLY_IMPRESSIONS_BY_GEO = "hourly_impressions_by_geo";

  /**
   * Tumbling 1 h windows of impressions per country; one row per (window_start,
   * device_geo_country).
   */
  public static TableSpec hourlyImpressionsByGeo(MergeMode mode) {
    return windowedMetrics(
        HOURLY_IMPRESSIONS_BY_GEO,
        "Impressions per hour and country, corrected as late events " + "arrive",
        mode,
        required(
            "device_geo_country",
            "STRING",
            "Country, ISO-3166-1 alpha-3; UNKNOWN when absent; key"),
        List.of(
            optional("impression_count", "BIGINT", "Impressions"),
            optional("total_revenue", "DOUBLE", "sum(win_price) / 1000: USD, win prices being CPM"),
            optional("avg_win_price", "DOUBLE", "Average win price, USD CPM")));
  }

  /**
   * A windowed metrics table: key (window_start, group), measures, the time the row last changed; a
   * MERGE bounds window_start and the group values of its batch.
   */
  private static TableSpec windowedMetrics(
      String name,
      String comment,
      MergeMode mode,
      TableSpec.ColumnSpec group,
      List<TableSpec.ColumnSpec> measures) {
    Map<String, String> props = commonProperties();
    props.putAll(mergeModeProperties(mode));
    List<TableSpec.ColumnSpec> columns =
        new ArrayList<>(
            List.of(
                required(WINDOW_START, "TIMESTAMP", "Start of the window (UTC), key"),
                group,
                optional(WINDOW_END, "TIMESTAMP", "End of the window")));
    columns.addAll(measures);
    columns.add(
        optional(UPDATED_AT, "TIMESTAMP", "When the micro-batch that last changed the row ran"));
    return new TableSpec(
        name,
        comment,
        columns,
        List.of("days(" + WINDOW_START + ")"),
        List.of(WINDOW_START, group.name()),
        props,
        Optional.of(WINDOW_START),
        Optional.of(group.name()));
  }

  public static final String ROLLING_METRICS_BY_BIDDER = "rolling_metrics_by_bidder";

  /**
   * Sliding 5 min windows every minute of wins per bidder; one row per (window_start, bidder_id).
   */
  public static TableSpec rollingMetricsByBidder(MergeMode mode) {
    return windowedMetrics(
        ROLLING_METRICS_BY_BIDDER,
        "Wins per bidder over the last 5 minutes, every minute",
        mode,
        required("bidder_id", "STRING", "Winning bidder; UNKNOWN when absent; key"),
        List.of(
            optional("win_count", "BIGINT", "Impressions won"),
            optional("revenue", "DOUBLE", "sum(win_price) / 1000: USD, win prices being CPM"),
            optional("avg_cpm", "DOUBLE", "Average win price, USD CPM")));
  }

  public static final String CAMPAIGN_METRICS_5M = "campaign_metrics_5m";

  /** Tumbling 5 min windows per campaign: delivery, spend, click revenue and reach. */
  public static TableSpec campaignMetrics5m(MergeMode mode) {
    return windowedMetrics(
        CAMPAIGN_METRICS_5M,
        "Campaign delivery per 5 minutes",
        mode,
        required("campaign_id", "STRING", "Campaign; key"),
        List.of(
            optional("impressions", "BIGINT", "Impressions"),
            optional("clicks", "BIGINT", "Clicks (counted in the window of the click)"),
            optional("spend", "DOUBLE", "sum(win_price) / 1000: USD paid for the impressions"),
            optional(
                "revenue",
                "DOUBLE",
                "Click revenue: sum(click_price) * click-revenue-multiplier, USD"),
            optional(
                "ctr", "DOUBLE", "clicks / impressions of the window; NULL without impressions"),
            optional(
                "unique_users",
                "BIGINT",
                "Distinct users among the impressions: HyperLogLog++ "
                    + "(approx_count_distinct), relative standard deviation 5 %"),
            optional(
                "conversions",
                "BIGINT",
                "Conversions attributed to the campaign (click- or view-through), in the window of the "
                    + "conversion's time (added later: NULL on older rows)"),
            optional(
                "conversion_value_usd", "DOUBLE", "value_usd of those conversions, summed, USD"),
            optional("cvr", "DOUBLE", "conversions / clicks; NULL without clicks"),
            optional("cpa", "DOUBLE", "spend / conversions, USD; NULL without conversions"),
            optional("roas", "DOUBLE", "conversion_value_usd / spend; NULL without spend"),
            optional(
                "advertiser_id",
                "STRING",
                "Advertiser of the campaign, from the campaigns snapshot the aggregate's batch pinned; "
                    + "NULL for a campaign the table does not know (added later: NULL on older rows)"),
            optional("campaign_name", "STRING", "Campaign name, as advertiser_id")));
  }

  /**
   * The columns of campaign_metrics_5m that the conversions job keeps; the aggregate the others.
   */
  public static final List<String> CAMPAIGN_CONVERSION_COLUMNS =
      List.of("conversions", "conversion_value_usd");

  /** Its ratios, which combine both: whichever writer changes an input recomputes them. */
  public static final List<String> CAMPAIGN_RATIO_COLUMNS = List.of("cvr", "cpa", "roas");

  public static final String ATTRIBUTED_CONVERSIONS = "attributed_conversions";
  public static final String CONVERSION_JOURNEYS = "conversion_journeys";
  public static final String ATTRIBUTION_CREDITS = "attribution_credits";

  /** Columns of a table recomputed per conversion: key, day partitions and MERGE bounds. */
  private static TableSpec perConversion(
      String name,
      String comment,
      MergeMode mode,
      List<String> key,
      List<TableSpec.ColumnSpec> columns) {
    Map<String, String> props = commonProperties();
    props.putAll(mergeModeProperties(mode));
    return new TableSpec(
        name,
        comment,
        columns,
        // Conversions re-opened by a late touch lie within the lookback of it: one or two days.
        List.of("days(conversion_time)"),
        key,
        props,
        Optional.of("conversion_time"),
        Optional.empty());
  }

  /** Each conversion once, with the touch the last-touch rule gives it (or none). */
  public static TableSpec attributedConversions(MergeMode mode) {
    return perConversion(
        ATTRIBUTED_CONVERSIONS,
        "Conversions with their last-touch attribution (click-through, view-through or unattributed)",
        mode,
        List.of("conversion_id"),
        List.of(
            required(
                "conversion_id", "STRING", "Conversion id (key); a re-sent conversion is one row"),
            optional("user_id", "STRING", "Converting user"),
            optional("advertiser_id", "STRING", "Advertiser"),
            optional("conversion_type", "STRING", "purchase, signup, install or lead"),
            required("conversion_time", "TIMESTAMP", "Conversion event time (UTC)"),
            optional("value", "DOUBLE", "Value in currency"),
            optional("currency", "STRING", "ISO-4217; NULL in the event means USD"),
            optional(
                "value_usd",
                "DOUBLE",
                "value * usd_rate; NULL for a currency without a rate at conversion_time"),
            optional(
                "usd_rate",
                "DOUBLE",
                "USD per unit of currency valid at conversion_time (currency_rates)"),
            optional("rate_valid_from", "TIMESTAMP", "Since when usd_rate was valid"),
            required("attribution", "STRING", "click_through, view_through or unattributed"),
            optional("touch_id", "STRING", "The attributed click_id or impression_id"),
            optional("touch_time", "TIMESTAMP", "Event time of the attributed touch"),
            optional("campaign_id", "STRING", "Campaign of the attributed touch"),
            optional("ad_id", "STRING", "Ad of the attributed touch"),
            optional("publisher_id", "STRING", "Publisher of the attributed touch"),
            optional(
                "seconds_to_convert",
                "DOUBLE",
                "conversion_time - touch_time, seconds (ms precision)"),
            optional(
                "processed_time", "TIMESTAMP", "When the micro-batch that wrote the row ran")));
  }

  /** The Spark type of a journey: its touches in time order. */
  public static final String JOURNEY_TOUCHES_TYPE =
      "ARRAY<STRUCT<touch_type: STRING, touch_id: STRING, touch_time: TIMESTAMP, "
          + "campaign_id: STRING, publisher_id: STRING>>";

  /** Each conversion once, with the user's touches before it. */
  public static TableSpec conversionJourneys(MergeMode mode) {
    return perConversion(
        CONVERSION_JOURNEYS,
        "The impressions and clicks of the converting user within the journey lookback",
        mode,
        List.of("conversion_id"),
        List.of(
            required("conversion_id", "STRING", "Conversion id (key)"),
            optional("user_id", "STRING", "Converting user; NULL gives an empty journey"),
            required("conversion_time", "TIMESTAMP", "Conversion event time (UTC)"),
            optional(
                "touches",
                JOURNEY_TOUCHES_TYPE,
                "The touches in time order (ties: touch id), at most max-touches, the latest"),
            optional("touch_count", "INT", "Touches in the journey (the array's size)"),
            optional(
                "touches_in_lookback",
                "INT",
                "Touches within the journey lookback, including those beyond max-touches"),
            optional("first_touch_time", "TIMESTAMP", "Time of the journey's first touch"),
            optional(
                "seconds_from_first_touch",
                "DOUBLE",
                "conversion_time - first_touch_time, seconds; NULL for an empty journey"),
            optional(
                "processed_time", "TIMESTAMP", "When the micro-batch that wrote the row ran")));
  }

  /** Per conversion, model and campaign: the share of the conversion the campaign earned. */
  public static TableSpec attributionCredits(MergeMode mode) {
    return perConversion(
        ATTRIBUTION_CREDITS,
        "Multi-touch credit of attributed conversions per model and campaign",
        mode,
        List.of("conversion_id", "model", "campaign_id"),
        List.of(
            required("conversion_id", "STRING", "Conversion id (key)"),
            required(
                "model",
                "STRING",
                "last_touch, first_touch, linear, time_decay or position_based (key)"),
            required("campaign_id", "STRING", "Campaign credited (key)"),
            required("conversion_time", "TIMESTAMP", "Conversion event time (UTC)"),
            optional(
                "credit",
                "DOUBLE",
                "Share of the conversion, > 0; a conversion's credits under one model sum to 1"),
            optional("credited_value_usd", "DOUBLE", "credit * value_usd"),
            optional("touches", "INT", "The campaign's touches on the conversion's path"),
            optional(
                "processed_time", "TIMESTAMP", "When the micro-batch that wrote the row ran")));
  }

  public static final String HOURLY_FUNNEL_BY_PUBLISHER = "hourly_funnel_by_publisher";

  /**
   * Per request-hour and publisher: the funnel from ad slot to click, each event in its request's
   * hour.
   */
  public static TableSpec hourlyFunnelByPublisher(MergeMode mode) {
    return windowedMetrics(
        HOURLY_FUNNEL_BY_PUBLISHER,
        "Funnel per publisher and hour of the originating request",
        mode,
        required("publisher_id", "STRING", "Publisher of the request; UNKNOWN when absent; key"),
        List.of(
            optional(
                "bid_requests", "BIGINT", "Ad slots requested: bid request rows, one per imp[]"),
            optional(
                "bid_responses",
                "BIGINT",
                "Bids for those slots within response-within of the request"),
            optional(
                "impressions", "BIGINT", "Impressions within impression-within of their response"),
            optional("clicks", "BIGINT", "Clicks within click-within of their impression"),
            optional("fill_rate", "DOUBLE", "bid_responses / bid_requests"),
            optional("win_rate", "DOUBLE", "impressions / bid_responses; NULL without responses"),
            optional("ctr", "DOUBLE", "clicks / impressions; NULL without impressions")));
  }

  public static final String FUNNEL_EVENTS = "funnel_events";

  /**
   * The funnel of each ad slot, one row per event reached from its request; appended by the funnel
   * join (stream-stream joins run in append mode only) and rolled up into
   * hourly_funnel_by_publisher.
   */
  public static TableSpec funnelEvents() {
    return new TableSpec(
        FUNNEL_EVENTS,
        "Events of the funnel with the ad slot request they descend from",
        List.of(
            optional("request_id", "STRING", "Originating bid request"),
            optional("publisher_id", "STRING", "Publisher of the request; UNKNOWN when absent"),
            optional("request_time", "TIMESTAMP", "Event time of the request"),
            optional("stage", "STRING", "bid_request, bid_response, impression or click"),
            optional(
                "event_id", "STRING", "request_id:imp_id, response_id, impression_id or click_id"),
            optional("event_time", "TIMESTAMP", "Event time of this event")),
        List.of("days(request_time)"),
        List.of(),
        commonProperties(),
        Optional.empty(),
        Optional.empty(),
        Optional.of("event_time"));
  }

  /**
   * Every table adlake writes, with the name {@code adlake.attribution.table} gives the attributed
   * clicks; the merge mode is the default (it changes properties only).
   */
  public static List<TableSpec> all(String enrichedAdDataName) {
    MergeMode mode = MergeMode.MERGE_ON_READ;
    return List.of(
        bidRequests(),
        bidResponses(),
        impressions(),
        clicks(),
        conversions(),
        bidRequestsEnriched(),
        quarantine(),
        ingestMetrics(),
        enrichedAdData(enrichedAdDataName, mode),
        hourlyImpressionsByGeo(mode),
        rollingMetricsByBidder(mode),
        campaignMetrics5m(mode),
        hourlyFunnelByPublisher(mode),
        funnelEvents(),
        attributedConversions(mode),
        conversionJourneys(mode),
        attributionCredits(mode),
        lateEvents());
  }

  public static final String LATE_EVENTS = "late_events";

  /**
   * Per metrics table and micro-batch, the input rows Spark dropped because their event time was
   * behind the watermark: never silently lost, counted here.
   */
  public static TableSpec lateEvents() {
    return new TableSpec(
        LATE_EVENTS,
        "Rows dropped by the watermark of a metrics query, per micro-batch",
        List.of(
            required("table_name", "STRING", "Metrics table whose query dropped the rows"),
            required("query_id", "STRING", "Streaming query id"),
            required("batch_id", "BIGINT", "Micro-batch id"),
            required("batch_time", "TIMESTAMP", "When the micro-batch ran"),
            optional("watermark", "TIMESTAMP", "Event-time watermark of the micro-batch"),
            required(
                "late_rows",
                "BIGINT",
                "Rows dropped by the watermark, over the query's stateful operators (a "
                    + "sliding-window event counts once per window it falls in; a funnel event once per join it meets)")),
        List.of("days(batch_time)"),
        List.of(),
        commonProperties(),
        Optional.empty(),
        Optional.empty());
  }

  public static final String CAMPAIGNS = "campaigns";
  public static final String ADVERTISERS = "advertisers";
  public static final String CURRENCY_RATES = "currency_rates";

  /**
   * Reference data loaded by {@code dims load}: small, rewritten rarely, read whole by every batch
   * that joins it. Copy-on-write keeps each snapshot free of delete files on every Iceberg version
   * adlake runs on, and unpartitioned because a few thousand rows make one file.
   */
  private static Map<String, String> dimensionProperties() {
    Map<String, String> p = commonProperties();
    p.putAll(mergeModeProperties(MergeMode.COPY_ON_WRITE));
    return p;
  }

  private static TableSpec dimension(
      String name, String comment, List<TableSpec.ColumnSpec> columns, List<String> key) {
    List<TableSpec.ColumnSpec> all = new ArrayList<>(columns);
    all.add(optional(UPDATED_AT, "TIMESTAMP", "When the dims load that last changed the row ran"));
    return new TableSpec(
        name,
        comment,
        all,
        List.of(),
        key,
        dimensionProperties(),
        Optional.empty(),
        Optional.empty());
  }

  public static TableSpec campaigns() {
    return dimension(
        CAMPAIGNS,
        "Campaigns: budget, target and flight dates; loaded with dims load",
        List.of(
            required("campaign_id", "STRING", "Campaign id (key), as the impressions carry it"),
            required("advertiser_id", "STRING", "Advertiser running the campaign"),
            required("campaign_name", "STRING", "Name shown in reports"),
            optional("daily_budget_usd", "DOUBLE", "Spend allowed per UTC day, USD; NULL = none"),
            optional("target_cpa_usd", "DOUBLE", "Target cost per acquisition, USD"),
            optional("start_date", "DATE", "First day of the flight (UTC)"),
            optional("end_date", "DATE", "Last day of the flight (UTC); NULL = open"),
            required("status", "STRING", "active, paused or ended")),
        List.of("campaign_id"));
  }

  public static TableSpec advertisers() {
    return dimension(
        ADVERTISERS,
        "Advertisers; loaded with dims load",
        List.of(
            required("advertiser_id", "STRING", "Advertiser id (key)"),
            required("advertiser_name", "STRING", "Name shown in reports"),
            optional("vertical", "STRING", "Industry, e.g. retail, travel, gaming"),
            required("currency", "STRING", "Billing currency, ISO-4217")),
        List.of("advertiser_id"));
  }

  /**
   * USD rates as a type-2 history: a rate is valid from valid_from (inclusive) to valid_to
   * (exclusive; NULL = current), so an event converts at the rate of its own event time, and
   * re-processing old events gives the same USD figures after the rate moved on.
   */
  public static TableSpec currencyRates() {
    return dimension(
        CURRENCY_RATES,
        "USD per unit of each currency over time (type-2 history); loaded with dims load",
        List.of(
            required("currency", "STRING", "ISO-4217 code (key)"),
            required("valid_from", "TIMESTAMP", "The rate applies from this instant (key)"),
            required("usd_per_unit", "DOUBLE", "USD per unit of currency, > 0"),
            optional(
                "valid_to",
                "TIMESTAMP",
                "The next rate's valid_from, exclusive; NULL for the current rate")),
        List.of("currency", "valid_from"));
  }
}
