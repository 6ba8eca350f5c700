package io.adlake.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.adlake.TestServices;
import io.adlake.config.AdlakeConfig;
import io.adlake.event.ConversionTruth.ExpectedConversion;
import io.adlake.event.EventSink;
import io.adlake.event.EventType;
import io.adlake.event.FunnelGenerator;
import io.adlake.event.FunnelGenerator.Summary;
import io.adlake.event.KafkaEventSink;
import io.adlake.lake.AdlakeTables;
import io.adlake.lake.CommitLedger;
import io.adlake.lake.ExactlyOnceMerge.BatchCommit;
import io.adlake.lake.MergeMode;
import io.adlake.lake.TableSetup;
import io.adlake.lake.TableSpec;
import io.adlake.source.EventSource;
import io.adlake.transform.ConversionAttribution;
import io.adlake.transform.Metrics;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.apache.iceberg.Snapshot;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Test;

/**
 * Generator → real KRaft broker → ingest → conversion attribution → Iceberg, against the
 * generator's ground truth (an independent plain-Java implementation of the rules): in order, in
 * shuffled order across many micro-batches, and across a crash between the commits and the
 * checkpoint.
 */
class ConversionJobTest {
  private static final Instant START = Instant.parse("2026-11-21T06:00:00Z");

  /**
   * A small market whose users see many ads over a few hours of event time, and convert often: long
   * journeys, conversions on and past both lookbacks' edges.
   */
  private static final List<String> MARKET =
      List.of(
          "adlake.generator.event-rate=0.5",
          "adlake.generator.win-rate=0.5",
          "adlake.generator.click-rate=0.2",
          "adlake.generator.users=300",
          "adlake.generator.conversions.click-rate=0.5",
          "adlake.generator.conversions.view-rate=0.05",
          "adlake.generator.conversions.organic-rate=0.005",
          "adlake.generator.conversions.edge-share=0.3");

  /** Only what conversion attribution reads: a quicker ingest, in more micro-batches. */
  private static final Set<EventType> TOUCHES_AND_CONVERSIONS =
      Set.of(EventType.IMPRESSION, EventType.CLICK, EventType.CONVERSION);

  private static final SparkSession spark = TestServices.spark();

  @Test
  void attributedConversionsEqualTheGroundTruthAndCampaignMetricsTheBatchRecomputation()
      throws Exception {
    AdlakeConfig config = config("conversions");
    Summary truth =
        TestServices.generateToBroker(config, FunnelGenerator.Run.count(6_000, 0.5, START));
    RecordingProgressLog log = new RecordingProgressLog(System.out);
    StreamingJobs.runAll(
        spark,
        config,
        List.of(StreamingJobs.INGEST, StreamingJobs.CONVERSIONS, StreamingJobs.AGGREGATE),
        Trigger.AvailableNow(),
        log);

    assertEqualsTruth(config, truth);
    List<ExpectedConversion> expected = truth.conversions();
    Map<String, Long> kinds = new TreeMap<>();
    expected.forEach(e -> kinds.merge(e.attribution(), 1L, Long::sum));
    assertTrue(
        kinds.keySet().containsAll(List.of("click_through", "view_through", "unattributed"))
            && kinds.values().stream().allMatch(n -> n >= 10),
        "every kind of attribution, several times: " + kinds);
    assertTrue(
        expected.stream().anyMatch(e -> Double.valueOf(86_400.0).equals(e.secondsToConvert())),
        "a conversion exactly the click lookback after its click");
    assertTrue(expected.stream().anyMatch(e -> e.userId() == null), "conversions without user");

    assertCreditsShareEachConversion(config);
    assertEquals(
        expected.size(),
        count("SELECT count(*) FROM " + table(config, AdlakeTables.CONVERSION_JOURNEYS)),
        "one journey per conversion");
    assertTrue(
        count(
                "SELECT count(*) FROM "
                    + table(config, AdlakeTables.CONVERSION_JOURNEYS)
                    + " WHERE touch_count >= 3")
            > 10,
        "long journeys");

    // campaign_metrics_5m: delivery from the aggregate, conversions from this job, ratios from
    // both.
    String[] columns = {
      "window_start",
      "window_end",
      "campaign_id",
      "impressions",
      "clicks",
      "round(spend, 9)",
      "round(revenue, 9)",
      "round(ctr, 9)",
      "unique_users",
      "conversions",
      "round(conversion_value_usd, 6)",
      "round(cvr, 9)",
      "round(cpa, 6)",
      "round(roas, 6)"
    };
    Dataset<Row> streamed =
        spark.table(table(config, AdlakeTables.CAMPAIGN_METRICS_5M)).selectExpr(columns);
    Dataset<Row> batch =
        Metrics.campaignMetrics5m(
                Metrics.withUser(
                    spark.table(table(config, AdlakeTables.IMPRESSIONS)),
                    spark.table(table(config, AdlakeTables.BID_REQUESTS))),
                spark.table(table(config, AdlakeTables.CLICKS)),
                spark.table(table(config, AdlakeTables.ATTRIBUTED_CONVERSIONS)),
                config.attribution().clickRevenueMultiplier(),
                AdlakeTables.campaignMetrics5m(MergeMode.COPY_ON_WRITE))
            .selectExpr(columns);
    assertTrue(
        batch.filter("conversions > 0 AND impressions > 0").count() > 10
            && batch.filter("conversions > 0 AND impressions = 0 AND clicks = 0").count() > 10,
        "windows with conversions and delivery, and windows with conversions only");
    assertEquals(0, streamed.exceptAll(batch).count(), "rows only in the streamed table");
    assertEquals(0, batch.exceptAll(streamed).count(), "rows only in the batch recomputation");
    assertEquals(
        kinds.get("click_through") + kinds.get("view_through"),
        count("SELECT sum(conversions) FROM " + table(config, AdlakeTables.CAMPAIGN_METRICS_5M)),
        "every attributed conversion counted once");
  }

  /**
   * The generator's records in shuffled order (conversions before their touches, clicks before
   * their impressions), in three chunks, each ingested and attributed before the next is sent, so
   * that touches arrive in later micro-batches than their conversions and re-open them. The
   * conversion job's batch in the second chunk dies after its first commit (attributed_conversions)
   * and before the others and the checkpoint: the restarted query replays it, the ledger skips what
   * was committed, and the rest is written from the bronze snapshots the first attempt read.
   */
  @Test
  void shuffledChunksAcrossMicroBatchesAndACrashBetweenCommitAndCheckpointGiveTheGroundTruth()
      throws Exception {
    // Conversions arrive before their touches: nothing may be late within three days.
    AdlakeConfig config = config("conversions_shuffled", "adlake.conversions.lateness=3 days");
    List<Sent> records = new ArrayList<>();
    Summary truth =
        new FunnelGenerator(config)
            .generate(
                FunnelGenerator.Run.count(1_000, 0.1, START.plus(Duration.ofDays(3)))
                    .onlyStreams(TOUCHES_AND_CONVERSIONS),
                capture(records),
                s -> {});
    Collections.shuffle(records, new Random(7));
    createTopics(config);
    List<StreamingQuery> ingest =
        IngestJob.start(
            spark, config, EventSource.from(config), Trigger.ProcessingTime(0), System.out);
    RecordingProgressLog log = new RecordingProgressLog(System.out);
    AtomicLong crashed = new AtomicLong(-1);
    int chunks = 3;
    StreamingQuery conversions = null;
    try {
      for (int chunk = 0; chunk < chunks; chunk++) {
        send(
            config,
            records.subList(
                records.size() * chunk / chunks, records.size() * (chunk + 1) / chunks));
        ingest.forEach(StreamingQuery::processAllAvailable);
        if (chunk == 1) {
          if (conversions != null) {
            conversions.stop();
          }
          conversions = startConversions(config, crashAfterFirstCommit(crashed, log));
          try {
            assertThrows(StreamingQueryException.class, conversions::processAllAvailable);
          } finally {
            conversions.stop();
          }
          conversions = null;
        }
        if (conversions == null) {
          conversions = startConversions(config, log);
        }
        conversions.processAllAvailable();
      }
    } finally {
      for (StreamingQuery query : ingest) {
        query.stop();
      }
      if (conversions != null) {
        conversions.stop();
      }
    }

    long batch = crashed.get();
    assertTrue(batch >= 0, "the crash happened");
    List<BatchCommit> commits = log.commits();
    assertTrue(
        commits.stream()
            .anyMatch(
                c ->
                    c.batchId() == batch
                        && c.skipped()
                        && c.table().equals(AdlakeTables.ATTRIBUTED_CONVERSIONS)),
        "the replay of batch " + batch + " skipped its committed MERGE: " + commits);
    assertTrue(
        commits.stream()
            .anyMatch(
                c ->
                    c.batchId() == batch
                        && !c.skipped()
                        && c.table().equals(AdlakeTables.CONVERSION_JOURNEYS)),
        "and wrote the journeys it had not: " + commits);
    assertEquals(1, ledgerEntries(config, AdlakeTables.ATTRIBUTED_CONVERSIONS, batch));
    long batches =
        commits.stream()
            .filter(c -> c.table().equals(AdlakeTables.ATTRIBUTED_CONVERSIONS))
            .map(BatchCommit::batchId)
            .distinct()
            .count();
    assertTrue(batches >= chunks, "one micro-batch per chunk at least: " + batches);
    assertTrue(
        commits.stream()
            .anyMatch(
                c ->
                    c.table().equals(AdlakeTables.ATTRIBUTED_CONVERSIONS)
                        && c.batchId() > 0
                        && c.rows() > 0
                        && !c.skipped()),
        "touches of later chunks changed conversions of earlier ones");

    assertEqualsTruth(config, truth);
    assertCreditsShareEachConversion(config);
    assertEquals(
        0,
        count("SELECT count(*) FROM " + table(config, AdlakeTables.LATE_EVENTS)),
        "nothing is late within the lateness");
  }

  /**
   * A touch read more than the lateness behind the newest event time re-opens nothing and is
   * counted in late_events; a touch within it re-opens its conversion. (Bronze rows are written
   * directly: the ingest is not what is tested here.)
   */
  @Test
  void aTouchBeyondTheLatenessIsCountedAndReopensNothing() throws Exception {
    AdlakeConfig config = config("conversions_late", "adlake.conversions.lateness=2 hours");
    ConversionJob.Tables tables = ConversionJob.Tables.ensure(spark, config);
    Instant t = START.plus(Duration.ofDays(9));
    append(
        tables.conversions(),
        AdlakeTables.conversions(),
        List.of(
            Map.of("conversion_id", "c-1", "user_id", "u-1", "event_timestamp", t),
            Map.of("conversion_id", "c-2", "user_id", "u-2", "event_timestamp", t),
            Map.of(
                "conversion_id",
                "c-3",
                "user_id",
                "u-3",
                "event_timestamp",
                t.plusSeconds(18_000))));
    RecordingProgressLog log = new RecordingProgressLog(System.out);
    runConversions(config, log);
    assertEquals(List.of("unattributed", "unattributed", "unattributed"), attributions(config));

    // The newest event read is c-3 at t + 5 h, so the watermark is t + 3 h. A click of u-1 at t − 1
    // h
    // is behind it: late. A click of u-3 at t + 4 h is not: it re-opens c-3.
    append(
        tables.clicks(),
        AdlakeTables.clicks(),
        List.of(
            Map.of("click_id", "k-late", "user_id", "u-1", "event_timestamp", t.minusSeconds(3600)),
            Map.of(
                "click_id",
                "k-on-time",
                "user_id",
                "u-3",
                "event_timestamp",
                t.plusSeconds(14_400))));
    runConversions(config, log);

    assertEquals(List.of("unattributed", "unattributed", "click_through"), attributions(config));
    Row late =
        spark
            .sql(
                "SELECT table_name, late_rows, watermark FROM "
                    + table(config, AdlakeTables.LATE_EVENTS))
            .first();
    assertEquals(AdlakeTables.ATTRIBUTED_CONVERSIONS, late.getString(0));
    assertEquals(1L, late.getLong(1));
    assertEquals(Timestamp.from(t.plusSeconds(3 * 3600)), late.getTimestamp(2));
  }

  /** Appends rows to a bronze table: the given columns, the required ones filled, the rest NULL. */
  private static void append(String table, TableSpec spec, List<Map<String, Object>> rows) {
    List<Row> values = new ArrayList<>();
    for (Map<String, Object> given : rows) {
      Object[] row = new Object[spec.columns().size()];
      for (int i = 0; i < row.length; i++) {
        TableSpec.ColumnSpec column = spec.columns().get(i);
        Object value = given.get(column.name());
        if (value instanceof Instant at) {
          value = Timestamp.from(at);
        } else if (value == null && column.required()) {
          value = column.name().equals("conversion_type") ? "signup" : "x-" + column.name();
        }
        row[i] = value;
      }
      values.add(RowFactory.create(row));
    }
    try {
      spark.createDataFrame(values, spec.sparkSchema()).writeTo(table).append();
    } catch (org.apache.spark.sql.catalyst.analysis.NoSuchTableException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- helpers ----

  private static AdlakeConfig config(String name, String... more) {
    List<String> settings = new ArrayList<>(MARKET);
    settings.addAll(Arrays.asList(more));
    TestServices.broker();
    return TestServices.config(name, settings.toArray(String[]::new));
  }

  /** attributed_conversions holds exactly the ground truth: one row per conversion, each equal. */
  private static void assertEqualsTruth(AdlakeConfig config, Summary truth) {
    Map<String, List<Object>> expected = new TreeMap<>();
    for (ExpectedConversion e : truth.conversions()) {
      expected.put(
          e.conversionId(),
          Arrays.asList(
              e.userId(),
              e.conversionTime(),
              e.valueUsd(),
              e.attribution(),
              e.touchId(),
              e.touchTime(),
              e.campaignId(),
              e.adId(),
              e.publisherId(),
              e.secondsToConvert()));
    }
    Map<String, List<Object>> actual = new TreeMap<>();
    for (Row row :
        spark
            .sql(
                "SELECT conversion_id, user_id, conversion_time, value_usd, attribution, touch_id, "
                    + "touch_time, campaign_id, ad_id, publisher_id, seconds_to_convert FROM "
                    + table(config, AdlakeTables.ATTRIBUTED_CONVERSIONS))
            .collectAsList()) {
      List<Object> values = new ArrayList<>();
      for (int i = 1; i < row.length(); i++) {
        Object value = row.get(i);
        values.add(value instanceof Timestamp t ? t.toInstant() : value);
      }
      assertEquals(null, actual.put(row.getString(0), values), "one row per conversion");
    }
    assertTrue(expected.size() > 100, "conversions generated: " + expected.size());
    List<String> differences = new ArrayList<>();
    expected.forEach(
        (id, row) -> {
          if (!row.equals(actual.get(id))) {
            differences.add(id + ": expected " + row + ", table " + actual.get(id));
          }
        });
    actual.keySet().stream()
        .filter(id -> !expected.containsKey(id))
        .forEach(id -> differences.add(id + ": not generated, in the table " + actual.get(id)));
    assertEquals(
        List.of(),
        differences.subList(0, Math.min(10, differences.size())),
        differences.size() + " conversions differ from the ground truth");
  }

  /** Under each model, each attributed conversion's credits sum to 1 and to its value. */
  private static void assertCreditsShareEachConversion(AdlakeConfig config) {
    List<Row> sums =
        spark
            .sql(
                "SELECT c.model, count(*) AS conversions, "
                    + "max(abs(c.credit - 1)) AS credit_error, "
                    + "max(abs(coalesce(c.value, 0) - coalesce(a.value_usd, 0))) AS value_error "
                    + "FROM (SELECT conversion_id, model, sum(credit) AS credit, "
                    + "sum(credited_value_usd) AS value FROM "
                    + table(config, AdlakeTables.ATTRIBUTION_CREDITS)
                    + " GROUP BY 1, 2) c JOIN "
                    + table(config, AdlakeTables.ATTRIBUTED_CONVERSIONS)
                    + " a ON a.conversion_id = c.conversion_id GROUP BY c.model")
            .collectAsList();
    long attributed =
        count(
            "SELECT count(*) FROM "
                + table(config, AdlakeTables.ATTRIBUTED_CONVERSIONS)
                + " WHERE attribution <> 'unattributed'");
    assertEquals(ConversionAttribution.MODELS.size(), sums.size(), "every model: " + sums);
    for (Row row : sums) {
      assertEquals(attributed, row.getLong(1), row.getString(0) + ": every attributed conversion");
      assertTrue(row.getDouble(2) < 1e-9, row.getString(0) + " credits sum to 1: " + row);
      assertTrue(row.getDouble(3) < 1e-6, row.getString(0) + " values sum to value_usd: " + row);
    }
  }

  /** Snapshots of {@code name} that carry the ledger entry of {@code batch}. */
  private static long ledgerEntries(AdlakeConfig config, String name, long batch) {
    long entries = 0;
    for (Snapshot s : TableSetup.load(spark, table(config, name)).snapshots()) {
      if (String.valueOf(batch).equals(s.summary().get(CommitLedger.BATCH_PROPERTY))) {
        entries++;
      }
    }
    return entries;
  }

  private record Sent(EventType type, String key, byte[] value) {}

  private static EventSink capture(List<Sent> records) {
    return new EventSink() {
      @Override
      public void send(EventType type, String key, byte[] value) {
        records.add(new Sent(type, key, value));
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
  }

  private static void createTopics(AdlakeConfig config) {
    TestServices.broker()
        .createTopics(
            Arrays.stream(EventType.values()).map(t -> t.streamName(config.streams())).toList(), 2);
  }

  private static void send(AdlakeConfig config, List<Sent> records) {
    try (KafkaEventSink sink =
        new KafkaEventSink(TestServices.broker().bootstrapServers(), config.streams(), Map.of())) {
      records.forEach(r -> sink.send(r.type(), r.key(), r.value()));
      sink.flush();
    }
  }

  private static StreamingQuery startConversions(
      AdlakeConfig config, Consumer<BatchCommit> commits) {
    return ConversionJob.start(
        spark, config, Trigger.ProcessingTime(0), commits, System.out, UnaryOperator.identity());
  }

  private static void runConversions(AdlakeConfig config, ProgressLog log)
      throws StreamingQueryException {
    ConversionJob.start(
            spark, config, Trigger.AvailableNow(), log, System.out, UnaryOperator.identity())
        .awaitTermination();
  }

  /**
   * Passes commits on to {@code log}, but dies once, after the first batch (after batch 0) that
   * wrote attributed_conversions, before its other tables: a crash between commits.
   */
  private static Consumer<BatchCommit> crashAfterFirstCommit(
      AtomicLong crashed, Consumer<BatchCommit> log) {
    return c -> {
      log.accept(c);
      if (c.batchId() >= 1
          && c.table().equals(AdlakeTables.ATTRIBUTED_CONVERSIONS)
          && c.rows() > 0
          && crashed.compareAndSet(-1, c.batchId())) {
        throw new IllegalStateException(
            "simulated crash after the first commit of batch " + c.batchId());
      }
    };
  }

  private static List<String> attributions(AdlakeConfig config) {
    return spark
        .sql(
            "SELECT attribution FROM "
                + table(config, AdlakeTables.ATTRIBUTED_CONVERSIONS)
                + " ORDER BY conversion_id")
        .collectAsList()
        .stream()
        .map(r -> r.getString(0))
        .toList();
  }

  private static void runIngest(AdlakeConfig config) throws StreamingQueryException {
    for (StreamingQuery query :
        IngestJob.start(
            spark, config, EventSource.from(config), Trigger.AvailableNow(), System.out)) {
      query.awaitTermination();
    }
  }

  private static long count(String sql) {
    Row row = spark.sql(sql).first();
    return row.isNullAt(0) ? 0 : row.getLong(0);
  }

  private static String table(AdlakeConfig config, String name) {
    return config.catalog().qualified(name);
  }
}
