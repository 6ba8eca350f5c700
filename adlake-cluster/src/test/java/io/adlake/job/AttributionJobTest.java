package io.adlake.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.adlake.TestServices;
import io.adlake.config.AdlakeConfig;
import io.adlake.event.EventType;
import io.adlake.event.FunnelGenerator;
import io.adlake.event.FunnelGenerator.ExpectedAttribution;
import io.adlake.event.FunnelGenerator.Summary;
import io.adlake.event.KafkaEventSink;
import io.adlake.source.EventSource;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Generator → real KRaft broker → streaming attribution → Iceberg, compared with the ground truth.
 */
class AttributionJobTest {
  /** Enough clicks to meet every timing case; several micro-batches per run. */
  private static final String[] FUNNEL = {
    "adlake.generator.click-rate=0.3",
    "adlake.generator.out-of-order-share=0.1",
    "adlake.source.kafka.max-offsets-per-trigger=2500"
  };

  private static final Instant START = Instant.parse("2026-11-21T09:00:00Z");
  private static SparkSession spark;

  @BeforeAll
  static void services() {
    TestServices.broker();
    spark = TestServices.spark();
  }

  @Test
  void attributedRowsEqualTheClicksPlacedInsideTheWindow() throws Exception {
    AdlakeConfig config = TestServices.config("attribution", FUNNEL);
    Summary truth = generateIntoKafka(config, 40_000, START);

    runToEnd(config);

    Set<List<String>> expected = keys(truth.expected());
    Set<List<String>> actual = tableKeys(config);
    assertEquals(
        expected,
        actual,
        "attributed (ad_id, impression_id, click_id) must equal the ground truth");
    Set<String> attributedClicks = actual.stream().map(k -> k.get(2)).collect(Collectors.toSet());
    assertFalse(
        truth.clicksOutsideWindow().isEmpty(), "the generator placed clicks outside the window");
    assertTrue(
        truth.clicksOutsideWindow().stream().noneMatch(attributedClicks::contains),
        "a click outside the window was attributed");
    Duration window = config.attribution().clickWindow();
    Duration skew = config.attribution().clickSkew();
    assertTrue(
        truth.expected().stream().anyMatch(e -> delay(e).equals(window)),
        "a click exactly at +window");
    assertTrue(
        truth.expected().stream().anyMatch(e -> delay(e).equals(skew.negated())),
        "a click exactly at -skew");
  }

  @Test
  void aBatchFailingAfterItsCommitIsSkippedOnRestartAndNothingIsLostOrDoubled() throws Exception {
    AdlakeConfig config = TestServices.config("crash", FUNNEL);
    Summary truth = generateIntoKafka(config, 30_000, START.plusSeconds(3600));
    AtomicBoolean failedOnce = new AtomicBoolean();
    // The MERGE of batch 2 commits, then the batch fails before Spark writes its checkpoint commit:
    // the restarted query replays batch 2, which the Iceberg ledger must recognise.
    StreamingQuery first =
        AttributionJob.start(
            spark,
            config,
            EventSource.from(config),
            Trigger.AvailableNow(),
            c -> {},
            sink ->
                (batch, id) -> {
                  sink.call(batch, id);
                  if (id == 2 && failedOnce.compareAndSet(false, true)) {
                    throw new IllegalStateException(
                        "simulated crash between Iceberg commit and checkpoint");
                  }
                });
    assertThrows(StreamingQueryException.class, first::awaitTermination);
    assertTrue(failedOnce.get());

    RecordingProgressLog log = new RecordingProgressLog(System.out);
    StreamingQuery second =
        AttributionJob.start(spark, config, EventSource.from(config), Trigger.AvailableNow(), log);
    second.awaitTermination();

    assertTrue(
        log.commits().stream().anyMatch(c -> c.batchId() == 2 && c.skipped()),
        "batch 2 replay was skipped");
    assertEquals(keys(truth.expected()), tableKeys(config));
    assertEquals(truth.expected().size(), countRows(config), "no duplicate rows");
  }

  @Test
  void stoppingMidStreamAndRestartingFromTheCheckpointLosesAndDoublesNothing() throws Exception {
    AdlakeConfig config = TestServices.config("restart", FUNNEL);
    Summary truth = generateIntoKafka(config, 30_000, START.plusSeconds(7200));
    RecordingProgressLog log = new RecordingProgressLog(System.out);
    StreamingQuery first =
        AttributionJob.start(
            spark, config, EventSource.from(config), Trigger.ProcessingTime(100), log);
    while (log.commits().stream().filter(c -> c.rows() > 0).count() < 2) {
      Thread.sleep(50);
    }
    first.stop();
    long afterStop = countRows(config);
    assertTrue(
        afterStop > 0 && afterStop < truth.expected().size(), "stopped mid-stream: " + afterStop);

    AttributionJob.start(spark, config, EventSource.from(config), Trigger.AvailableNow(), log)
        .awaitTermination();

    assertEquals(keys(truth.expected()), tableKeys(config));
    assertEquals(truth.expected().size(), countRows(config), "no duplicate rows");
  }

  static Summary generateIntoKafka(AdlakeConfig config, long events, Instant start)
      throws InterruptedException {
    List<String> topics = List.of(config.streams().impressions(), config.streams().clicks());
    TestServices.broker().createTopics(topics, 2);
    FunnelGenerator generator = new FunnelGenerator(config);
    try (KafkaEventSink sink =
        new KafkaEventSink(TestServices.broker().bootstrapServers(), config.streams(), Map.of())) {
      return generator.generate(
          FunnelGenerator.Run.count(events, config.generator().eventRate(), start)
              .onlyStreams(Set.of(EventType.IMPRESSION, EventType.CLICK)),
          sink,
          s -> {});
    }
  }

  static void runToEnd(AdlakeConfig config) throws StreamingQueryException {
    RecordingProgressLog log = new RecordingProgressLog(System.out);
    AttributionJob.start(spark, config, EventSource.from(config), Trigger.AvailableNow(), log)
        .awaitTermination();
  }

  static Set<List<String>> keys(List<ExpectedAttribution> expected) {
    return expected.stream()
        .map(e -> List.of(e.adId(), e.impressionId(), e.clickId()))
        .collect(Collectors.toSet());
  }

  static Set<List<String>> tableKeys(AdlakeConfig config) {
    Set<List<String>> keys = new HashSet<>();
    for (Row row :
        spark.sql("SELECT ad_id, impression_id, click_id FROM " + table(config)).collectAsList()) {
      keys.add(List.of(row.getString(0), row.getString(1), row.getString(2)));
    }
    return keys;
  }

  static long countRows(AdlakeConfig config) {
    return spark.sql("SELECT count(*) FROM " + table(config)).first().getLong(0);
  }

  static String table(AdlakeConfig config) {
    return config.catalog().qualified(config.attribution().table());
  }

  private static Duration delay(ExpectedAttribution e) {
    return Duration.between(e.impressionTime(), e.clickTime());
  }
}
