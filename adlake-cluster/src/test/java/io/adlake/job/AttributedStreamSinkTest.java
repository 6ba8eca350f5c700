package io.adlake.job;

import static org.apache.spark.sql.functions.current_timestamp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adlake.Kinesalite;
import io.adlake.Kinesalite.Received;
import io.adlake.TestServices;
import io.adlake.config.AdlakeConfig;
import io.adlake.lake.AdlakeTables;
import io.adlake.lake.CommitLedger;
import io.adlake.lake.DimensionLoad;
import io.adlake.lake.ExactlyOnceMerge.BatchCommit;
import io.adlake.lake.MergeMode;
import io.adlake.lake.TableSetup;
import io.adlake.lake.TableSpec;
import io.adlake.source.EventSource;
import io.adlake.source.KinesisStreams;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.Window;
import org.apache.spark.sql.execution.QueryExecution;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.sql.util.QueryExecutionListener;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.jdk.javaapi.CollectionConverters;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * The attribution query with the Kinesis sink on: generator → real broker → streaming attribution →
 * MERGE → PutRecords into a real Kinesis-compatible server (kinesalite), read back with GetRecords.
 */
class AttributedStreamSinkTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant START = Instant.parse("2026-11-21T12:00:00Z");
  private static Kinesalite kinesis;
  private static SparkSession spark;

  @BeforeAll
  static void services() {
    kinesis = Kinesalite.start(50);
    TestServices.broker();
    spark = TestServices.spark();
  }

  @AfterAll
  static void stop() {
    if (kinesis != null) {
      kinesis.close();
    }
  }

  /**
   * Batch 2 crashes after its MERGE and its PutRecords: the restarted query skips the MERGE
   * (ledger) and sends the batch's rows again. The stream, de-duplicated on impression_id +
   * click_id and reduced to the first click per key like the table, equals the table row for row.
   */
  @Test
  void theStreamCarriesTheMergedRowsKeyedByImpressionAtLeastOnce() throws Exception {
    AdlakeConfig config = config("attributed_stream");
    String stream = config.attribution().kinesisSink().stream();
    try (KinesisClient client =
        KinesisStreams.connect(config.attribution().kinesisSink().connection())) {
      KinesisStreams.ensure(
          client, config.attribution().kinesisSink().connection(), List.of(stream), 2);
    }
    AttributionJobTest.generateIntoKafka(config, 6_000, START);
    List<BatchCommit> commits = Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean crashed = new AtomicBoolean();

    StreamingQuery first =
        AttributionJob.start(
            spark,
            config,
            EventSource.from(config),
            Trigger.AvailableNow(),
            commits::add,
            sink ->
                (batch, id) -> {
                  sink.call(batch, id);
                  if (id == 2 && crashed.compareAndSet(false, true)) {
                    throw new IllegalStateException(
                        "simulated crash after the batch was merged and sent");
                  }
                });
    assertThrows(StreamingQueryException.class, first::awaitTermination);
    assertTrue(
        commits.stream().anyMatch(c -> c.batchId() == 2 && c.rows() > 0),
        "batch 2 attributed clicks");
    AttributionJob.start(
            spark, config, EventSource.from(config), Trigger.AvailableNow(), commits::add)
        .awaitTermination();
    assertTrue(
        commits.stream().anyMatch(c -> c.batchId() == 2 && c.skipped()),
        "the replayed MERGE was skipped: " + commits);

    List<Map<String, Object>> table = new ArrayList<>();
    for (Row row :
        spark
            .sql("SELECT to_json(struct(*)) FROM " + AttributionJobTest.table(config))
            .collectAsList()) {
      table.add(JSON.readValue(row.getString(0), new TypeReference<Map<String, Object>>() {}));
    }
    List<Map<String, Object>> sent = new ArrayList<>();
    try (KinesisClient client =
        KinesisStreams.connect(config.attribution().kinesisSink().connection())) {
      for (Received record : Kinesalite.readAll(client, stream)) {
        Map<String, Object> row =
            JSON.readValue(record.data(), new TypeReference<Map<String, Object>>() {});
        assertEquals(
            row.get("impression_id"), record.partitionKey(), "partition key = impression_id");
        sent.add(row);
      }
    }

    Set<Map<String, Object>> distinct = new HashSet<>(sent);
    assertTrue(sent.size() > distinct.size(), "the replayed batch was sent again (at least once)");
    assertEquals(
        new HashSet<>(table),
        firstClickPerKey(distinct),
        "the stream, de-duplicated, equals the table");
    assertEquals(table.size(), new HashSet<>(table).size());
    assertFalse(table.isEmpty());
  }

  /**
   * With the stream on, a batch is reduced to its first click per key once, and the MERGE and the
   * stream read those very rows: no query of the batch ranks clicks on top of another ranking, and
   * processed_time, computed anew by each query that recomputes the batch, is the same in the table
   * and on the stream.
   */
  @Test
  void firstClickWinsRunsOncePerBatchForTheTableAndTheStream() throws Exception {
    AdlakeConfig config = config("attributed_once");
    try (KinesisClient client =
        KinesisStreams.connect(config.attribution().kinesisSink().connection())) {
      KinesisStreams.ensure(
          client,
          config.attribution().kinesisSink().connection(),
          List.of(config.attribution().kinesisSink().stream()),
          1);
    }
    // Copy-on-write: the MERGE reads its source twice.
    TableSpec spec =
        AdlakeTables.enrichedAdData(config.attribution().table(), MergeMode.COPY_ON_WRITE);
    String table = TableSetup.ensure(spark, config.catalog(), spec);
    new DimensionLoad(spark, config.catalog()).ensureTables(Map.of());
    Dataset<Row> batch =
        spark
            .createDataFrame(
                List.of(
                    attributed("i-1", "c-9", 10),
                    attributed("i-1", "c-5", 4),
                    attributed("i-2", "c-b", 4),
                    attributed("i-2", "c-a", 4),
                    attributed("i-3", "c-3", 7)),
                spec.sparkSchema())
            .withColumn("processed_time", current_timestamp());
    ClickRankings rankings = new ClickRankings();
    spark.listenerManager().register(rankings);
    spark.sparkContext().setLocalProperty(CommitLedger.QUERY_ID_KEY, "attributed-once-query");
    try {
      AttributionJob.batchSink(config, table, spec, c -> {}).call(batch, 0L);
      spark.sparkContext().listenerBus().waitUntilEmpty(TimeUnit.SECONDS.toMillis(30));
    } finally {
      spark.sparkContext().setLocalProperty(CommitLedger.QUERY_ID_KEY, null);
      spark.listenerManager().unregister(rankings);
    }

    Map<String, Integer> deepest = rankings.deepestByAction();
    assertEquals(
        1,
        deepest.values().stream().mapToInt(Integer::intValue).max().orElse(0),
        "rankings stacked in a query's plan, deepest per action: " + deepest);
    assertEquals(
        1, deepest.get("toLocalIterator"), "the stream reads once-ranked rows: " + deepest);
    List<Map<String, Object>> inTable = new ArrayList<>();
    for (Row row :
        spark
            .sql("SELECT to_json(struct(*)) FROM " + table + " ORDER BY impression_id")
            .collectAsList()) {
      inTable.add(JSON.readValue(row.getString(0), new TypeReference<Map<String, Object>>() {}));
    }
    assertEquals(
        List.of("c-5", "c-a", "c-3"), inTable.stream().map(r -> r.get("click_id")).toList());
    List<Map<String, Object>> sent = new ArrayList<>();
    try (KinesisClient client =
        KinesisStreams.connect(config.attribution().kinesisSink().connection())) {
      for (Received record :
          Kinesalite.readAll(client, config.attribution().kinesisSink().stream())) {
        sent.add(JSON.readValue(record.data(), new TypeReference<Map<String, Object>>() {}));
      }
    }
    sent.sort(Comparator.comparing(r -> (String) r.get("impression_id")));
    assertEquals(inTable, sent, "the stream carries the merged rows, processed_time included");
  }

  @Test
  void aMissingOutputStreamIsNamedAtStart() {
    AdlakeConfig config = config("attributed_missing");
    AttributedStreamSink sink =
        new AttributedStreamSink(
            config.attribution().kinesisSink(), config.source().kinesis().putRetry());
    IllegalStateException e = assertThrows(IllegalStateException.class, sink::requireStream);
    assertTrue(
        e.getMessage().contains(config.attribution().kinesisSink().stream())
            && e.getMessage().contains("adlake.attribution.kinesis-sink.stream"),
        e.getMessage());
  }

  private static AdlakeConfig config(String name) {
    List<String> overrides =
        new ArrayList<>(
            List.of(
                "adlake.generator.click-rate=0.3",
                "adlake.generator.repeat-click-share=0.3",
                "adlake.source.kafka.max-offsets-per-trigger=1500",
                "adlake.attribution.kinesis-sink.enabled=true",
                "adlake.attribution.kinesis-sink.stream=" + name + "-" + System.nanoTime()));
    overrides.addAll(List.of(kinesis.overrides()));
    return TestServices.config(name, overrides.toArray(String[]::new));
  }

  private static Row attributed(String impressionId, String clickId, int clickSecond) {
    Timestamp impression = Timestamp.from(START);
    return RowFactory.create(
        "ad-1",
        impressionId,
        clickId,
        "cmp-0001",
        null,
        null,
        "pub-0001",
        impression,
        Timestamp.from(START.plusSeconds(clickSecond)),
        "USA",
        "ios",
        4,
        10.0,
        0.5,
        "No",
        (long) clickSecond,
        "Mobile",
        0.6,
        false,
        null);
  }

  /**
   * Per action the session runs, how many click rankings (window operators) its analyzed plans
   * stack along one path at most: 1 when the batch's first clicks were picked once, 2 when a
   * ranking ran over ranked rows.
   */
  private static final class ClickRankings implements QueryExecutionListener {
    private final Map<String, Integer> deepest = new ConcurrentHashMap<>();

    @Override
    public void onSuccess(String action, QueryExecution execution, long durationNs) {
      deepest.merge(action, stacked(execution.analyzed()), Math::max);
    }

    @Override
    public void onFailure(String action, QueryExecution execution, Exception exception) {}

    private static int stacked(LogicalPlan plan) {
      int below = 0;
      for (LogicalPlan child : CollectionConverters.asJava(plan.children())) {
        below = Math.max(below, stacked(child));
      }
      return below + (plan instanceof Window ? 1 : 0);
    }

    Map<String, Integer> deepestByAction() {
      return Map.copyOf(deepest);
    }
  }

  /**
   * As the table's MERGE decides: per (ad_id, impression_id) the earliest click, ties to the
   * smaller click_id.
   */
  private static Set<Map<String, Object>> firstClickPerKey(Set<Map<String, Object>> rows) {
    Map<List<Object>, Map<String, Object>> first = new HashMap<>();
    for (Map<String, Object> row : rows) {
      first.merge(
          List.of(row.get("ad_id"), row.get("impression_id")),
          row,
          (a, b) -> earlier(a, b) ? a : b);
    }
    return new HashSet<>(first.values());
  }

  private static boolean earlier(Map<String, Object> a, Map<String, Object> b) {
    int byTime =
        Instant.parse((String) a.get("click_time"))
            .compareTo(Instant.parse((String) b.get("click_time")));
    return byTime != 0
        ? byTime < 0
        : ((String) a.get("click_id")).compareTo((String) b.get("click_id")) < 0;
  }
}
