package io.adlake.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.adlake.config.AdlakeConfig;
import io.adlake.config.AdlakeConfig.AttributionSettings;
import io.adlake.config.AdlakeConfig.KinesisSinkSettings;
import io.adlake.event.EventDecoder;
import io.adlake.event.EventParser;
import io.adlake.event.EventType;
import io.adlake.lake.AdlakeTables;
import io.adlake.lake.DimensionLoad;
import io.adlake.lake.ExactlyOnceMerge;
import io.adlake.lake.ExactlyOnceMerge.BatchCommit;
import io.adlake.lake.MergeMode;
import io.adlake.lake.TableSetup;
import io.adlake.lake.TableSpec;
import io.adlake.source.EventSource;
import io.adlake.transform.Attribution;
import io.adlake.transform.ReferenceData;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.apache.iceberg.IcebergBuild;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.OutputMode;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;

/**
 * impressions + clicks → parse → watermark → join → enrich → MERGE INTO enriched_ad_data (→ the
 * attributed rows to a Kinesis stream, when {@code adlake.attribution.kinesis-sink} is on).
 */
public final class AttributionJob {
  public static final String QUERY_NAME = "attribution";

  /** A batch row replaces the table's row only when its click came first: first click wins. */
  static final String EARLIER_CLICK =
      "s.click_time < t.click_time OR (s.click_time = t.click_time AND s.click_id < t.click_id)";

  private AttributionJob() {}

  public static StreamingQuery start(
      SparkSession spark,
      AdlakeConfig config,
      EventSource source,
      Trigger trigger,
      Consumer<BatchCommit> commits) {
    return start(spark, config, source, trigger, commits, UnaryOperator.identity());
  }

  /**
   * @param decorate wraps the sink; tests use it to fail a batch after its commit
   */
  static StreamingQuery start(
      SparkSession spark,
      AdlakeConfig config,
      EventSource source,
      Trigger trigger,
      Consumer<BatchCommit> commits,
      UnaryOperator<VoidFunction2<Dataset<Row>, Long>> decorate) {
    AttributionSettings settings = config.attribution();
    source.requireStreams(List.of(EventType.IMPRESSION, EventType.CLICK));
    MergeMode mode = MergeMode.resolve(settings.mergeMode(), IcebergBuild.version());
    TableSpec spec = AdlakeTables.enrichedAdData(settings.table(), mode);
    String table = TableSetup.ensure(spark, config.catalog(), spec);
    new DimensionLoad(spark, config.catalog()).ensureTables(config.ingest().usdRates());
    TableSetup.requireProperties(
        spark,
        table,
        AdlakeTables.mergeModeProperties(mode),
        "the Iceberg runtime here is "
            + IcebergBuild.version()
            + " and adlake.attribution.merge-mode = "
            + settings.mergeMode());

    EventDecoder decoder = EventSource.decoder(config);
    decoder.requireReady(List.of(EventType.IMPRESSION, EventType.CLICK));
    Dataset<Row> impressions =
        validCounted(source.readStream(spark, EventType.IMPRESSION), EventType.IMPRESSION, decoder);
    Dataset<Row> clicks =
        validCounted(source.readStream(spark, EventType.CLICK), EventType.CLICK, decoder);
    Dataset<Row> attributed =
        Attribution.enrich(Attribution.join(impressions, clicks, settings), settings, spec);

    return ForeachBatchQuery.start(
        attributed,
        QUERY_NAME,
        OutputMode.Append(),
        config,
        trigger,
        decorate.apply(batchSink(config, table, spec, commits)));
  }

  /**
   * The query's sink: the exactly-once MERGE of each batch's first click per key, then, when {@code
   * adlake.attribution.kinesis-sink} is on, the same rows (computed once) to the Kinesis stream.
   */
  static ExactlyOnceMerge batchSink(
      AdlakeConfig config, String table, TableSpec spec, Consumer<BatchCommit> commits) {
    String campaigns = config.catalog().qualified(AdlakeTables.CAMPAIGNS);
    ExactlyOnceMerge merge =
        mergeSink(table, spec, commits)
            .joining(
                Map.of(AdlakeTables.CAMPAIGNS, campaigns),
                (rows, pins) ->
                    spec.selectFrom(
                        ReferenceData.withCampaign(
                            rows,
                            pins.read(rows.sparkSession(), AdlakeTables.campaigns(), campaigns))))
            .andThen(new UnknownCampaigns("attributed clicks"));
    KinesisSinkSettings stream = config.attribution().kinesisSink();
    if (!stream.enabled()) {
      return merge;
    }
    AttributedStreamSink sink =
        new AttributedStreamSink(stream, config.source().kinesis().putRetry());
    sink.requireStream();
    return merge.andThen(sink::publish);
  }

  /**
   * The exactly-once MERGE of one micro-batch of attributed clicks, de-duplicated to one row per
   * key.
   */
  public static ExactlyOnceMerge mergeSink(
      String table, TableSpec spec, Consumer<BatchCommit> commits) {
    return new ExactlyOnceMerge(
        table, spec, EARLIER_CLICK, rows -> Attribution.firstClickWins(rows, spec), commits);
  }

  /**
   * Parses a stream, counts records read and records unusable per micro-batch (observed metrics
   * named after the type, shown in the query progress), and keeps the valid ones.
   */
  static Dataset<Row> validCounted(Dataset<Row> raw, EventType type, EventDecoder decoder) {
    Dataset<Row> parsed =
        EventParser.parse(raw, type, decoder)
            .observe(
                metricName(type),
                count(lit(1)).as("read"),
                sum(when(col(EventParser.REASON).isNotNull(), 1).otherwise(0)).as("invalid"));
    return EventParser.valid(parsed);
  }

  public static String metricName(EventType type) {
    return type.name().toLowerCase(Locale.ROOT);
  }
}
