package io.adlake.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.adlake.TestServices;
import io.adlake.config.AdlakeConfig;
import io.adlake.event.EventType;
import io.adlake.event.FunnelGenerator;
import io.adlake.event.KafkaEventSink;
import io.adlake.lake.AdlakeTables;
import io.adlake.transform.Metrics;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Test;

/** Generator → broker → ingest → bronze → streaming aggregation → MERGE, against batch SQL over bronze. */
class AggregateJobTest {
  /** Doubles (sums and averages of prices) are compared rounded to 1e-9. */
  private static final int DECIMALS = 9;

  @Test
  void metricsTablesEqualTheBatchAggregationsOverBronze() throws Exception {
    TestServices.broker();
    SparkSession spark = TestServices.spark();
    // A slow event clock spreads ~3 k impressions over several hours.
    AdlakeConfig config = TestServices.config("aggregate", "adlake.generator.event-rate=5",
        "adlake.source.kafka.max-offsets-per-trigger=1000");
    TestServices.broker().createTopics(List.of(config.streams().bidRequests(), config.streams().bidResponses(),
        config.streams().impressions(), config.streams().clicks()), 2);
    try (KafkaEventSink sink = new KafkaEventSink(TestServices.broker().bootstrapServers(), config.streams(),
        Map.of())) {
      new FunnelGenerator(config.generator(), config.attribution().clickWindow(), config.attribution().clickSkew())
          .generate(FunnelGenerator.Run.count(3_000, 5, Instant.parse("2026-11-21T06:00:00Z"))
              .onlyStreams(Set.of(EventType.IMPRESSION)), sink, s -> { });
    }

    ProgressLog log = new ProgressLog(System.out);
    StreamingJobs.runAll(spark, config, List.of(StreamingJobs.INGEST, StreamingJobs.AGGREGATE),
        Trigger.AvailableNow(), log);

    Dataset<Row> streamed = rounded(spark.table(config.catalog().qualified(AdlakeTables.HOURLY_IMPRESSIONS_BY_GEO)));
    Dataset<Row> batch = rounded(Metrics.hourlyImpressionsByGeo(
        spark.table(config.catalog().qualified(AdlakeTables.IMPRESSIONS))));
    assertTrue(batch.count() > 20, "several hours x countries: " + batch.count());
    assertEquals(0, streamed.exceptAll(batch).count(), "rows only in the streamed table");
    assertEquals(0, batch.exceptAll(streamed).count(), "rows only in the batch recomputation");
    assertTrue(log.commits().stream().anyMatch(c -> c.table().equals(AdlakeTables.HOURLY_IMPRESSIONS_BY_GEO)
        && c.rows() > 0), "the metrics were written by the streaming MERGE");

    Dataset<Row> rolling = spark.table(config.catalog().qualified(AdlakeTables.ROLLING_METRICS_BY_BIDDER))
        .selectExpr("window_start", "window_end", "bidder_id", "win_count", "round(revenue, 9) AS revenue",
            "round(avg_cpm, 9) AS avg_cpm");
    Dataset<Row> rollingBatch = Metrics.rollingMetricsByBidder(
            spark.table(config.catalog().qualified(AdlakeTables.IMPRESSIONS)))
        .selectExpr("window_start", "window_end", "bidder_id", "win_count", "round(revenue, 9) AS revenue",
            "round(avg_cpm, 9) AS avg_cpm");
    assertTrue(rollingBatch.count() > 500, "5 sliding windows per minute x bidders: " + rollingBatch.count());
    assertEquals(0, rolling.exceptAll(rollingBatch).count(), "rolling: rows only in the streamed table");
    assertEquals(0, rollingBatch.exceptAll(rolling).count(), "rolling: rows only in the batch recomputation");
    // Every impression lies in exactly five 5-minute windows sliding by one minute.
    assertEquals(5 * spark.table(config.catalog().qualified(AdlakeTables.IMPRESSIONS)).count(),
        rolling.agg(org.apache.spark.sql.functions.sum("win_count")).first().getLong(0));
  }

  private static Dataset<Row> rounded(Dataset<Row> metrics) {
    return metrics.selectExpr("window_start", "window_end", "device_geo_country", "impression_count",
        "round(total_revenue, " + DECIMALS + ") AS total_revenue",
        "round(avg_win_price, " + DECIMALS + ") AS avg_win_price");
  }
}
