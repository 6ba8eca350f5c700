package io.adlake.job;

import io.adlake.config.AdlakeConfig;
import io.adlake.lake.AdlakeTables;
import io.adlake.lake.CommitLedger;
import io.adlake.lake.DimensionLoad;
import io.adlake.lake.ExactlyOnceMerge;
import io.adlake.lake.ExactlyOnceMerge.BatchCommit;
import io.adlake.lake.MergeMode;
import io.adlake.lake.TableSetup;
import io.adlake.lake.TableSpec;
import io.adlake.transform.Attribution;
import io.adlake.transform.Metrics;
import io.adlake.transform.ReferenceData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.apache.iceberg.IcebergBuild;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.DataStreamReader;
import org.apache.spark.sql.streaming.OutputMode;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;

/**
 * Windowed metrics: bronze Iceberg table (streamed) → watermark → window aggregation in update mode
 * → {@code MERGE INTO} the metrics table, so a window's row is corrected as
 * late-but-within-watermark events arrive. Bronze is the source because it is already validated and
 * de-duplicated: the metrics equal the same aggregation in batch SQL over bronze.
 */
public final class AggregateJob {
  public static final String QUERY_PREFIX = "aggregate_";

  private AggregateJob() {}

  /** Name of the query that appends {@code funnel_events}. */
  public static final String FUNNEL_EVENTS_QUERY = QUERY_PREFIX + AdlakeTables.FUNNEL_EVENTS;

  /**
   * Starts every metrics query at once, for a continuous run: the funnel rollup follows {@code
   * funnel_events} as the funnel join appends it.
   */
  public static List<StreamingQuery> start(
      SparkSession spark, AdlakeConfig config, Trigger trigger, ProgressLog progress) {
    List<StreamingQuery> queries =
        new ArrayList<>(startFirstStage(spark, config, trigger, progress));
    queries.add(startFunnelRollup(spark, config, trigger, progress));
    return queries;
  }

  /**
   * The metrics over bronze: three windowed tables (update mode + MERGE) and the funnel join,
   * appended to {@code funnel_events} (Spark joins two streams in append mode only). An
   * available-now run lets these finish before {@link #startFunnelRollup}.
   */
  public static List<StreamingQuery> startFirstStage(
      SparkSession spark, AdlakeConfig config, Trigger trigger, ProgressLog progress) {
    return startFirstStage(spark, config, trigger, progress, true);
  }

  /**
   * As {@link #startFirstStage(SparkSession, AdlakeConfig, Trigger, ProgressLog)}, the funnel join
   * optional.
   */
  public static List<StreamingQuery> startFirstStage(
      SparkSession spark,
      AdlakeConfig config,
      Trigger trigger,
      ProgressLog progress,
      boolean withFunnelJoin) {
    MergeMode mode = MergeMode.resolve(config.attribution().mergeMode(), IcebergBuild.version());
    // campaign_metrics_5m joins the campaigns table per batch: it must exist.
    new DimensionLoad(spark, config.catalog()).ensureTables(config.ingest().usdRates());
    String impressions = TableSetup.ensure(spark, config.catalog(), AdlakeTables.impressions());
    String clicks = TableSetup.ensure(spark, config.catalog(), AdlakeTables.clicks());
    String requests = TableSetup.ensure(spark, config.catalog(), AdlakeTables.bidRequests());
    String responses = TableSetup.ensure(spark, config.catalog(), AdlakeTables.bidResponses());
    Dataset<Row> impressionStream = watermarked(spark, impressions, config);
    // Stream-static join: the requests table is read afresh each micro-batch. An impression whose
    // request is
    // not committed yet counts without a user (the ingest commits requests before their impressions
    // arrive).
    Dataset<Row> impressionUsers =
        Metrics.withUser(impressionStream, spark.read().format("iceberg").load(requests));

    TableSpec byGeo = AdlakeTables.hourlyImpressionsByGeo(mode);
    TableSpec byBidder = AdlakeTables.rollingMetricsByBidder(mode);
    TableSpec byCampaign = AdlakeTables.campaignMetrics5m(mode);
    Map<TableSpec, Dataset<Row>> metrics = new LinkedHashMap<>();
    metrics.put(byGeo, Metrics.hourlyImpressionsByGeo(impressionStream, byGeo));
    metrics.put(byBidder, Metrics.rollingMetricsByBidder(impressionStream, byBidder));
    metrics.put(
        byCampaign,
        Metrics.campaignMetrics5m(
            impressionUsers,
            watermarked(spark, clicks, config),
            config.attribution().clickRevenueMultiplier(),
            byCampaign));

    Map<String, String> queryToTable = new LinkedHashMap<>();
    metrics.keySet().forEach(spec -> queryToTable.put(QUERY_PREFIX + spec.name(), spec.name()));
    // Events the funnel join drops behind the watermark are late events of the funnel table.
    queryToTable.put(FUNNEL_EVENTS_QUERY, AdlakeTables.HOURLY_FUNNEL_BY_PUBLISHER);
    new LateEventsRecorder(
        spark, TableSetup.ensure(spark, config.catalog(), AdlakeTables.lateEvents()), queryToTable);

    List<StreamingQuery> queries = new ArrayList<>();
    metrics.forEach(
        (spec, rows) -> queries.add(upsert(spark, config, spec, mode, rows, trigger, progress)));
    if (!withFunnelJoin) {
      return queries;
    }
    Dataset<Row> funnelEvents =
        Metrics.funnelEvents(
            watermarked(spark, requests, config),
            watermarked(spark, responses, config),
            watermarked(spark, impressions, config),
            watermarked(spark, clicks, config),
            config.aggregate(),
            AdlakeTables.funnelEvents());
    queries.add(appendFunnelEvents(spark, config, funnelEvents, trigger, progress));
    return queries;
  }

  /**
   * Rolls {@code funnel_events} up into {@code hourly_funnel_by_publisher} (update mode + MERGE).
   */
  public static StreamingQuery startFunnelRollup(
      SparkSession spark, AdlakeConfig config, Trigger trigger, ProgressLog progress) {
    MergeMode mode = MergeMode.resolve(config.attribution().mergeMode(), IcebergBuild.version());
    String events = TableSetup.ensure(spark, config.catalog(), AdlakeTables.funnelEvents());
    Dataset<Row> stream =
        bronzeStream(spark, events, config)
            .withWatermark("request_time", Attribution.interval(config.aggregate().watermark()));
    TableSpec spec = AdlakeTables.hourlyFunnelByPublisher(mode);
    new LateEventsRecorder(
        spark,
        TableSetup.ensure(spark, config.catalog(), AdlakeTables.lateEvents()),
        Map.of(QUERY_PREFIX + spec.name(), spec.name()));
    return upsert(
        spark,
        config,
        spec,
        mode,
        Metrics.hourlyFunnelByPublisher(stream, spec),
        trigger,
        progress);
  }

  private static StreamingQuery appendFunnelEvents(
      SparkSession spark,
      AdlakeConfig config,
      Dataset<Row> events,
      Trigger trigger,
      ProgressLog progress) {
    String table = TableSetup.ensure(spark, config.catalog(), AdlakeTables.funnelEvents());
    VoidFunction2<Dataset<Row>, Long> append =
        (batch, batchId) -> {
          SparkSession session = batch.sparkSession();
          Dataset<Row> rows = batch.persist();
          try {
            long count = rows.count();
            long start = System.nanoTime();
            boolean appended =
                CommitLedger.appendOnce(
                    session, table, CommitLedger.writerId(session), batchId, rows, count);
            progress.accept(
                new BatchCommit(
                    AdlakeTables.FUNNEL_EVENTS,
                    batchId,
                    appended ? count : 0,
                    (System.nanoTime() - start) / 1_000_000,
                    count > 0 && !appended));
          } finally {
            rows.unpersist();
          }
        };
    return ForeachBatchQuery.start(
        events, FUNNEL_EVENTS_QUERY, OutputMode.Append(), config, trigger, append);
  }

  private static Dataset<Row> watermarked(SparkSession spark, String table, AdlakeConfig config) {
    return bronzeStream(spark, table, config)
        .withWatermark("event_timestamp", Attribution.interval(config.aggregate().watermark()));
  }

  private static Dataset<Row> bronzeStream(SparkSession spark, String table, AdlakeConfig config) {
    DataStreamReader reader = spark.readStream().format("iceberg");
    if (config.aggregate().maxRowsPerTrigger() > 0) {
      reader =
          reader.option(
              "streaming-max-rows-per-micro-batch", config.aggregate().maxRowsPerTrigger());
    }
    return reader.load(table);
  }

  private static StreamingQuery upsert(
      SparkSession spark,
      AdlakeConfig config,
      TableSpec spec,
      MergeMode mode,
      Dataset<Row> metrics,
      Trigger trigger,
      ProgressLog progress) {
    String table = TableSetup.ensure(spark, config.catalog(), spec);
    TableSetup.requireProperties(
        spark,
        table,
        AdlakeTables.mergeModeProperties(mode),
        "the Iceberg runtime here is " + IcebergBuild.version());
    String name = QUERY_PREFIX + spec.name();
    // Update mode: each batch emits the windows it changed, with their totals so far; the MERGE
    // replaces the row, so late events within the watermark correct it.
    ExactlyOnceMerge merge = mergeSink(config, table, spec, progress);
    return ForeachBatchQuery.start(metrics, name, OutputMode.Update(), config, trigger, merge);
  }

  /** The exactly-once MERGE of one micro-batch of a metrics table's changed windows. */
  static ExactlyOnceMerge mergeSink(
      AdlakeConfig config, String table, TableSpec spec, Consumer<BatchCommit> progress) {
    ExactlyOnceMerge merge =
        new ExactlyOnceMerge(table, spec, "true", UnaryOperator.identity(), progress);
    if (!spec.name().equals(AdlakeTables.CAMPAIGN_METRICS_5M)) {
      return merge;
    }
    // The conversions job keeps the conversion columns of the same rows: leave them alone.
    // Advertiser and campaign name come from the campaigns snapshot the batch pins (recorded with
    // its commit, so a replay names as its first attempt did); unknown campaigns stay NULL.
    String campaigns = config.catalog().qualified(AdlakeTables.CAMPAIGNS);
    return merge
        .updating(Metrics.campaignDeliveryUpdate(spec))
        .joining(
            Map.of(AdlakeTables.CAMPAIGNS, campaigns),
            (rows, pins) ->
                spec.selectFrom(
                    ReferenceData.withCampaign(
                        rows, pins.read(rows.sparkSession(), AdlakeTables.campaigns(), campaigns))))
        .andThen(new UnknownCampaigns("campaign_metrics_5m rows"));
  }
}
