package io.adlake.job;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.window;

import io.adlake.config.AdlakeConfig;
import io.adlake.config.AdlakeConfig.ConversionSettings;
import io.adlake.lake.AdlakeTables;
import io.adlake.lake.CommitLedger;
import io.adlake.lake.Dimension;
import io.adlake.lake.DimensionLoad;
import io.adlake.lake.ExactlyOnceMerge.BatchCommit;
import io.adlake.lake.MergeMode;
import io.adlake.lake.ReplaceMerge;
import io.adlake.lake.TableSetup;
import io.adlake.lake.TableSpec;
import io.adlake.transform.ConversionAttribution;
import io.adlake.transform.Metrics;
import java.io.PrintStream;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.apache.iceberg.IcebergBuild;
import org.apache.iceberg.Snapshot;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.DataStreamReader;
import org.apache.spark.sql.streaming.OutputMode;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;

/**
 * Conversion attribution: bronze conversions, clicks and impressions (Iceberg streams) → the
 * conversions each micro-batch brings or re-opens → their last touch, journey and multi-touch
 * credit recomputed from bronze with pruned batch reads → replacing MERGEs into {@code
 * attributed_conversions}, {@code conversion_journeys}, {@code attribution_credits} → the
 * conversion columns of {@code campaign_metrics_5m} for the windows those conversions fall in.
 *
 * <p>No streaming state: what a conversion needs is read from bronze when the conversion or a touch
 * that can change it arrives, so a touch that arrives after its conversion still counts, and the
 * result does not depend on arrival order or micro-batch boundaries. Its state is the Iceberg
 * tables and one timestamp per batch ({@link WatermarkLog}): a touch behind the newest event time
 * read by more than {@code adlake.conversions.lateness} re-opens nothing and is counted in {@code
 * late_events}.
 */
public final class ConversionJob {
  public static final String QUERY_NAME = "conversions";

  /** Snapshot summary property: the bronze snapshots a batch read, for its replay. */
  static final String READ_SNAPSHOTS = CommitLedger.READ_SNAPSHOTS;

  private ConversionJob() {}

  public static StreamingQuery start(
      SparkSession spark, AdlakeConfig config, Trigger trigger, Consumer<BatchCommit> commits) {
    return start(spark, config, trigger, commits, System.out);
  }

  /**
   * @param out where each micro-batch's line goes
   */
  public static StreamingQuery start(
      SparkSession spark,
      AdlakeConfig config,
      Trigger trigger,
      Consumer<BatchCommit> commits,
      PrintStream out) {
    return start(spark, config, trigger, commits, out, UnaryOperator.identity());
  }

  /**
   * @param decorate wraps the sink; tests use it to fail a batch after its commits
   */
  static StreamingQuery start(
      SparkSession spark,
      AdlakeConfig config,
      Trigger trigger,
      Consumer<BatchCommit> commits,
      PrintStream out,
      UnaryOperator<VoidFunction2<Dataset<Row>, Long>> decorate) {
    Tables tables = Tables.ensure(spark, config);
    Dataset<Row> arrivals =
        ConversionAttribution.arrivals(
            bronzeStream(spark, tables.conversions(), config),
            bronzeStream(spark, tables.clicks(), config),
            bronzeStream(spark, tables.impressions(), config));
    ConversionSink sink =
        new ConversionSink(
            tables, config.conversions(), Checkpoints.location(config, QUERY_NAME), commits, out);
    return ForeachBatchQuery.start(
        arrivals, QUERY_NAME, OutputMode.Append(), config, trigger, decorate.apply(sink));
  }

  private static Dataset<Row> bronzeStream(SparkSession spark, String table, AdlakeConfig config) {
    DataStreamReader reader = spark.readStream().format("iceberg");
    if (config.conversions().maxRowsPerTrigger() > 0) {
      reader =
          reader.option(
              "streaming-max-rows-per-micro-batch", config.conversions().maxRowsPerTrigger());
    }
    return reader.load(table);
  }

  /** The tables the job reads and writes, created or evolved on start. */
  record Tables(
      String conversions,
      String clicks,
      String impressions,
      String attributed,
      String journeys,
      String credits,
      String campaignMetrics,
      String lateEvents,
      String rates,
      MergeMode mode) {
    static Tables ensure(SparkSession spark, AdlakeConfig config) {
      MergeMode mode = MergeMode.resolve(config.attribution().mergeMode(), IcebergBuild.version());
      List<String> merged = new ArrayList<>();
      for (TableSpec spec :
          List.of(
              AdlakeTables.attributedConversions(mode),
              AdlakeTables.conversionJourneys(mode),
              AdlakeTables.attributionCredits(mode),
              AdlakeTables.campaignMetrics5m(mode))) {
        String table = TableSetup.ensure(spark, config.catalog(), spec);
        TableSetup.requireProperties(
            spark,
            table,
            AdlakeTables.mergeModeProperties(mode),
            "the Iceberg runtime here is " + IcebergBuild.version());
        merged.add(table);
      }
      return new Tables(
          TableSetup.ensure(spark, config.catalog(), AdlakeTables.conversions()),
          TableSetup.ensure(spark, config.catalog(), AdlakeTables.clicks()),
          TableSetup.ensure(spark, config.catalog(), AdlakeTables.impressions()),
          merged.get(0),
          merged.get(1),
          merged.get(2),
          merged.get(3),
          TableSetup.ensure(spark, config.catalog(), AdlakeTables.lateEvents()),
          new DimensionLoad(spark, config.catalog())
              .ensureTables(config.ingest().usdRates())
              .get(Dimension.CURRENCY_RATES),
          mode);
    }

    /**
     * The tables a batch reads at a pinned snapshot, by the name it is recorded under: bronze, and
     * the rates value_usd converts at.
     */
    Map<String, String> pinned() {
      Map<String, String> pinned = new LinkedHashMap<>(bronze());
      pinned.put(AdlakeTables.CURRENCY_RATES, rates);
      return pinned;
    }

    /** The bronze tables a batch reads, by the name its snapshot is recorded under. */
    Map<String, String> bronze() {
      Map<String, String> bronze = new LinkedHashMap<>();
      bronze.put(AdlakeTables.CONVERSIONS, conversions);
      bronze.put(AdlakeTables.CLICKS, clicks);
      bronze.put(AdlakeTables.IMPRESSIONS, impressions);
      return bronze;
    }

    /** The tables a batch commits to, any of which holds its ledger entry after a crash. */
    List<String> written() {
      return List.of(attributed, journeys, credits, campaignMetrics, lateEvents);
    }
  }

  /**
   * The snapshot each input table (bronze, and currency_rates) is read at, and whether they come
   * from the ledger entry of an earlier attempt of the batch (a replay).
   */
  record Pins(Map<String, Long> snapshots, boolean replay) {}

  /** What one micro-batch did, for its progress line. */
  record ConversionBatch(
      long batchId,
      long arrivals,
      long late,
      long conversions,
      Map<String, Long> byAttribution,
      Optional<Instant> watermark) {}

  static final class ConversionSink implements VoidFunction2<Dataset<Row>, Long> {
    private static final long serialVersionUID = 1L;
    private static final List<String> PROCESSING_TIMES =
        List.of("processed_time", AdlakeTables.UPDATED_AT);

    private final Tables tables;
    private final ConversionSettings settings;
    private final String checkpoint;
    private final transient Consumer<BatchCommit> commits;
    private final transient PrintStream out;

    ConversionSink(
        Tables tables,
        ConversionSettings settings,
        String checkpoint,
        Consumer<BatchCommit> commits,
        PrintStream out) {
      this.tables = tables;
      this.settings = settings;
      this.checkpoint = checkpoint;
      this.commits = commits;
      this.out = out;
    }

    @Override
    public void call(Dataset<Row> batch, Long batchId) {
      SparkSession spark = batch.sparkSession();
      String writer = CommitLedger.writerId(spark);
      WatermarkLog log = new WatermarkLog(checkpoint, spark.sparkContext().hadoopConfiguration());
      Optional<Instant> newestBefore = log.before(batchId);
      Optional<Instant> watermark = newestBefore.map(t -> t.minus(settings.lateness()));
      Dataset<Row> arrivals = batch.persist();
      List<Dataset<Row>> cached = new ArrayList<>(List.of(arrivals));
      try {
        Column late =
            watermark
                .map(
                    w ->
                        col("kind")
                            .notEqual(lit(ConversionAttribution.CONVERSION))
                            .and(col("event_time").lt(lit(Timestamp.from(w)))))
                .orElse(lit(false));
        Row stats =
            arrivals
                .agg(
                    count(lit(1)),
                    sum(when(late, 1).otherwise(0)),
                    min(col("event_time")),
                    max(col("event_time")))
                .first();
        long read = stats.getLong(0);
        if (read == 0) {
          return;
        }
        long lateTouches = stats.isNullAt(1) ? 0 : stats.getLong(1);
        Instant earliest = stats.getTimestamp(2).toInstant();
        Instant newest = stats.getTimestamp(3).toInstant();

        Pins pinned = pins(spark, writer, batchId);
        Map<String, Long> pins = pinned.snapshots();
        Map<String, String> summary = Map.of(READ_SNAPSHOTS, CommitLedger.formatSnapshots(pins));
        Dataset<Row> onTime = arrivals.filter(not(late));
        Duration reopen = settings.reopenWindow();
        // Every conversion the batch can reach lies within the re-open window of its arrivals.
        Dataset<Row> bronzeConversions =
            between(
                pinnedRead(spark, AdlakeTables.CONVERSIONS, pins),
                "event_timestamp",
                earliest.minus(reopen),
                newest.plus(reopen));
        Dataset<Row> ids =
            ConversionAttribution.affected(onTime, bronzeConversions, settings).persist();
        cached.add(ids);
        Map<String, Long> byAttribution = Map.of();
        long affected = ids.count();
        if (affected > 0) {
          byAttribution =
              recompute(
                  spark, writer, batchId, bronzeConversions, ids, pins, pinned.replay(), summary);
        }
        if (lateTouches > 0) {
          recordLate(spark, writer, batchId, watermark.get(), lateTouches, summary);
        }
        out.println(
            describe(
                new ConversionBatch(
                    batchId, read, lateTouches, affected, byAttribution, watermark)));
        log.record(batchId, newestBefore.filter(t -> t.isAfter(newest)).orElse(newest));
      } finally {
        cached.forEach(Dataset::unpersist);
      }
    }

    /**
     * Recomputes the affected conversions from bronze and replaces their rows in the three
     * conversion tables, then their windows' conversion columns in campaign_metrics_5m. Credits are
     * recomputed only for conversions whose attribution or journey changed, the metrics only for
     * the windows of changed attributions; on a replay (some table already holds this batch, so
     * what changed can no longer be told) for all of them.
     *
     * @return conversions per attribution
     */
    private Map<String, Long> recompute(
        SparkSession spark,
        String writer,
        long batchId,
        Dataset<Row> bronzeConversions,
        Dataset<Row> ids,
        Map<String, Long> pins,
        boolean replay,
        Map<String, String> summary) {
      List<Dataset<Row>> cached = new ArrayList<>();
      try {
        Dataset<Row> copies =
            bronzeConversions.join(ids, new String[] {"conversion_id"}, "left_semi").persist();
        cached.add(copies);
        Dataset<Row> conversions = ConversionAttribution.canonical(copies).persist();
        cached.add(conversions);
        Row range = copies.agg(min(col("event_timestamp")), max(col("event_timestamp"))).first();
        // Every copy's time: a table row written from an earlier copy lies in this range too.
        Instant low = range.getTimestamp(0).toInstant();
        Instant high = range.getTimestamp(1).toInstant();
        Dataset<Row> touches = touches(spark, conversions, pins, low, high).persist();
        cached.add(touches);

        TableSpec attributedSpec = AdlakeTables.attributedConversions(tables.mode());
        TableSpec journeySpec = AdlakeTables.conversionJourneys(tables.mode());
        Dataset<Row> attributed =
            ConversionAttribution.attribute(
                    conversions,
                    touches,
                    settings,
                    pinnedRead(spark, AdlakeTables.CURRENCY_RATES, pins),
                    attributedSpec)
                .persist();
        cached.add(attributed);
        Dataset<Row> journeys =
            ConversionAttribution.journeys(conversions, touches, settings, journeySpec).persist();
        cached.add(journeys);

        ReplaceMerge attributedMerge =
            ReplaceMerge.rows(tables.attributed(), attributedSpec, PROCESSING_TIMES);
        // Checkpointed, not persisted: a cached plan that reads a table is recomputed after a write
        // to
        // that table, and these must stay what changed before the MERGE.
        Dataset<Row> attributedChanges =
            attributedMerge.changes(spark, attributed, low, high).localCheckpoint();
        ReplaceMerge journeyMerge =
            ReplaceMerge.rows(tables.journeys(), journeySpec, PROCESSING_TIMES);
        Dataset<Row> journeyChanges =
            journeyMerge.changes(spark, journeys, low, high).localCheckpoint();
        commits.accept(
            attributedMerge.write(spark, writer, batchId, attributedChanges, low, high, summary));
        commits.accept(
            journeyMerge.write(spark, writer, batchId, journeyChanges, low, high, summary));

        // New aliases: a checkpoint keeps its plan's attribute ids, and a join of two plans that
        // share them fails to resolve.
        Dataset<Row> reattributed =
            replay
                ? ids
                : attributedChanges.select(col("conversion_id").as("conversion_id")).distinct();
        Dataset<Row> changed =
            replay
                ? ids
                : reattributed
                    .unionByName(journeyChanges.select(col("conversion_id").as("conversion_id")))
                    .distinct();
        if (!changed.isEmpty()) {
          writeCredits(spark, writer, batchId, attributed, journeys, changed, low, high, summary);
        }
        Dataset<Row> moved = copies.join(reattributed, new String[] {"conversion_id"}, "left_semi");
        if (!moved.isEmpty()) {
          refreshCampaignMetrics(spark, writer, batchId, moved, summary);
        }

        Map<String, Long> byAttribution = new LinkedHashMap<>();
        for (Row row :
            attributed.groupBy("attribution").count().orderBy("attribution").collectAsList()) {
          byAttribution.put(row.getString(0), row.getLong(1));
        }
        return byAttribution;
      } finally {
        cached.forEach(Dataset::unpersist);
      }
    }

    /**
     * Replaces the credits of the {@code changed} conversions: their rows under every model, and
     * the deletion of rows of campaigns they no longer credit.
     */
    private void writeCredits(
        SparkSession spark,
        String writer,
        long batchId,
        Dataset<Row> attributed,
        Dataset<Row> journeys,
        Dataset<Row> changed,
        Instant low,
        Instant high,
        Map<String, String> summary) {
      TableSpec spec = AdlakeTables.attributionCredits(tables.mode());
      String[] id = {"conversion_id"};
      Dataset<Row> credits =
          ConversionAttribution.credits(
                  attributed.join(changed, id, "left_semi"),
                  journeys.join(changed, id, "left_semi"),
                  settings,
                  spec)
              .persist();
      try {
        Dataset<Row> gone =
            between(spark.table(tables.credits()), "conversion_time", low, high)
                .join(changed, id, "left_semi")
                .join(credits, spec.key().toArray(String[]::new), "left_anti")
                .select(spec.columnNames().stream().map(c -> col(c)).toArray(Column[]::new))
                .withColumn(ReplaceMerge.GONE, lit(true));
        ReplaceMerge merge = ReplaceMerge.rows(tables.credits(), spec, PROCESSING_TIMES);
        Dataset<Row> changes =
            merge
                .changes(
                    spark,
                    credits.withColumn(ReplaceMerge.GONE, lit(false)).unionByName(gone),
                    low,
                    high)
                .localCheckpoint();
        commits.accept(merge.write(spark, writer, batchId, changes, low, high, summary));
      } finally {
        credits.unpersist();
      }
    }

    /**
     * The touches the conversions can reach: their users' clicks and impressions within the re-open
     * window before them, and the clicks their postbacks name within the click lookback.
     */
    private Dataset<Row> touches(
        SparkSession spark,
        Dataset<Row> conversions,
        Map<String, Long> pins,
        Instant low,
        Instant high) {
      Dataset<Row> users =
          conversions.filter(col("user_id").isNotNull()).select(col("user_id")).distinct();
      Dataset<Row> postbacks =
          conversions.filter(col("click_id").isNotNull()).select(col("click_id")).distinct();
      Instant from = low.minus(settings.reopenWindow());
      Dataset<Row> clicks = pinnedRead(spark, AdlakeTables.CLICKS, pins);
      Dataset<Row> impressions = pinnedRead(spark, AdlakeTables.IMPRESSIONS, pins);
      return ConversionAttribution.touches(
          between(clicks, "event_timestamp", from, high)
              .join(users, new String[] {"user_id"}, "left_semi")
              .unionByName(
                  between(clicks, "event_timestamp", low.minus(settings.clickLookback()), high)
                      .join(postbacks, new String[] {"click_id"}, "left_semi")),
          between(impressions, "event_timestamp", from, high)
              .join(users, new String[] {"user_id"}, "left_semi"));
    }

    /**
     * Recomputes conversions and conversion_value_usd of campaign_metrics_5m for the windows of the
     * affected conversions, from attributed_conversions as just committed, and the ratios that
     * depend on them; a window and campaign with conversions but no row yet gets one.
     */
    private void refreshCampaignMetrics(
        SparkSession spark,
        String writer,
        long batchId,
        Dataset<Row> copies,
        Map<String, String> summary) {
      TableSpec spec = AdlakeTables.campaignMetrics5m(tables.mode());
      Dataset<Row> windows =
          copies
              .select(
                  window(col("event_timestamp"), Metrics.CAMPAIGN_WINDOW)
                      .getField("start")
                      .as(AdlakeTables.WINDOW_START))
              .distinct()
              .persist();
      try {
        Row range =
            windows
                .agg(min(col(AdlakeTables.WINDOW_START)), max(col(AdlakeTables.WINDOW_START)))
                .first();
        Instant first = range.getTimestamp(0).toInstant();
        Instant last = range.getTimestamp(1).toInstant();
        Dataset<Row> fresh =
            Metrics.conversionsPerWindow(
                    between(
                        spark.table(tables.attributed()),
                        "conversion_time",
                        first,
                        last.plus(Duration.ofMinutes(5))))
                .join(windows, new String[] {AdlakeTables.WINDOW_START}, "left_semi");
        Dataset<Row> held =
            between(spark.table(tables.campaignMetrics()), AdlakeTables.WINDOW_START, first, last)
                .join(windows, new String[] {AdlakeTables.WINDOW_START}, "left_semi")
                .filter(col("conversions").gt(0).or(col("conversion_value_usd").gt(0)))
                .select(col(AdlakeTables.WINDOW_START), col("campaign_id"));
        Dataset<Row> perWindow =
            held.join(fresh, new String[] {AdlakeTables.WINDOW_START, "campaign_id"}, "full_outer")
                .withColumn("_conversions", coalesce(col("_conversions"), lit(0L)))
                .withColumn(
                    "_conversion_value_usd", coalesce(col("_conversion_value_usd"), lit(0.0)));
        Dataset<Row> rows = Metrics.campaignConversionRows(perWindow, spec);
        Map<String, String> set = new LinkedHashMap<>();
        for (String column : AdlakeTables.CAMPAIGN_CONVERSION_COLUMNS) {
          set.put(column, "s." + column);
        }
        set.putAll(
            Metrics.campaignRatios(
                "t.clicks", "t.spend", "s.conversions", "s.conversion_value_usd"));
        set.put(AdlakeTables.UPDATED_AT, "s." + AdlakeTables.UPDATED_AT);
        ReplaceMerge merge =
            ReplaceMerge.columns(
                tables.campaignMetrics(),
                spec,
                set,
                AdlakeTables.CAMPAIGN_CONVERSION_COLUMNS,
                "s.conversions > 0");
        Dataset<Row> changes = merge.changes(spark, rows, first, last).localCheckpoint();
        commits.accept(merge.write(spark, writer, batchId, changes, first, last, summary));
      } finally {
        windows.unpersist();
      }
    }

    /** One late_events row for the touches behind the watermark, exactly once. */
    private void recordLate(
        SparkSession spark,
        String writer,
        long batchId,
        Instant watermark,
        long lateTouches,
        Map<String, String> summary) {
      Row row =
          RowFactory.create(
              AdlakeTables.ATTRIBUTED_CONVERSIONS,
              writer,
              batchId,
              new Timestamp(System.currentTimeMillis()),
              Timestamp.from(watermark),
              lateTouches);
      CommitLedger.appendOnce(
          spark,
          tables.lateEvents(),
          writer,
          batchId,
          spark.createDataFrame(List.of(row), AdlakeTables.lateEvents().sparkSchema()),
          1);
    }

    /**
     * The bronze snapshots this batch reads: those its first attempt recorded with a commit, so
     * that a replay recomputes exactly what it committed; else each table's current snapshot.
     */
    private Pins pins(SparkSession spark, String writer, long batchId) {
      for (String table : tables.written()) {
        Optional<Map<String, String>> committed =
            CommitLedger.committedSummary(TableSetup.load(spark, table), writer, batchId);
        if (committed.isPresent() && committed.get().containsKey(READ_SNAPSHOTS)) {
          Map<String, Long> recorded =
              new LinkedHashMap<>(CommitLedger.parseSnapshots(committed.get().get(READ_SNAPSHOTS)));
          // A batch first committed by a version that read fixed rates: the current rates.
          if (!recorded.containsKey(AdlakeTables.CURRENCY_RATES)) {
            recorded.put(AdlakeTables.CURRENCY_RATES, current(spark, tables.rates()));
          }
          return new Pins(recorded, true);
        }
      }
      Map<String, Long> pins = new LinkedHashMap<>();
      tables.pinned().forEach((name, table) -> pins.put(name, current(spark, table)));
      return new Pins(pins, false);
    }

    private static long current(SparkSession spark, String table) {
      Snapshot current = TableSetup.load(spark, table).currentSnapshot();
      return current == null ? -1L : current.snapshotId();
    }

    /** Table {@code name} of {@link Tables#pinned} as of its pinned snapshot. */
    private Dataset<Row> pinnedRead(SparkSession spark, String name, Map<String, Long> pins) {
      String table = tables.pinned().get(name);
      long snapshot = pins.getOrDefault(name, -1L);
      return snapshot < 0
          ? spark.table(table)
          : spark.read().format("iceberg").option("versionAsOf", snapshot).load(table);
    }
  }

  /** Rows whose {@code column} lies in [low, high]: literal bounds, so Iceberg prunes files. */
  static Dataset<Row> between(Dataset<Row> rows, String column, Instant low, Instant high) {
    return rows.filter(
        col(column).geq(lit(Timestamp.from(low))).and(col(column).leq(lit(Timestamp.from(high)))));
  }

  /** The one line per micro-batch people read. */
  static String describe(ConversionBatch b) {
    StringBuilder line =
        new StringBuilder(
            String.format(
                "  conversions batch %d: read %,d, recomputed %,d conversions %s",
                b.batchId(), b.arrivals(), b.conversions(), b.byAttribution()));
    if (b.late() > 0) {
      line.append(
          String.format(
              ", %,d touches behind the watermark %s (re-open nothing, counted in late_events)",
              b.late(), b.watermark().map(Instant::toString).orElse("")));
    }
    return line.toString();
  }
}
