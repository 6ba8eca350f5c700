package io.adlake.job;

import static org.apache.spark.sql.functions.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.adlake.TestServices;
import io.adlake.config.AdlakeConfig;
import io.adlake.event.EventType;
import io.adlake.event.FunnelGenerator;
import io.adlake.event.KafkaEventSink;
import io.adlake.lake.AdlakeTables;
import io.adlake.lake.CommitLedger;
import io.adlake.lake.ExactlyOnceMerge;
import io.adlake.lake.MergeMode;
import io.adlake.lake.TableSetup;
import io.adlake.lake.TableSpec;
import io.adlake.transform.Metrics;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Test;

/**
 * Generator → broker → ingest → bronze → streaming aggregation → MERGE, against batch SQL over
 * bronze.
 */
class AggregateJobTest {
  /** Doubles (sums and averages of prices) are compared rounded to 1e-9. */
  private static final int DECIMALS = 9;

  private static final String[] CAMPAIGN_COLUMNS = {
    "window_start",
    "window_end",
    "campaign_id",
    "impressions",
    "clicks",
    "round(spend, 9) AS spend",
    "round(revenue, 9) AS revenue",
    "round(ctr, 9) AS ctr",
    "unique_users"
  };

  @Test
  void metricsTablesEqualTheBatchAggregationsOverBronze() throws Exception {
    TestServices.broker();
    SparkSession spark = TestServices.spark();
    // A slow event clock spreads the ~500 impressions of 6 k events over several hours.
    AdlakeConfig config =
        TestServices.config(
            "aggregate",
            "adlake.generator.event-rate=1",
            "adlake.generator.click-rate=0.2",
            "adlake.source.kafka.max-offsets-per-trigger=1000");
    TestServices.broker()
        .createTopics(
            Arrays.stream(EventType.values()).map(t -> t.streamName(config.streams())).toList(), 2);
    try (KafkaEventSink sink =
        new KafkaEventSink(TestServices.broker().bootstrapServers(), config.streams(), Map.of())) {
      new FunnelGenerator(config)
          .generate(
              FunnelGenerator.Run.count(6_000, 1, Instant.parse("2026-11-21T06:00:00Z")),
              sink,
              s -> {});
    }

    RecordingProgressLog log = new RecordingProgressLog(System.out);
    StreamingJobs.runAll(
        spark,
        config,
        List.of(StreamingJobs.INGEST, StreamingJobs.AGGREGATE),
        Trigger.AvailableNow(),
        log);

    Dataset<Row> streamed =
        rounded(spark.table(config.catalog().qualified(AdlakeTables.HOURLY_IMPRESSIONS_BY_GEO)));
    Dataset<Row> batch =
        rounded(
            Metrics.hourlyImpressionsByGeo(
                spark.table(config.catalog().qualified(AdlakeTables.IMPRESSIONS)),
                AdlakeTables.hourlyImpressionsByGeo(MergeMode.COPY_ON_WRITE)));
    assertTrue(batch.count() > 20, "several hours x countries: " + batch.count());
    assertEquals(0, streamed.exceptAll(batch).count(), "rows only in the streamed table");
    assertEquals(0, batch.exceptAll(streamed).count(), "rows only in the batch recomputation");
    assertTrue(
        log.commits().stream()
            .anyMatch(
                c -> c.table().equals(AdlakeTables.HOURLY_IMPRESSIONS_BY_GEO) && c.rows() > 0),
        "the metrics were written by the streaming MERGE");

    Dataset<Row> rolling =
        spark
            .table(config.catalog().qualified(AdlakeTables.ROLLING_METRICS_BY_BIDDER))
            .selectExpr(
                "window_start",
                "window_end",
                "bidder_id",
                "win_count",
                "round(revenue, 9) AS revenue",
                "round(avg_cpm, 9) AS avg_cpm");
    Dataset<Row> rollingBatch =
        Metrics.rollingMetricsByBidder(
                spark.table(config.catalog().qualified(AdlakeTables.IMPRESSIONS)),
                AdlakeTables.rollingMetricsByBidder(MergeMode.COPY_ON_WRITE))
            .selectExpr(
                "window_start",
                "window_end",
                "bidder_id",
                "win_count",
                "round(revenue, 9) AS revenue",
                "round(avg_cpm, 9) AS avg_cpm");
    assertTrue(
        rollingBatch.count() > 500,
        "5 sliding windows per minute x bidders: " + rollingBatch.count());
    assertEquals(
        0, rolling.exceptAll(rollingBatch).count(), "rolling: rows only in the streamed table");
    assertEquals(
        0,
        rollingBatch.exceptAll(rolling).count(),
        "rolling: rows only in the batch recomputation");
    Dataset<Row> campaigns =
        spark
            .table(config.catalog().qualified(AdlakeTables.CAMPAIGN_METRICS_5M))
            .selectExpr(CAMPAIGN_COLUMNS);
    Dataset<Row> campaignsBatch =
        Metrics.campaignMetrics5m(
                Metrics.withUser(
                    spark.table(config.catalog().qualified(AdlakeTables.IMPRESSIONS)),
                    spark.table(config.catalog().qualified(AdlakeTables.BID_REQUESTS))),
                spark.table(config.catalog().qualified(AdlakeTables.CLICKS)),
                config.attribution().clickRevenueMultiplier(),
                AdlakeTables.campaignMetrics5m(MergeMode.COPY_ON_WRITE))
            .selectExpr(CAMPAIGN_COLUMNS);
    assertTrue(campaignsBatch.count() > 100, "windows x campaigns: " + campaignsBatch.count());
    assertEquals(
        0,
        campaigns.exceptAll(campaignsBatch).count(),
        "campaigns: rows only in the streamed table");
    assertEquals(
        0,
        campaignsBatch.exceptAll(campaigns).count(),
        "campaigns: rows only in the batch recomputation");
    assertTrue(
        campaigns.filter("unique_users > 0 AND clicks > 0").count() > 0,
        "reach and clicks are filled");

    String[] funnelColumns = {
      "window_start",
      "window_end",
      "publisher_id",
      "bid_requests",
      "bid_responses",
      "impressions",
      "clicks",
      "round(fill_rate, 9) AS fill_rate",
      "round(win_rate, 9) AS win_rate",
      "round(ctr, 9) AS ctr"
    };
    Dataset<Row> funnel =
        spark
            .table(config.catalog().qualified(AdlakeTables.HOURLY_FUNNEL_BY_PUBLISHER))
            .selectExpr(funnelColumns);
    Dataset<Row> funnelBatch =
        Metrics.hourlyFunnelByPublisher(
                spark.table(config.catalog().qualified(AdlakeTables.BID_REQUESTS)),
                spark.table(config.catalog().qualified(AdlakeTables.BID_RESPONSES)),
                spark.table(config.catalog().qualified(AdlakeTables.IMPRESSIONS)),
                spark.table(config.catalog().qualified(AdlakeTables.CLICKS)),
                config.aggregate(),
                AdlakeTables.hourlyFunnelByPublisher(MergeMode.COPY_ON_WRITE))
            .selectExpr(funnelColumns);
    assertTrue(funnelBatch.count() > 100, "hours x publishers: " + funnelBatch.count());
    assertEquals(
        0, funnel.exceptAll(funnelBatch).count(), "funnel: rows only in the streamed table");
    assertEquals(
        0, funnelBatch.exceptAll(funnel).count(), "funnel: rows only in the batch recomputation");
    Row totals =
        funnel
            .selectExpr(
                "sum(bid_requests)", "sum(bid_responses)", "sum(impressions)", "sum(clicks)")
            .first();
    assertEquals(
        spark.table(config.catalog().qualified(AdlakeTables.BID_REQUESTS)).count(),
        totals.getLong(0),
        "every ad slot is counted once");
    assertTrue(
        totals.getLong(1) > 0 && totals.getLong(2) > 0 && totals.getLong(3) > 0,
        "responses, impressions and clicks reach the funnel: " + totals);
    // Every impression lies in exactly five 5-minute windows sliding by one minute.
    assertEquals(
        5 * spark.table(config.catalog().qualified(AdlakeTables.IMPRESSIONS)).count(),
        rolling.agg(sum("win_count")).first().getLong(0));
  }

  @Test
  void aLateEventWithinTheWatermarkCorrectsItsRowAndOneBeyondIsCountedAndChangesNothing()
      throws Exception {
    SparkSession spark = TestServices.spark();
    AdlakeConfig config = TestServices.config("late", "adlake.aggregate.watermark=10 minutes");
    String bronze = TableSetup.ensure(spark, config.catalog(), AdlakeTables.impressions());
    // Hour 10 gets two impressions; one at 11:30 moves the watermark to 11:20 after the first run.
    appendImpressions(
        spark,
        bronze,
        List.of("2026-11-21 10:05:00", "2026-11-21 10:50:00", "2026-11-21 11:30:00"));
    RecordingProgressLog first = new RecordingProgressLog(System.out);
    runAggregate(spark, config, first);
    assertEquals(
        Map.of("2026-11-21 10:00:00", 2L, "2026-11-21 11:00:00", 1L), hourlyUsa(spark, config));

    // 11:25 is after the watermark (11:20): it corrects the 11:00 row. 10:30 is before it: late.
    appendImpressions(spark, bronze, List.of("2026-11-21 11:25:00", "2026-11-21 10:30:00"));
    RecordingProgressLog second = new RecordingProgressLog(System.out);
    runAggregate(spark, config, second);

    assertEquals(
        Map.of("2026-11-21 10:00:00", 2L, "2026-11-21 11:00:00", 2L), hourlyUsa(spark, config));
    long late =
        second.progresses().stream()
            .filter(
                p ->
                    p.name()
                        .equals(AggregateJob.QUERY_PREFIX + AdlakeTables.HOURLY_IMPRESSIONS_BY_GEO))
            .flatMap(p -> Arrays.stream(p.stateOperators()))
            .mapToLong(o -> o.numRowsDroppedByWatermark())
            .sum();
    assertEquals(1, late, "the event beyond the watermark is counted");
    List<Row> recorded =
        spark
            .table(config.catalog().qualified(AdlakeTables.LATE_EVENTS))
            .selectExpr("table_name", "late_rows")
            .collectAsList();
    assertEquals(
        List.of(RowFactory.create(AdlakeTables.HOURLY_IMPRESSIONS_BY_GEO, 1L)),
        recorded.stream()
            .filter(r -> r.getString(0).equals(AdlakeTables.HOURLY_IMPRESSIONS_BY_GEO))
            .toList(),
        "the late event is recorded for its table: " + recorded);
    Map<String, Long> reported = new TreeMap<>();
    for (Row row :
        MetricsReport.query(spark, config, "sql/metrics/late_events.sql").collectAsList()) {
      reported.put(row.getString(0), row.getLong(1));
    }
    // The sliding 5-minute windows: 10:30 falls in five, all behind the watermark.
    // campaign_metrics_5m reads
    // clicks too, and with no click yet its watermark (the minimum of its inputs') has not moved:
    // not late there.
    assertEquals(
        Map.of(
            AdlakeTables.HOURLY_IMPRESSIONS_BY_GEO, 1L, AdlakeTables.ROLLING_METRICS_BY_BIDDER, 5L),
        reported,
        "report metrics shows the late events per table");
  }

  @Test
  void replayingAMetricsBatchLeavesTheTableUnchanged() {
    SparkSession spark = TestServices.spark();
    AdlakeConfig config = TestServices.config("metrics_replay");
    TableSpec spec = AdlakeTables.rollingMetricsByBidder(MergeMode.MERGE_ON_READ);
    String table = TableSetup.ensure(spark, config.catalog(), spec);
    Timestamp start = Timestamp.valueOf("2026-11-21 10:00:00");
    Timestamp end = Timestamp.valueOf("2026-11-21 10:05:00");
    Dataset<Row> batch =
        spark.createDataFrame(
            List.of(
                RowFactory.create(start, "bidder-01", end, 3L, 0.006, 2.0, end),
                RowFactory.create(start, "bidder-02", end, 1L, 0.001, 1.0, end)),
            spec.sparkSchema());
    ExactlyOnceMerge sink =
        new ExactlyOnceMerge(table, spec, "true", UnaryOperator.identity(), c -> {});
    spark.sparkContext().setLocalProperty(CommitLedger.QUERY_ID_KEY, "metrics-replay-query");
    try {
      sink.call(batch, 0L);
      long snapshot = TableSetup.load(spark, table).currentSnapshot().snapshotId();
      List<Row> before = spark.table(table).orderBy("bidder_id").collectAsList();
      sink.call(batch, 0L);
      assertEquals(snapshot, TableSetup.load(spark, table).currentSnapshot().snapshotId());
      assertEquals(before, spark.table(table).orderBy("bidder_id").collectAsList());
      assertEquals(2, before.size());
    } finally {
      spark.sparkContext().setLocalProperty(CommitLedger.QUERY_ID_KEY, null);
    }
  }

  private static void runAggregate(SparkSession spark, AdlakeConfig config, ProgressLog log)
      throws Exception {
    StreamingJobs.runAll(
        spark, config, List.of(StreamingJobs.AGGREGATE), Trigger.AvailableNow(), log);
  }

  private static Map<String, Long> hourlyUsa(SparkSession spark, AdlakeConfig config) {
    Map<String, Long> counts = new TreeMap<>();
    for (Row row :
        spark
            .sql(
                "SELECT cast(window_start AS STRING), impression_count FROM "
                    + config.catalog().qualified(AdlakeTables.HOURLY_IMPRESSIONS_BY_GEO)
                    + " WHERE device_geo_country = 'USA'")
            .collectAsList()) {
      counts.put(row.getString(0), row.getLong(1));
    }
    return counts;
  }

  private static void appendImpressions(SparkSession spark, String bronze, List<String> times)
      throws Exception {
    TableSpec spec = AdlakeTables.impressions();
    List<Row> rows = new ArrayList<>();
    for (String time : times) {
      Object[] values = new Object[spec.columns().size()];
      for (int i = 0; i < values.length; i++) {
        values[i] =
            switch (spec.columns().get(i).name()) {
              case "impression_id" -> UUID.randomUUID().toString();
              case "ad_id" -> "ad-1";
              case "campaign_id" -> "cmp-0001";
              case "geo_location" -> "USA";
              case "bidder_id" -> "bidder-01";
              case "win_price" -> 2.0;
              case "event_timestamp" -> Timestamp.valueOf(time);
              default -> null;
            };
      }
      rows.add(RowFactory.create(values));
    }
    spark.createDataFrame(rows, spec.sparkSchema()).writeTo(bronze).append();
  }

  private static Dataset<Row> rounded(Dataset<Row> metrics) {
    return metrics.selectExpr(
        "window_start",
        "window_end",
        "device_geo_country",
        "impression_count",
        "round(total_revenue, " + DECIMALS + ") AS total_revenue",
        "round(avg_win_price, " + DECIMALS + ") AS avg_win_price");
  }
}
