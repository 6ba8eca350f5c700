package io.adlake.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adlake.TestServices;
import io.adlake.config.AdlakeConfig;
import io.adlake.config.ConfigLoader;
import io.adlake.event.EventType;
import io.adlake.event.FunnelGenerator;
import io.adlake.job.Checkpoints;
import io.adlake.job.IngestJob;
import io.adlake.source.EventSource;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code status} after a real run: the generator's funnel through the embedded broker and the
 * ingest (available-now) into Iceberg, then more records sent to two topics than were ingested. The
 * lags are those records exactly, the thresholds exit 3 and name what crossed them, and the JSON
 * has the documented shape.
 */
class StatusCommandTest {
  private static final int MORE_CLICKS = 7;
  private static final int MORE_IMPRESSIONS = 4;
  private static final ObjectMapper JSON = new ObjectMapper();

  private static SparkSession spark;
  private static List<String> settings;
  private static AdlakeConfig config;
  private static FunnelGenerator.Summary sent;
  private static final Map<EventType, Long> lastBatch = new HashMap<>();
  private static Instant newestClick;

  @BeforeAll
  static void ingestThenSendMore() throws Exception {
    TestServices.broker();
    spark = TestServices.spark();
    // High win and click rates: every bronze table gets rows.
    settings =
        TestServices.settings(
            "status", "adlake.generator.win-rate=0.9", "adlake.generator.click-rate=0.3");
    config = ConfigLoader.load("local", settings);
    sent =
        TestServices.generateToBroker(
            config, FunnelGenerator.Run.count(1_000, 500, Instant.parse("2026-11-21T20:00:00Z")));
    for (StreamingQuery query :
        IngestJob.start(
            spark, config, EventSource.from(config), Trigger.AvailableNow(), System.out)) {
      query.awaitTermination();
      for (EventType type : EventType.values()) {
        if (query.name().equals(IngestJob.queryName(type))) {
          lastBatch.put(type, query.lastProgress().batchId());
        }
      }
    }
    send(EventType.CLICK.streamName(config.streams()), MORE_CLICKS);
    send(EventType.IMPRESSION.streamName(config.streams()), MORE_IMPRESSIONS);
    newestClick =
        ((Timestamp)
                spark
                    .sql("SELECT max(event_timestamp) FROM " + config.catalog().qualified("clicks"))
                    .first()
                    .get(0))
            .toInstant();
  }

  @Test
  void lagPerTopicIsTheRecordsSentSinceTheIngestCommitted() throws Exception {
    Result result = status(newestClick.plusSeconds(90), "--format", "json");
    assertEquals(0, result.code, result.err);
    JsonNode json = JSON.readTree(result.out);

    assertEquals(EventType.values().length, json.get("queries").size(), result.out);
    for (EventType type : EventType.values()) {
      JsonNode query = query(json, IngestJob.queryName(type));
      long inTopic =
          sent.sent(type)
              + sent.duplicates().getOrDefault(type, 0L)
              + sent.malformed().getOrDefault(type, 0L);
      long more =
          switch (type) {
            case CLICK -> MORE_CLICKS;
            case IMPRESSION -> MORE_IMPRESSIONS;
            default -> 0;
          };
      assertEquals((long) lastBatch.get(type), query.get("last_batch").asLong(), type.name());
      Path commit =
          Path.of(
              java.net.URI.create(
                  Checkpoints.location(config, IngestJob.queryName(type))
                      + "/commits/"
                      + lastBatch.get(type)));
      assertEquals(
          Files.getLastModifiedTime(commit).toInstant().toEpochMilli(),
          Instant.parse(query.get("committed_at").asText()).toEpochMilli(),
          type.name());
      assertEquals(1, query.get("inputs").size(), query.toString());
      JsonNode input = query.get("inputs").get(0);
      assertEquals("kafka", input.get("kind").asText());
      assertEquals(type.streamName(config.streams()), input.get("name").asText());
      assertEquals(inTopic, input.get("committed").asLong(), type.name());
      assertEquals(inTopic + more, input.get("latest").asLong(), type.name());
      assertEquals(more, input.get("lag").asLong(), type.name());
      assertEquals("records", input.get("unit").asText());
    }
  }

  @Test
  void tablesHaveTheirFreshnessSnapshotsAndFilesInTheDocumentedShape() throws Exception {
    Instant now = newestClick.plusSeconds(90);
    Result result = status(now, "--format", "json");
    JsonNode json = JSON.readTree(result.out);
    List<String> keys = new ArrayList<>();
    json.fieldNames().forEachRemaining(keys::add);
    assertEquals(
        List.of("checked_at", "checkpoint_root", "namespace", "queries", "tables", "crossed"),
        keys);
    assertEquals(now.toString(), json.get("checked_at").asText());
    assertEquals(Checkpoints.root(config), json.get("checkpoint_root").asText());
    assertEquals(
        config.catalog().name() + "." + config.catalog().namespace(),
        json.get("namespace").asText());
    assertEquals(0, json.get("crossed").size());

    List<String> tables = new ArrayList<>();
    json.get("tables").forEach(t -> tables.add(t.get("name").asText()));
    assertEquals(
        List.of(
            "advertisers",
            "bid_requests",
            "bid_requests_enriched",
            "bid_responses",
            "campaigns",
            "clicks",
            "conversions",
            "currency_rates",
            "impressions",
            "ingest_metrics",
            "late_events",
            "quarantine"),
        tables);

    JsonNode clicks = table(json, "clicks");
    List<String> tableKeys = new ArrayList<>();
    clicks.fieldNames().forEachRemaining(tableKeys::add);
    assertEquals(
        List.of(
            "name",
            "last_commit_at",
            "snapshots",
            "data_files",
            "delete_files",
            "event_time_column",
            "newest_event_time",
            "freshness_seconds",
            "late_events_last_hour"),
        tableKeys);
    String qualified = config.catalog().qualified("clicks");
    assertEquals("event_timestamp", clicks.get("event_time_column").asText());
    assertEquals(newestClick.toString(), clicks.get("newest_event_time").asText());
    assertEquals(90.0, clicks.get("freshness_seconds").asDouble());
    assertEquals(
        count("SELECT count(*) FROM " + qualified + ".snapshots"),
        clicks.get("snapshots").asLong());
    assertEquals(
        count("SELECT count(*) FROM " + qualified + ".data_files"),
        clicks.get("data_files").asLong());
    assertEquals(0, clicks.get("delete_files").asLong());
    assertEquals(
        ((Timestamp)
                spark
                    .sql("SELECT max(committed_at) FROM " + qualified + ".snapshots")
                    .first()
                    .get(0))
            .toInstant(),
        Instant.parse(clicks.get("last_commit_at").asText()));
    assertTrue(clicks.get("late_events_last_hour").isNull(), "the ingest drops nothing late");

    JsonNode quarantine = table(json, "quarantine");
    assertTrue(quarantine.get("event_time_column").isNull(), quarantine.toString());
    assertTrue(quarantine.get("freshness_seconds").isNull(), quarantine.toString());
  }

  @Test
  void aLagAboveMaxLagExitsThreeAndSaysWhichTopic() throws Exception {
    Instant now = newestClick.plusSeconds(90);
    Result above = status(now, "--max-lag", Integer.toString(MORE_CLICKS - 1));
    assertEquals(StatusCommand.THRESHOLD_CROSSED, above.code, above.err);
    assertEquals(
        List.of(
            "adlake status: threshold crossed: lag of "
                + IngestJob.queryName(EventType.CLICK)
                + " on kafka "
                + EventType.CLICK.streamName(config.streams())
                + " is "
                + MORE_CLICKS
                + " records, above --max-lag "
                + (MORE_CLICKS - 1)),
        above.err.lines().toList());
    List<String> clickRows =
        above
            .out
            .lines()
            .filter(l -> l.startsWith(IngestJob.queryName(EventType.CLICK) + " "))
            .toList();
    assertEquals(1, clickRows.size(), above.out);
    assertTrue(
        clickRows.get(0).contains("| kafka " + EventType.CLICK.streamName(config.streams()) + " "),
        above.out);
    assertTrue(clickRows.get(0).endsWith("| " + MORE_CLICKS + " records"), above.out);

    Result at = status(now, "--max-lag", Integer.toString(MORE_CLICKS));
    assertEquals(0, at.code, at.err);
    assertEquals("", at.err);
  }

  @Test
  void aTableStalerThanMaxStalenessExitsThreeAndSaysWhichTable() throws Exception {
    Instant now = newestClick.plusSeconds(90);
    Result stale = status(now, "--max-staleness", "89s", "--format", "json");
    assertEquals(StatusCommand.THRESHOLD_CROSSED, stale.code, stale.err);
    String clicksLine =
        "freshness of table clicks is 1m 30s (newest event_timestamp "
            + newestClick
            + "), above --max-staleness 1m 29s";
    assertTrue(
        stale.err.lines().toList().contains("adlake status: threshold crossed: " + clicksLine),
        stale.err);
    List<String> crossed = new ArrayList<>();
    JSON.readTree(stale.out).get("crossed").forEach(c -> crossed.add(c.asText()));
    assertEquals(
        stale
            .err
            .lines()
            .map(l -> l.substring("adlake status: threshold crossed: ".length()))
            .toList(),
        crossed);

    Result fresh = status(now, "--max-staleness", "3650d");
    assertEquals(0, fresh.code, fresh.err);
  }

  @Test
  void noCheckpointRootAndNoNamespaceIsSaidInOneMessage() throws Exception {
    List<String> elsewhere = TestServices.settings("status_nothing");
    AdlakeConfig nothing = ConfigLoader.load("local", elsewhere);
    Result result = status(Instant.now(), elsewhere, List.of());
    assertEquals(2, result.code, result.err);
    assertEquals(
        "adlake: configuration error: Nothing to report: no checkpoint root at "
            + Checkpoints.root(nothing)
            + " (adlake.streaming.checkpoint-root) and no namespace "
            + nothing.catalog().namespace()
            + " in catalog "
            + nothing.catalog().name()
            + " (warehouse "
            + io.adlake.job.SparkSessions.location(nothing.catalog().warehouse())
            + ", adlake.catalog.*). No adlake job has run with these settings yet (start one, e.g. "
            + "bin/adlake demo locally), or --env / --conf name another deployment's places.",
        result.err.strip());
  }

  private record Result(int code, String out, String err) {}

  private static Result status(Instant now, String... options) {
    return status(now, settings, List.of(options));
  }

  private static Result status(Instant now, List<String> conf, List<String> options) {
    List<String> args = new ArrayList<>();
    for (String setting : conf) {
      args.add("--conf");
      args.add(setting);
    }
    args.addAll(options);
    CommandLine cli = new CommandLine(new StatusCommand(Clock.fixed(now, ZoneOffset.UTC)));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = Main.execute(cli, args.toArray(String[]::new));
    return new Result(code, out.toString(), err.toString());
  }

  private static JsonNode query(JsonNode json, String name) {
    for (JsonNode query : json.get("queries")) {
      if (query.get("name").asText().equals(name)) {
        return query;
      }
    }
    throw new AssertionError("no query " + name + " in " + json);
  }

  private static JsonNode table(JsonNode json, String name) {
    for (JsonNode table : json.get("tables")) {
      if (table.get("name").asText().equals(name)) {
        return table;
      }
    }
    throw new AssertionError("no table " + name + " in " + json);
  }

  private static long count(String sql) {
    return spark.sql(sql).first().getLong(0);
  }

  /** {@code count} records that are not events: the status counts records, not what they hold. */
  private static void send(String topic, int count) {
    Properties p = new Properties();
    p.put("bootstrap.servers", TestServices.broker().bootstrapServers());
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < count; i++) {
        producer.send(
            new ProducerRecord<>(
                topic, i % 2, null, ("not yet ingested " + i).getBytes(StandardCharsets.UTF_8)));
      }
    }
  }
}
