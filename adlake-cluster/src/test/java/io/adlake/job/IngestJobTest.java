package io.adlake.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adlake.TestServices;
import io.adlake.config.AdlakeConfig;
import io.adlake.event.EventSink;
import io.adlake.event.EventType;
import io.adlake.event.FunnelGenerator;
import io.adlake.event.FunnelGenerator.Summary;
import io.adlake.event.KafkaEventSink;
import io.adlake.event.RawRecord;
import io.adlake.lake.AdlakeTables;
import io.adlake.lake.TableSetup;
import io.adlake.lake.TableSpec;
import io.adlake.source.EventSource;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Generator or crafted records → real broker → the four ingest queries → Iceberg bronze and
 * quarantine.
 */
class IngestJobTest {
  private static SparkSession spark;

  @BeforeAll
  static void services() {
    TestServices.broker();
    spark = TestServices.spark();
  }

  @Test
  void everyRecordSentEndsInBronzeQuarantineOrTheDuplicateCountPerTopicExactly() throws Exception {
    AdlakeConfig config =
        TestServices.config(
            "accounting",
            "adlake.generator.duplicate-share=0.03",
            "adlake.generator.malformed-share=0.02",
            "adlake.source.kafka.max-offsets-per-trigger=4000");
    createTopics(config);
    Summary sent;
    Map<EventType, List<byte[]>> records = new EnumMap<>(EventType.class);
    try (KafkaEventSink kafka =
        new KafkaEventSink(TestServices.broker().bootstrapServers(), config.streams(), Map.of())) {
      EventSink tee =
          new EventSink() {
            @Override
            public void send(EventType type, String key, byte[] value) {
              records.computeIfAbsent(type, t -> new ArrayList<>()).add(value);
              kafka.send(type, key, value);
            }

            @Override
            public void flush() {
              kafka.flush();
            }

            @Override
            public void close() {}
          };
      sent =
          new FunnelGenerator(config)
              .generate(
                  FunnelGenerator.Run.count(20_000, 2000, Instant.parse("2026-11-21T20:00:00Z")),
                  tee,
                  s -> {});
    }

    runIngest(config);

    assertSampleMatchesBronze(config, records);

    for (EventType type : EventType.values()) {
      String stream = type.streamName(config.streams());
      long recordsSent =
          sent.sent(type)
              + sent.duplicates().getOrDefault(type, 0L)
              + sent.malformed().getOrDefault(type, 0L);
      long bronze = bronzeRecords(config, type);
      long quarantined =
          count(
              "SELECT count(*) FROM "
                  + table(config, AdlakeTables.QUARANTINE)
                  + " WHERE event_type = '"
                  + type.name().toLowerCase()
                  + "'");
      Row metrics =
          spark
              .sql(
                  "SELECT sum(records_read), sum(duplicates_dropped), sum(bronze_records) FROM "
                      + table(config, AdlakeTables.INGEST_METRICS)
                      + " WHERE stream = '"
                      + stream
                      + "'")
              .first();
      assertEquals(sent.sent(type), bronze, type + ": every clean record once in bronze");
      assertEquals(
          sent.malformed().getOrDefault(type, 0L),
          quarantined,
          type + ": every malformed one in quarantine");
      assertEquals(
          sent.duplicates().getOrDefault(type, 0L),
          metrics.getLong(1),
          type + ": every re-send counted");
      assertEquals(recordsSent, metrics.getLong(0), type + ": records read");
      assertEquals(
          recordsSent,
          bronze + quarantined + metrics.getLong(1),
          type + ": bronze + quarantine + duplicates");
    }
    assertTrue(sent.duplicates().values().stream().mapToLong(Long::longValue).sum() > 100);
    assertTrue(sent.malformed().values().stream().mapToLong(Long::longValue).sum() > 100);
  }

  /**
   * The first 25 well-formed generator records of each stream, field by field against their bronze
   * rows.
   */
  private static void assertSampleMatchesBronze(
      AdlakeConfig config, Map<EventType, List<byte[]>> records) throws Exception {
    ObjectMapper json = new ObjectMapper();
    int checked = 0;
    for (EventType type : EventType.values()) {
      int sample = 0;
      for (byte[] record : records.get(type)) {
        JsonNode e;
        try {
          e = json.readTree(record);
        } catch (Exception malformed) {
          continue;
        }
        // Skip the generator's broken variants (a required field missing, bad timestamp, a numeric
        // field as text): they are in quarantine, and the bronze row with their id is the
        // original's.
        boolean wellFormed =
            e != null
                && e.isObject()
                && type.requiredFields().stream().allMatch(e::has)
                && e.has("event_timestamp")
                && e.get("event_timestamp").asText().matches("\\d{4}-.*")
                && switch (type) {
                  case BID_REQUEST -> e.path("tmax").isNumber();
                  case BID_RESPONSE -> e.path("seatbid").isArray();
                  case IMPRESSION -> e.path("bid_price").isNumber();
                  case CLICK -> e.path("click_price").isNumber();
                  case CONVERSION -> !e.has("value") || e.path("value").isNumber();
                };
        if (!wellFormed || sample++ >= 25) {
          continue;
        }
        switch (type) {
          case IMPRESSION -> {
            if (!e.has("impression_id")) {
              continue;
            }
            Row row =
                spark
                    .sql(
                        "SELECT impression_id, ad_id, campaign_id, publisher_id, device_type, geo_location, "
                            + "platform, ad_type, bid_price, win_price, bidder_id, creative_id, ad_domain, viewability_score, "
                            + "request_id, response_id, user_id FROM "
                            + table(config, AdlakeTables.IMPRESSIONS)
                            + " WHERE impression_id = '"
                            + e.get("impression_id").asText()
                            + "'")
                    .first();
            assertEquals(
                Arrays.asList(
                    e.get("impression_id").asText(),
                    e.get("ad_id").asText(),
                    e.get("campaign_id").asText(),
                    e.get("publisher_id").asText(),
                    e.get("device_type").asInt(),
                    e.get("geo_location").asText(),
                    e.get("platform").asText(),
                    e.get("ad_type").asText(),
                    e.get("bid_price").asDouble(),
                    e.get("win_price").asDouble(),
                    e.get("bidder_id").asText(),
                    e.get("creative_id").asText(),
                    e.get("ad_domain").asText(),
                    e.get("viewability_score").asDouble(),
                    e.get("request_id").asText(),
                    e.get("response_id").asText(),
                    e.get("user_id").asText()),
                values(row));
          }
          case CLICK -> {
            if (!e.has("click_id")) {
              continue;
            }
            Row row =
                spark
                    .sql(
                        "SELECT click_id, impression_id, ad_id, campaign_id, click_price, click_url, "
                            + "cast(event_timestamp AS STRING) FROM "
                            + table(config, AdlakeTables.CLICKS)
                            + " WHERE click_id = '"
                            + e.get("click_id").asText()
                            + "'")
                    .first();
            assertEquals(
                Arrays.asList(
                    e.get("click_id").asText(),
                    e.get("impression_id").asText(),
                    e.get("ad_id").asText(),
                    e.get("campaign_id").asText(),
                    e.get("click_price").asDouble(),
                    e.get("click_url").asText()),
                values(row).subList(0, 6));
            assertEquals(
                Timestamp.from(Instant.parse(e.get("event_timestamp").asText())),
                spark
                    .sql(
                        "SELECT event_timestamp FROM "
                            + table(config, AdlakeTables.CLICKS)
                            + " WHERE click_id = '"
                            + e.get("click_id").asText()
                            + "'")
                    .first()
                    .getTimestamp(0));
          }
          case BID_REQUEST -> {
            if (!e.has("id")) {
              continue;
            }
            JsonNode inventory = e.has("app") ? e.get("app") : e.get("site");
            List<Row> rows =
                spark
                    .sql(
                        "SELECT imp_id, imp_bidfloor, currency, publisher_id, device_type, "
                            + "device_geo_country, device_ip, user_id, auction_type, tmax, is_gdpr, app_id, site_id FROM "
                            + table(config, AdlakeTables.BID_REQUESTS)
                            + " WHERE request_id = '"
                            + e.get("id").asText()
                            + "' ORDER BY imp_id")
                    .collectAsList();
            assertEquals(e.get("imp").size(), rows.size(), "one row per imp");
            for (int i = 0; i < rows.size(); i++) {
              JsonNode imp = e.get("imp").get(i);
              assertEquals(
                  Arrays.asList(
                      imp.get("id").asText(),
                      imp.get("bidfloor").asDouble(),
                      imp.get("bidfloorcur").asText(),
                      inventory.get("publisher").get("id").asText(),
                      e.get("device").get("devicetype").asInt(),
                      e.get("device").get("geo").get("country").asText(),
                      e.get("device").get("ip").asText(),
                      e.get("user").get("id").asText(),
                      e.get("at").asInt(),
                      e.get("tmax").asInt(),
                      e.get("regs").get("ext").get("gdpr").asInt() == 1,
                      e.has("app") ? inventory.get("id").asText() : null,
                      e.has("site") ? inventory.get("id").asText() : null),
                  values(rows.get(i)));
            }
          }
          case BID_RESPONSE -> {
            if (!e.has("bidid")) {
              continue;
            }
            JsonNode seat = e.get("seatbid").get(0);
            JsonNode bid = seat.get("bid").get(0);
            Row row =
                spark
                    .sql(
                        "SELECT request_id, bidder_id, bid_id, imp_id, price, creative_id, campaign_id, ad_id, "
                            + "ad_domain, currency FROM "
                            + table(config, AdlakeTables.BID_RESPONSES)
                            + " WHERE response_id = '"
                            + e.get("bidid").asText()
                            + "'")
                    .first();
            assertEquals(
                Arrays.asList(
                    e.get("id").asText(),
                    seat.get("seat").asText(),
                    bid.get("id").asText(),
                    bid.get("impid").asText(),
                    bid.get("price").asDouble(),
                    bid.get("crid").asText(),
                    bid.get("cid").asText(),
                    bid.get("adid").asText(),
                    bid.get("adomain").get(0).asText(),
                    e.get("cur").asText()),
                values(row));
          }
          case CONVERSION -> {
            if (!e.has("conversion_id")) {
              continue;
            }
            Row row =
                spark
                    .sql(
                        "SELECT conversion_id, user_id, click_id, advertiser_id, conversion_type, value, "
                            + "currency, cast(event_timestamp AS STRING) FROM "
                            + table(config, AdlakeTables.CONVERSIONS)
                            + " WHERE conversion_id = '"
                            + e.get("conversion_id").asText()
                            + "'")
                    .first();
            assertEquals(
                Arrays.asList(
                    e.get("conversion_id").asText(),
                    e.has("user_id") ? e.get("user_id").asText() : null,
                    e.has("click_id") ? e.get("click_id").asText() : null,
                    e.get("advertiser_id").asText(),
                    e.get("conversion_type").asText(),
                    e.has("value") ? e.get("value").asDouble() : null,
                    e.has("currency") ? e.get("currency").asText() : null),
                values(row).subList(0, 7));
          }
        }
        checked++;
      }
    }
    assertTrue(checked >= 80, "sampled records: " + checked);
  }

  @Test
  void reSentRecordsAreDuplicatesWithinTheWindowAndKeptAgainAfterIt() throws Exception {
    AdlakeConfig config = TestServices.config("resends", "adlake.ingest.dedup-window=10 minutes");
    createTopics(config);
    String topic = config.streams().clicks();
    Instant t = Instant.parse("2026-11-21T09:00:00Z");
    // Kafka timestamps are the arrival times; each run is one micro-batch (plus any no-data batch).
    // Run 1, offsets 0-2: c-1 twice in one batch, the copy that arrived first (offset 2) wins.
    sendAt(topic, List.of(t.plusSeconds(1), t, t), List.of("c-1", "c-2", "c-1"));
    runIngest(config);
    // Run 2, offsets 3-4: c-1 again 2 minutes later (a re-send within the window); c-3 moves the
    // watermark to t + 20 minutes, past c-1's and c-2's windows (t + 10 minutes).
    sendAt(topic, List.of(t.plusSeconds(120), t.plusSeconds(1800)), List.of("c-1", "c-3"));
    runIngest(config);
    // Run 3, offset 5: any record, so that a batch runs with that watermark and expires c-1 and
    // c-2.
    sendAt(topic, List.of(t.plusSeconds(1860)), List.of("c-4"));
    runIngest(config);
    // Run 4, offsets 6-8: c-2 and c-1 sent again after their windows: kept. c-5 arrives 32
    // minutes behind the newest arrival, behind the watermark (t + 21 minutes): Spark drops it
    // before the sink, and it is counted in late_events for clicks, not as read.
    sendAt(
        topic, List.of(t.plusSeconds(1920), t.plusSeconds(1920), t), List.of("c-2", "c-1", "c-5"));
    runIngest(config);

    assertEquals(
        List.of(
            List.of("c-1", 2L),
            List.of("c-1", 7L),
            List.of("c-2", 1L),
            List.of("c-2", 6L),
            List.of("c-3", 4L),
            List.of("c-4", 5L)),
        spark
            .sql(
                "SELECT click_id, source_offset FROM "
                    + table(config, AdlakeTables.CLICKS)
                    + " ORDER BY click_id, source_offset")
            .collectAsList()
            .stream()
            .map(IngestJobTest::values)
            .toList());
    assertEquals(
        List.of(List.of(3L, 1L, 2L), List.of(2L, 1L, 1L), List.of(1L, 0L, 1L), List.of(2L, 0L, 2L)),
        spark
            .sql(
                "SELECT records_read, duplicates_dropped, bronze_records FROM "
                    + table(config, AdlakeTables.INGEST_METRICS)
                    + " WHERE stream = '"
                    + topic
                    + "' ORDER BY batch_id")
            .collectAsList()
            .stream()
            .map(IngestJobTest::values)
            .toList(),
        "read, duplicates, bronze per batch that read records");
    // Recorded by a listener after the batch's progress: wait for it.
    String late =
        "SELECT table_name, sum(late_rows) FROM "
            + table(config, AdlakeTables.LATE_EVENTS)
            + " GROUP BY table_name";
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (spark.sql(late).isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertEquals(
        List.of(List.of(AdlakeTables.CLICKS, 1L)),
        spark.sql(late).collectAsList().stream().map(IngestJobTest::values).toList(),
        "the record behind the watermark, in late_events");
  }

  @Test
  void aCheckpointOfTheOldDeduplicationStopsTheStartNamingItsDirectory() throws Exception {
    AdlakeConfig config = TestServices.config("old_dedup");
    createTopics(config);
    sendAt(
        config.streams().clicks(), List.of(Instant.parse("2026-11-21T09:00:00Z")), List.of("c-1"));
    String checkpoint = Checkpoints.location(config, IngestJob.queryName(EventType.CLICK));
    // The ingest's plan before re-sends were marked: dropDuplicatesWithinWatermark on arrival time.
    EventSource.from(config)
        .readStream(spark, EventType.CLICK)
        .withWatermark(RawRecord.RECEIVED_AT, "10 minutes")
        .dropDuplicatesWithinWatermark(RawRecord.SOURCE, RawRecord.OFFSET)
        .writeStream()
        .option("checkpointLocation", checkpoint)
        .trigger(Trigger.AvailableNow())
        .foreachBatch((VoidFunction2<Dataset<Row>, Long>) (batch, id) -> batch.count())
        .start()
        .awaitTermination();
    // New input, so that the restarted query runs a batch on the old state.
    sendAt(
        config.streams().clicks(), List.of(Instant.parse("2026-11-21T09:01:00Z")), List.of("c-2"));

    IllegalStateException stop = assertThrows(IllegalStateException.class, () -> runIngest(config));
    assertTrue(stop.getMessage().contains(checkpoint), stop.getMessage());
  }

  @Test
  void filesSourceQuarantineKeepsTheFileAndLine() throws Exception {
    AdlakeConfig config = TestServices.config("file_lines", "adlake.source.type=files");
    Path root = Path.of(config.source().files().path());
    for (EventType type : EventType.values()) {
      Files.createDirectories(root.resolve(type.streamName(config.streams())));
    }
    Path file = root.resolve(config.streams().clicks()).resolve("part-1.jsonl");
    Files.writeString(
        file,
        click("c-1", "2026-11-21T09:00:00.000Z")
            + "\n{not json\n"
            + click("c-3", "2026-11-21T09:00:01.000Z")
            + "\n");

    runIngest(config);

    Row bad =
        spark
            .sql(
                "SELECT source, source_offset, reason, raw_text FROM "
                    + table(config, AdlakeTables.QUARANTINE))
            .first();
    assertTrue(bad.getString(0).endsWith("part-1.jsonl"), bad.getString(0));
    assertEquals(2L, bad.getLong(1), "line number");
    assertEquals("malformed_json", bad.getString(2));
    assertEquals("{not json", bad.getString(3));
    assertEquals(
        List.of(1L, 3L),
        spark
            .sql(
                "SELECT source_offset FROM "
                    + table(config, AdlakeTables.CLICKS)
                    + " ORDER BY source_offset")
            .collectAsList()
            .stream()
            .map(r -> r.getLong(0))
            .toList());
  }

  @Test
  void eachQuarantineReasonIsRecordedAndTheStreamKeepsGoing() throws Exception {
    AdlakeConfig config =
        TestServices.config(
            "reasons",
            "adlake.ingest.max-record-bytes=2000",
            "adlake.source.kafka.max-offsets-per-trigger=2");
    createTopics(config);
    String valid = click("c-ok-1", "2026-11-21T09:00:00.000Z");
    List<byte[]> records =
        new ArrayList<>(
            List.of(
                bytes(valid),
                bytes("{\"click_id\":\"c-trunc\",\"impression_id\":"),
                bytes(
                    click("c-type", "2026-11-21T09:00:00.000Z")
                        .replace("\"click_price\":0.5", "\"click_price\":\"abc\"")),
                bytes(
                    click("c-missing", "2026-11-21T09:00:00.000Z")
                        .replace("\"click_id\":\"c-missing\",", "")),
                bytes(click("c-ts", "21/11/2026 9am")),
                bytes(
                    click("c-large", "2026-11-21T09:00:00.000Z")
                        .replace(
                            "\"click_url\":\"u\"", "\"click_url\":\"" + "x".repeat(3000) + "\"")),
                new byte[] {(byte) 0xFF, (byte) 0xFE, 0x41, (byte) 0xC3},
                bytes(click("c-ok-2", "2026-11-21T09:00:05.000Z"))));
    send(config.streams().clicks(), records);

    runIngest(config);

    List<Row> quarantined =
        spark
            .sql(
                "SELECT reason, raw_text, raw_base64, source_offset FROM "
                    + table(config, AdlakeTables.QUARANTINE)
                    + " ORDER BY source_offset")
            .collectAsList();
    assertEquals(
        List.of(
            "malformed_json",
            "malformed_json",
            "missing_field:click_id",
            "invalid_timestamp",
            "too_large",
            "malformed_json"),
        quarantined.stream().map(r -> r.getString(0)).toList());
    assertEquals("{\"click_id\":\"c-trunc\",\"impression_id\":", quarantined.get(0).getString(1));
    Row binary = quarantined.get(5);
    assertNull(binary.get(1), "invalid UTF-8 is not stored as text");
    assertEquals("//5Bww==", binary.getString(2), "invalid UTF-8 is kept byte for byte as base64");
    assertEquals(
        List.of("c-ok-1", "c-ok-2"),
        spark
            .sql(
                "SELECT click_id FROM " + table(config, AdlakeTables.CLICKS) + " ORDER BY click_id")
            .collectAsList()
            .stream()
            .map(r -> r.getString(0))
            .toList(),
        "valid records before and after the bad ones are in bronze");
  }

  /**
   * The kinds of damage the fuzz test does to a valid click, and the reason each must be
   * quarantined with.
   */
  private enum Damage {
    TRUNCATED("malformed_json"),
    GARBAGE("malformed_json"),
    INVALID_UTF8_IN_STRING("malformed_json"),
    WRONG_TYPE("malformed_json"),
    MISSING_KEY("missing_field:click_id"),
    DEEPLY_NESTED("malformed_json"),
    HUGE("too_large"),
    FAR_PAST("timestamp_out_of_range"),
    FAR_FUTURE("timestamp_out_of_range"),
    UNPARSEABLE_TIME("invalid_timestamp");

    final String reason;

    Damage(String reason) {
      this.reason = reason;
    }
  }

  @Test
  void fuzzedRecordsAllEndInQuarantineWithTheirReasonAndTheStreamGoesOn() throws Exception {
    AdlakeConfig config =
        TestServices.config(
            "fuzz",
            "adlake.ingest.max-record-bytes=100000",
            "adlake.source.kafka.max-offsets-per-trigger=40");
    createTopics(config);
    Random random = new Random(7);
    List<byte[]> records = new ArrayList<>();
    Map<Long, String> expectedReason = new TreeMap<>();
    List<String> validIds = new ArrayList<>();
    EnumSet<Damage> used = EnumSet.noneOf(Damage.class);
    for (int i = 0; i < 120; i++) {
      String valid = click("c-" + i, "2026-11-21T09:00:" + String.format("%02d", i % 60) + ".000Z");
      if (i % 3 == 0) {
        validIds.add("c-" + i);
        records.add(bytes(valid));
        continue;
      }
      Damage damage = Damage.values()[random.nextInt(Damage.values().length)];
      used.add(damage);
      expectedReason.put((long) records.size(), damage.reason);
      records.add(damage(damage, valid, "c-" + i, random));
    }
    send(config.streams().clicks(), records);

    runIngest(config);

    Map<Long, String> reasons = new TreeMap<>();
    for (Row row :
        spark
            .sql("SELECT source_offset, reason FROM " + table(config, AdlakeTables.QUARANTINE))
            .collectAsList()) {
      reasons.put(row.getLong(0), row.getString(1));
    }
    assertEquals(
        expectedReason,
        reasons,
        "every damaged record is quarantined, with the reason of its damage");
    assertEquals(
        validIds.stream().sorted().toList(),
        spark
            .sql(
                "SELECT click_id FROM " + table(config, AdlakeTables.CLICKS) + " ORDER BY click_id")
            .collectAsList()
            .stream()
            .map(r -> r.getString(0))
            .toList(),
        "every valid record, before and after the damaged ones, is in bronze");
    assertEquals(EnumSet.allOf(Damage.class), used, "each kind of damage was exercised");
  }

  private static byte[] damage(Damage damage, String valid, String id, Random random) {
    return switch (damage) {
      case TRUNCATED -> bytes(valid.substring(0, 1 + random.nextInt(valid.length() - 2)));
      case GARBAGE -> {
        byte[] noise = new byte[1 + random.nextInt(200)];
        random.nextBytes(noise);
        noise[0] = (byte) 0xFE; // never a JSON start
        yield noise;
      }
      case INVALID_UTF8_IN_STRING -> {
        byte[] text = bytes(valid.replace("\"click_url\":\"u\"", "\"click_url\":\"u__\""));
        int at = new String(text, StandardCharsets.UTF_8).indexOf("u__") + 1;
        text[at] = (byte) 0xC3; // a lead byte followed by '_' (0x5F): not UTF-8
        yield text;
      }
      case WRONG_TYPE ->
          bytes(valid.replace("\"click_price\":0.5", "\"click_price\":{\"amount\":[1,2]}"));
      case MISSING_KEY -> bytes(valid.replace("\"click_id\":\"" + id + "\",", ""));
      case DEEPLY_NESTED ->
          bytes(
              valid.replace(
                  "\"click_url\":\"u\"",
                  "\"click_url\":\"u\",\"ext\":" + "[".repeat(5000) + "]".repeat(5000)));
      case HUGE ->
          bytes(
              valid.replace(
                  "\"click_url\":\"u\"", "\"click_url\":\"" + "x".repeat(200_000) + "\""));
      case FAR_PAST -> bytes(valid.replaceAll("2026-11-21T09:00:\\d\\d", "1970-01-01T00:00:00"));
      case FAR_FUTURE -> bytes(valid.replaceAll("2026-11-21T09:00:\\d\\d", "2100-01-01T00:00:00"));
      case UNPARSEABLE_TIME ->
          bytes(valid.replaceAll("2026-11-21T09:00:\\d\\d\\.000Z", "yesterday at noon"));
    };
  }

  @Test
  void bronzeColumnsEqualTheRecordsFieldByField() throws Exception {
    AdlakeConfig config = TestServices.config("flatten");
    createTopics(config);
    send(
        config.streams().bidRequests(),
        List.of(
            bytes(
                """
        {"id":"r-1","imp":[{"id":"1","banner":{"w":300,"h":250},"bidfloor":2.0,"bidfloorcur":"EUR","tagid":"t"},
         {"id":"2","video":{"w":640,"h":360},"bidfloor":0.5}],
         "app":{"id":"app-7","bundle":"com.example.game","cat":["IAB9","IAB1"],"publisher":{"id":"pub-0042"}},
         "device":{"ua":"x","ip":"203.0.113.9","geo":{"country":"FRA","region":"FR-7","lat":1.0,"lon":2.0},
         "devicetype":4,"os":"Android","osv":"14"},"user":{"id":"u-9"},"at":2,"tmax":150,"cur":["USD"],
         "source":{"fd":1,"tid":"t-1"},"regs":{"coppa":0,"ext":{"gdpr":1}},"event_timestamp":"2026-11-21T09:00:00.250Z"}"""),
            bytes(
                """
        {"id":"r-2","imp":[{"id":"1","banner":{"w":320,"h":50},"bidfloor":1.0}],
         "site":{"id":"site-1","domain":"news.example","cat":["IAB12"],"publisher":{"id":"test-pub-001"}},
         "device":{"ip":"192.168.1.20","geo":{"country":"USA"},"devicetype":2},
         "event_timestamp":"2026-11-21T09:00:01.000Z"}""")));
    send(
        config.streams().bidResponses(),
        List.of(
            bytes(
                """
        {"id":"r-1","bidid":"b-1","seatbid":[{"seat":"bidder-01","bid":[{"id":"x1","impid":"1","price":3.5,
         "adomain":["brand.example"],"crid":"cr-1","cid":"cmp-0001","adid":"ad-1"},{"id":"x2","impid":"2","price":1.25,
         "crid":"cr-2","dealid":"deal-3","cid":"cmp-0002","adid":"ad-2"}]},{"seat":"bidder-02","bid":[{"id":"y1",
         "impid":"1","price":2.0,"cid":"cmp-0003","adid":"ad-3"}]}],"cur":"USD","event_timestamp":"2026-11-21T09:00:00.300Z"}""")));
    send(
        config.streams().impressions(),
        List.of(
            bytes(
                """
        {"impression_id":"i-1","request_id":"r-1","response_id":"b-1","ad_id":"ad-1","campaign_id":"cmp-0001",
         "publisher_id":"pub-0042","event_timestamp":"2026-11-21T09:00:00.500Z","device_type":4,"geo_location":"FRA",
         "platform":"android","ad_type":"banner","bid_price":3.5,"win_price":2.9,"bidder_id":"bidder-01",
         "creative_id":"cr-1","ad_domain":"brand.example","viewability_score":0.8}""")));
    send(config.streams().clicks(), List.of(bytes(click("c-1", "2026-11-21T09:00:03.000Z"))));

    runIngest(config);

    List<Row> requests =
        spark
            .sql(
                "SELECT request_id, imp_id, imp_banner_w, imp_banner_h, imp_bidfloor, site_id, "
                    + "site_domain, site_cat, app_id, app_bundle, publisher_id, device_type, device_os, device_ip, "
                    + "device_geo_country, device_geo_region, user_id, auction_type, tmax, currency, is_coppa, is_gdpr, "
                    + "cast(event_timestamp AS STRING), source_offset FROM "
                    + table(config, AdlakeTables.BID_REQUESTS)
                    + " ORDER BY request_id, imp_id")
            .collectAsList();
    assertEquals(3, requests.size(), "one row per imp[]");
    assertEquals(
        Arrays.asList(
            "r-1",
            "1",
            300,
            250,
            2.0,
            null,
            null,
            "IAB9,IAB1",
            "app-7",
            "com.example.game",
            "pub-0042",
            4,
            "Android",
            "203.0.113.9",
            "FRA",
            "FR-7",
            "u-9",
            2,
            150,
            "EUR",
            false,
            true,
            "2026-11-21 09:00:00.25",
            0L),
        values(requests.get(0)));
    assertEquals(Arrays.asList("r-1", "2", 640, 360, 0.5), values(requests.get(1)).subList(0, 5));
    assertEquals("USD", requests.get(1).getString(19), "bidfloorcur defaults to USD");
    assertEquals(
        Arrays.asList(
            "r-2",
            "1",
            320,
            50,
            1.0,
            "site-1",
            "news.example",
            "IAB12",
            null,
            null,
            "test-pub-001",
            2,
            null,
            "192.168.1.20",
            "USA",
            null,
            null,
            null,
            null,
            "USD",
            false,
            false),
        values(requests.get(2)).subList(0, 22));

    List<Row> responses =
        spark
            .sql(
                "SELECT response_id, request_id, bidder_id, bid_id, imp_id, price, ad_domain, "
                    + "creative_id, deal_id, campaign_id, ad_id, currency FROM "
                    + table(config, AdlakeTables.BID_RESPONSES)
                    + " ORDER BY bid_id")
            .collectAsList();
    assertEquals(3, responses.size(), "one row per seatbid[].bid[]");
    assertEquals(
        Arrays.asList(
            "b-1",
            "r-1",
            "bidder-01",
            "x1",
            "1",
            3.5,
            "brand.example",
            "cr-1",
            null,
            "cmp-0001",
            "ad-1",
            "USD"),
        values(responses.get(0)));
    assertEquals(
        Arrays.asList(
            "b-1",
            "r-1",
            "bidder-01",
            "x2",
            "2",
            1.25,
            null,
            "cr-2",
            "deal-3",
            "cmp-0002",
            "ad-2",
            "USD"),
        values(responses.get(1)));
    assertEquals("bidder-02", responses.get(2).getString(2));

    Row impression =
        spark
            .sql(
                "SELECT impression_id, request_id, response_id, ad_id, campaign_id, publisher_id, "
                    + "device_type, geo_location, platform, ad_type, bid_price, win_price, bidder_id, creative_id, ad_domain, "
                    + "viewability_score FROM "
                    + table(config, AdlakeTables.IMPRESSIONS))
            .first();
    assertEquals(
        Arrays.asList(
            "i-1",
            "r-1",
            "b-1",
            "ad-1",
            "cmp-0001",
            "pub-0042",
            4,
            "FRA",
            "android",
            "banner",
            3.5,
            2.9,
            "bidder-01",
            "cr-1",
            "brand.example",
            0.8),
        values(impression));

    List<Row> enriched =
        spark
            .sql(
                "SELECT request_id, imp_id, usd_rate, floor_usd, device_category FROM "
                    + table(config, AdlakeTables.BID_REQUESTS_ENRICHED)
                    + " ORDER BY request_id, imp_id")
            .collectAsList();
    assertEquals(
        List.of(
            Arrays.asList("r-1", "1", 1.08, 2.0 * 1.08, "Mobile App"),
            Arrays.asList("r-1", "2", 1.0, 0.5, "Mobile App")),
        enriched.stream().map(IngestJobTest::values).toList(),
        "EUR floor in USD with its rate; r-2 (test publisher, private IP) filtered out");
    Row filtered =
        spark
            .sql(
                "SELECT filtered, filtered_by_reason['test_publisher'] FROM "
                    + table(config, AdlakeTables.INGEST_METRICS)
                    + " WHERE stream = '"
                    + config.streams().bidRequests()
                    + "'")
            .first();
    assertEquals(1L, filtered.getLong(0));
    assertEquals(1L, filtered.getLong(1), "test publisher wins over private IP as the reason");
  }

  @Test
  void aNewFieldBecomesANewColumnOldRowsReadNullNewRowsAreFilled() throws Exception {
    AdlakeConfig config = TestServices.config("evolution");
    createTopics(config);
    // The impressions table as the first release created it: no viewability_score.
    TableSpec current = AdlakeTables.impressions();
    TableSpec firstRelease =
        new TableSpec(
            current.name(),
            current.comment(),
            current.columns().stream().filter(c -> !c.name().equals("viewability_score")).toList(),
            current.partitioning(),
            current.key(),
            current.properties(),
            current.timeColumn(),
            current.groupColumn());
    String table = TableSetup.ensure(spark, config.catalog(), firstRelease);
    String oldRow =
        firstRelease.columns().stream()
            .map(
                c ->
                    switch (c.name()) {
                      case "impression_id" -> "'i-old'";
                      case "ad_id" -> "'ad-1'";
                      case "campaign_id" -> "'cmp-0001'";
                      case "event_timestamp" -> "TIMESTAMP '2026-11-20 09:00:00'";
                      default -> "CAST(NULL AS " + c.type() + ")";
                    })
            .collect(Collectors.joining(", "));
    spark.sql("INSERT INTO " + table + " VALUES (" + oldRow + ")");
    assertTrue(
        List.of(spark.table(table).columns()).stream().noneMatch("viewability_score"::equals));

    send(
        config.streams().impressions(),
        List.of(
            bytes(
                """
        {"impression_id":"i-new","ad_id":"ad-1","campaign_id":"cmp-0001","event_timestamp":"2026-11-21T09:00:00.000Z",
         "viewability_score":0.65}""")));
    runIngest(config);

    List<Row> rows =
        spark
            .sql(
                "SELECT impression_id, viewability_score FROM " + table + " ORDER BY impression_id")
            .collectAsList();
    assertEquals(Arrays.asList("i-new", 0.65), values(rows.get(0)));
    assertEquals(Arrays.asList("i-old", null), values(rows.get(1)));
  }

  @Test
  void clicksGainUserIdOnStartOldRowsAndRecordsWithoutItReadNull() throws Exception {
    AdlakeConfig config = TestServices.config("user_id_evolution");
    createTopics(config);
    // The clicks table as the release before conversions created it: no user_id.
    TableSpec current = AdlakeTables.clicks();
    TableSpec before =
        new TableSpec(
            current.name(),
            current.comment(),
            current.columns().stream().filter(c -> !c.name().equals("user_id")).toList(),
            current.partitioning(),
            current.key(),
            current.properties(),
            current.timeColumn(),
            current.groupColumn());
    String table = TableSetup.ensure(spark, config.catalog(), before);
    String oldRow =
        before.columns().stream()
            .map(
                c ->
                    switch (c.name()) {
                      case "click_id" -> "'c-old'";
                      case "impression_id" -> "'i-1'";
                      case "ad_id" -> "'ad-1'";
                      case "campaign_id" -> "'cmp-0001'";
                      case "event_timestamp" -> "TIMESTAMP '2026-11-20 09:00:00'";
                      default -> "CAST(NULL AS " + c.type() + ")";
                    })
            .collect(Collectors.joining(", "));
    spark.sql("INSERT INTO " + table + " VALUES (" + oldRow + ")");

    // A tracker on the old format (no user_id) and one on the new, side by side.
    send(
        config.streams().clicks(),
        List.of(
            bytes(click("c-without", "2026-11-21T09:00:01.000Z")),
            bytes(
                click("c-with", "2026-11-21T09:00:02.000Z")
                    .replace("\"click_url\":\"u\"", "\"click_url\":\"u\",\"user_id\":\"u-7\""))));
    runIngest(config);

    List<Row> rows =
        spark.sql("SELECT click_id, user_id FROM " + table + " ORDER BY click_id").collectAsList();
    assertEquals(
        List.of(
            Arrays.asList("c-old", null),
            Arrays.asList("c-with", "u-7"),
            Arrays.asList("c-without", null)),
        rows.stream().map(IngestJobTest::values).toList());
  }

  static void runIngest(AdlakeConfig config) throws Exception {
    PrintStream out = System.out;
    for (StreamingQuery query :
        IngestJob.start(spark, config, EventSource.from(config), Trigger.AvailableNow(), out)) {
      query.awaitTermination();
    }
  }

  private static void createTopics(AdlakeConfig config) {
    TestServices.broker()
        .createTopics(
            Arrays.stream(EventType.values()).map(t -> t.streamName(config.streams())).toList(), 2);
  }

  private static void send(String topic, List<byte[]> records) {
    Properties p = new Properties();
    p.put("bootstrap.servers", TestServices.broker().bootstrapServers());
    p.put("max.in.flight.requests.per.connection", "1"); // see KafkaEventSink: KAFKA-15591
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (byte[] record : records) {
        // One partition, so offsets follow the order sent.
        producer.send(new ProducerRecord<>(topic, 0, null, record));
      }
    }
  }

  /** Clicks {@code ids}, with Kafka timestamps {@code arrivals}, to partition 0 in this order. */
  private static void sendAt(String topic, List<Instant> arrivals, List<String> ids) {
    Properties p = new Properties();
    p.put("bootstrap.servers", TestServices.broker().bootstrapServers());
    p.put("max.in.flight.requests.per.connection", "1"); // see KafkaEventSink: KAFKA-15591
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < ids.size(); i++) {
        byte[] value =
            click(ids.get(i), "2026-11-21T08:59:00.000Z").getBytes(StandardCharsets.UTF_8);
        producer.send(new ProducerRecord<>(topic, 0, arrivals.get(i).toEpochMilli(), null, value));
      }
    }
  }

  private static String click(String id, String timestamp) {
    return "{\"click_id\":\""
        + id
        + "\",\"impression_id\":\"i-1\",\"ad_id\":\"ad-1\",\"campaign_id\":\"cmp-0001\","
        + "\"event_timestamp\":\""
        + timestamp
        + "\",\"click_price\":0.5,\"click_url\":\"u\"}";
  }

  private static byte[] bytes(String text) {
    return text.replace("\n", "").getBytes(StandardCharsets.UTF_8);
  }

  private static long bronzeRecords(AdlakeConfig config, EventType type) {
    return switch (type) {
      case BID_REQUEST ->
          count(
              "SELECT count(DISTINCT request_id) FROM " + table(config, AdlakeTables.BID_REQUESTS));
      case BID_RESPONSE ->
          count(
              "SELECT count(DISTINCT response_id) FROM "
                  + table(config, AdlakeTables.BID_RESPONSES));
      case IMPRESSION -> count("SELECT count(*) FROM " + table(config, AdlakeTables.IMPRESSIONS));
      case CLICK -> count("SELECT count(*) FROM " + table(config, AdlakeTables.CLICKS));
      case CONVERSION -> count("SELECT count(*) FROM " + table(config, AdlakeTables.CONVERSIONS));
    };
  }

  private static long count(String sql) {
    return spark.sql(sql).first().getLong(0);
  }

  private static String table(AdlakeConfig config, String name) {
    return config.catalog().qualified(name);
  }

  private static List<Object> values(Row row) {
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < row.length(); i++) {
      out.add(row.get(i));
    }
    return out;
  }
}
