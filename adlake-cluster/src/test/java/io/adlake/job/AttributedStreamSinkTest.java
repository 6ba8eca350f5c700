package io.adlake.job;

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
import io.adlake.lake.ExactlyOnceMerge.BatchCommit;
import io.adlake.source.EventSource;
import io.adlake.source.KinesisStreams;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * The attribution query with the Kinesis sink on: generator → real broker → streaming attribution → MERGE
 * → PutRecords into a real Kinesis-compatible server (kinesalite), read back with GetRecords.
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
   * Batch 2 crashes after its MERGE and its PutRecords: the restarted query skips the MERGE (ledger) and
   * sends the batch's rows again. The stream, de-duplicated on impression_id + click_id and reduced to the
   * first click per key like the table, equals the table row for row.
   */
  @Test
  void theStreamCarriesTheMergedRowsKeyedByImpressionAtLeastOnce() throws Exception {
    AdlakeConfig config = config("attributed_stream");
    String stream = config.attribution().kinesisSink().stream();
    try (KinesisClient client = KinesisStreams.connect(config.attribution().kinesisSink().connection())) {
      KinesisStreams.ensure(client, config.attribution().kinesisSink().connection(), List.of(stream), 2);
    }
    AttributionJobTest.generateIntoKafka(config, 6_000, START);
    List<BatchCommit> commits = Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean crashed = new AtomicBoolean();

    StreamingQuery first = AttributionJob.start(spark, config, EventSource.from(config), Trigger.AvailableNow(),
        commits::add, sink -> (batch, id) -> {
          sink.call(batch, id);
          if (id == 2 && crashed.compareAndSet(false, true)) {
            throw new IllegalStateException("simulated crash after the batch was merged and sent");
          }
        });
    assertThrows(StreamingQueryException.class, first::awaitTermination);
    assertTrue(commits.stream().anyMatch(c -> c.batchId() == 2 && c.rows() > 0), "batch 2 attributed clicks");
    AttributionJob.start(spark, config, EventSource.from(config), Trigger.AvailableNow(), commits::add)
        .awaitTermination();
    assertTrue(commits.stream().anyMatch(c -> c.batchId() == 2 && c.skipped()), "the replayed MERGE was skipped: "
        + commits);

    List<Map<String, Object>> table = new ArrayList<>();
    for (Row row : spark.sql("SELECT to_json(struct(*)) FROM " + AttributionJobTest.table(config)).collectAsList()) {
      table.add(JSON.readValue(row.getString(0), new TypeReference<Map<String, Object>>() { }));
    }
    List<Map<String, Object>> sent = new ArrayList<>();
    try (KinesisClient client = KinesisStreams.connect(config.attribution().kinesisSink().connection())) {
      for (Received record : Kinesalite.readAll(client, stream)) {
        Map<String, Object> row = JSON.readValue(record.data(), new TypeReference<Map<String, Object>>() { });
        assertEquals(row.get("impression_id"), record.partitionKey(), "partition key = impression_id");
        sent.add(row);
      }
    }

    Set<Map<String, Object>> distinct = new HashSet<>(sent);
    assertTrue(sent.size() > distinct.size(), "the replayed batch was sent again (at least once)");
    assertEquals(new HashSet<>(table), firstClickPerKey(distinct), "the stream, de-duplicated, equals the table");
    assertEquals(table.size(), new HashSet<>(table).size());
    assertFalse(table.isEmpty());
  }

  @Test
  void aMissingOutputStreamIsNamedAtStart() {
    AdlakeConfig config = config("attributed_missing");
    AttributedStreamSink sink = new AttributedStreamSink((batch, id) -> { }, config.attribution().kinesisSink(),
        config.source().kinesis().putRetry());
    IllegalStateException e = assertThrows(IllegalStateException.class, sink::requireStream);
    assertTrue(e.getMessage().contains(config.attribution().kinesisSink().stream())
        && e.getMessage().contains("adlake.attribution.kinesis-sink.stream"), e.getMessage());
  }

  private static AdlakeConfig config(String name) {
    List<String> overrides = new ArrayList<>(List.of(
        "adlake.generator.click-rate=0.3",
        "adlake.generator.repeat-click-share=0.3",
        "adlake.source.kafka.max-offsets-per-trigger=1500",
        "adlake.attribution.kinesis-sink.enabled=true",
        "adlake.attribution.kinesis-sink.stream=" + name + "-" + System.nanoTime()));
    overrides.addAll(List.of(kinesis.overrides()));
    return TestServices.config(name, overrides.toArray(String[]::new));
  }

  /** As the table's MERGE decides: per (ad_id, impression_id) the earliest click, ties to the smaller click_id. */
  private static Set<Map<String, Object>> firstClickPerKey(Set<Map<String, Object>> rows) {
    Map<List<Object>, Map<String, Object>> first = new HashMap<>();
    for (Map<String, Object> row : rows) {
      first.merge(List.of(row.get("ad_id"), row.get("impression_id")), row, (a, b) -> earlier(a, b) ? a : b);
    }
    return new HashSet<>(first.values());
  }

  private static boolean earlier(Map<String, Object> a, Map<String, Object> b) {
    int byTime = Instant.parse((String) a.get("click_time")).compareTo(Instant.parse((String) b.get("click_time")));
    return byTime != 0 ? byTime < 0 : ((String) a.get("click_id")).compareTo((String) b.get("click_id")) < 0;
  }
}
