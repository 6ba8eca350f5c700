package io.adlake.job;

import io.adlake.config.AdlakeConfig;
import io.adlake.lake.AdlakeTables;
import io.adlake.lake.ExactlyOnceMerge;
import io.adlake.lake.MergeMode;
import io.adlake.lake.TableSetup;
import io.adlake.lake.TableSpec;
import io.adlake.transform.Attribution;
import io.adlake.transform.Metrics;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import org.apache.iceberg.IcebergBuild;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;

/**
 * Windowed metrics: bronze Iceberg table (streamed) → watermark → window aggregation in update mode →
 * {@code MERGE INTO} the metrics table, so a window's row is corrected as late-but-within-watermark events
 * arrive. Bronze is the source because it is already validated and de-duplicated: the metrics equal the
 * same aggregation in batch SQL over bronze.
 */
public final class AggregateJob {
  public static final String QUERY_PREFIX = "aggregate_";

  private AggregateJob() {}

  public static List<StreamingQuery> start(SparkSession spark, AdlakeConfig config, Trigger trigger,
      ProgressLog progress) {
    MergeMode mode = MergeMode.resolve(config.attribution().mergeMode(), IcebergBuild.version());
    String impressions = TableSetup.ensure(spark, config.catalog(), AdlakeTables.impressions());
    Dataset<Row> stream = spark.readStream().format("iceberg").load(impressions)
        .withWatermark("event_timestamp", Attribution.interval(config.aggregate().watermark()));
    String clicks = TableSetup.ensure(spark, config.catalog(), AdlakeTables.clicks());
    String requests = TableSetup.ensure(spark, config.catalog(), AdlakeTables.bidRequests());
    Dataset<Row> clickStream = spark.readStream().format("iceberg").load(clicks)
        .withWatermark("event_timestamp", Attribution.interval(config.aggregate().watermark()));
    // Stream-static join: the requests table is read afresh each micro-batch. An impression whose request is
    // not committed yet counts without a user (the ingest commits requests before their impressions arrive).
    Dataset<Row> impressionUsers = Metrics.withUser(stream, spark.read().format("iceberg").load(requests));
    return List.of(
        upsert(spark, config, AdlakeTables.hourlyImpressionsByGeo(mode), mode, Metrics.hourlyImpressionsByGeo(stream),
            trigger, progress),
        upsert(spark, config, AdlakeTables.rollingMetricsByBidder(mode), mode, Metrics.rollingMetricsByBidder(stream),
            trigger, progress),
        upsert(spark, config, AdlakeTables.campaignMetrics5m(mode), mode, Metrics.campaignMetrics5m(impressionUsers,
            clickStream, config.attribution().clickRevenueMultiplier()), trigger, progress));
  }

  private static StreamingQuery upsert(SparkSession spark, AdlakeConfig config, TableSpec spec, MergeMode mode,
      Dataset<Row> metrics, Trigger trigger, ProgressLog progress) {
    String table = TableSetup.ensure(spark, config.catalog(), spec);
    TableSetup.requireProperties(spark, table, AdlakeTables.mergeModeProperties(mode),
        "the Iceberg runtime here is " + IcebergBuild.version());
    String name = QUERY_PREFIX + spec.name();
    try {
      return metrics.writeStream()
          .queryName(name)
          // Update mode: each batch emits the windows it changed, with their totals so far; the MERGE
          // replaces the row, so late events within the watermark correct it.
          .outputMode("update")
          .option("checkpointLocation", Checkpoints.location(config, name))
          .trigger(trigger)
          .foreachBatch(new ExactlyOnceMerge(table, spec, "true", UnaryOperator.identity(), progress))
          .start();
    } catch (TimeoutException e) {
      throw new IllegalStateException("Query " + name + " did not start", e);
    }
  }
}
