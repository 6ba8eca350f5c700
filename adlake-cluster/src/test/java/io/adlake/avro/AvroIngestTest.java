package io.adlake.avro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.adlake.ClusterModule;
import io.adlake.TestServices;
import io.adlake.config.AdlakeConfig;
import io.adlake.embedded.LocalSchemaRegistry;
import io.adlake.event.EventSchemas;
import io.adlake.event.EventType;
import io.adlake.event.FunnelGenerator;
import io.adlake.event.KafkaEventSink;
import io.adlake.job.IngestJob;
import io.adlake.lake.AdlakeTables;
import io.adlake.lake.TableSetup;
import io.adlake.lake.TableSpec;
import io.adlake.source.EventSource;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Avro on Kafka against a real Confluent-compatible registry (Apicurio Registry in a child JVM on
 * 127.0.0.1), the shared real broker, real Spark streaming and Iceberg.
 */
class AvroIngestTest {
  private static final PrintStream OUT = System.out;
  private static LocalSchemaRegistry registry;
  private static SparkSession spark;

  @BeforeAll
  static void services() throws Exception {
    TestServices.broker();
    spark = TestServices.spark();
    registry =
        LocalSchemaRegistry.start(ClusterModule.path("target", "test-servers", "apicurio.log"));
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
  }

  @Test
  void aCompatibleVersionRegistersAndAnIncompatibleOneIsRefusedWithTheRegistrysReason() {
    SchemaRegistryClient client = client();
    String subject = "compat-" + System.nanoTime() + "-value";
    client.setCompatibility(subject, "BACKWARD");
    int v1 = client.register(subject, EventSchemas.avro("history/impression.v1.avsc"));
    int v2 = client.register(subject, EventType.IMPRESSION.avroSchema());
    assertTrue(v2 != v1, "viewability_score with a default is a new, compatible version");
    assertEquals(
        v2,
        client.register(subject, EventType.IMPRESSION.avroSchema()),
        "registering again finds it");

    // A new field without a default: readers of the new schema cannot read old records.
    Schema incompatible =
        SchemaBuilder.record("Impression")
            .namespace("io.adlake.events")
            .fields()
            .requiredString("impression_id")
            .requiredDouble("bid_floor_usd")
            .endRecord();
    SchemaRegistryException refused =
        assertThrows(SchemaRegistryException.class, () -> client.register(subject, incompatible));
    assertTrue(
        refused
            .getMessage()
            .contains("refused the new schema of subject " + subject + " as incompatible"),
        refused.getMessage());
    assertTrue(
        refused.getMessage().contains("bid_floor_usd"),
        "the registry's reason: " + refused.getMessage());
    assertTrue(
        refused.getMessage().contains("add fields only with a default"), refused.getMessage());
  }

  @Test
  void anUnknownSubjectOrAnUnreachableRegistryFailsNamingWhatToFix() {
    SchemaRegistryException unknown =
        assertThrows(
            SchemaRegistryException.class, () -> client().requireSubject("nobody-value", "nobody"));
    assertTrue(
        unknown.getMessage().contains("Subject nobody-value is not registered"),
        unknown.getMessage());
    assertTrue(unknown.getMessage().contains("generate --format avro"), unknown.getMessage());

    SchemaRegistryException unreachable =
        assertThrows(
            SchemaRegistryException.class,
            () ->
                new SchemaRegistryClient(
                        "http://127.0.0.1:1", AvroEventDecoder.URL_SETTING, Duration.ofSeconds(2))
                    .subjects());
    assertTrue(
        unreachable
            .getMessage()
            .startsWith(
                "No schema registry answers at http://127.0.0.1:1 ("
                    + AvroEventDecoder.URL_SETTING
                    + ")"),
        unreachable.getMessage());
  }

  @Test
  void mixedV1AndV2RecordsDecodeWithDefaultsAndTheNewColumnReadsNullOnOldRows() throws Exception {
    AdlakeConfig config = avroConfig("evolution");
    createTopics(config, 2);
    // The impressions table as the first release created it: no viewability_score, one row in it.
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
    spark.sql(
        "INSERT INTO "
            + table
            + " VALUES ("
            + firstRelease.columns().stream()
                .map(
                    c ->
                        switch (c.name()) {
                          case "impression_id" -> "'i-old'";
                          case "ad_id" -> "'ad-1'";
                          case "campaign_id" -> "'cmp-1'";
                          case "event_timestamp" -> "TIMESTAMP '2026-11-20 09:00:00'";
                          default -> "CAST(NULL AS " + c.type() + ")";
                        })
                .collect(Collectors.joining(", "))
            + ")");

    // Old producers (v1) and new ones (v2) on the same topic.
    Schema v1 = EventSchemas.avro("history/impression.v1.avsc");
    try (AvroEventSink old = avroSink(config, Map.of(EventType.IMPRESSION, v1))) {
      old.send(EventType.IMPRESSION, "i-v1", impression("i-v1", 0.91));
      old.flush();
    }
    try (AvroEventSink updated = avroSink(config, Map.of())) {
      updated.send(EventType.IMPRESSION, "i-v2", impression("i-v2", 0.65));
      updated.flush();
    }
    try (AvroEventSink old = avroSink(config, Map.of(EventType.IMPRESSION, v1))) {
      old.send(EventType.IMPRESSION, "i-v1-later", impression("i-v1-later", 0.5));
      old.flush();
    }
    runIngest(config);

    List<Row> rows =
        spark
            .sql(
                "SELECT impression_id, viewability_score, bid_price, event_timestamp FROM "
                    + table
                    + " ORDER BY impression_id")
            .collectAsList();
    assertEquals(
        List.of(
            Arrays.asList("i-old", null, null, Timestamp.valueOf("2026-11-20 09:00:00")),
            Arrays.asList(
                "i-v1", 0.0, 4.25, Timestamp.from(Instant.parse("2026-11-21T09:00:00.123Z"))),
            Arrays.asList(
                "i-v1-later", 0.0, 4.25, Timestamp.from(Instant.parse("2026-11-21T09:00:00.123Z"))),
            Arrays.asList(
                "i-v2", 0.65, 4.25, Timestamp.from(Instant.parse("2026-11-21T09:00:00.123Z")))),
        rows.stream().map(AvroIngestTest::values).toList());
  }

  @Test
  void badAvroRecordsGoToQuarantineWithTheirReasonAndTheStreamGoesOn() throws Exception {
    AdlakeConfig config = avroConfig("bad_avro");
    createTopics(config, 1);
    byte[] headerOnly;
    int clickId;
    try (AvroEventSink sink = avroSink(config, Map.of())) {
      sink.send(EventType.IMPRESSION, "i-good", impression("i-good", 0.7));
      sink.flush();
    }
    clickId =
        client()
            .register(
                AvroEventSink.subject(config.streams().clicks()), EventType.CLICK.avroSchema());
    byte[] json =
        new String(impression("i-json", 0.1), StandardCharsets.UTF_8)
            .getBytes(StandardCharsets.UTF_8);
    headerOnly = ConfluentWireFormat.frame(idOfImpressions(config), new byte[0]);
    send(
        config.streams().impressions(),
        List.of(
            json, // a JSON producer on an Avro topic
            new byte[] {0, 0, 1}, // shorter than the header
            ConfluentWireFormat.frame(
                987_654, new byte[] {2, 'x'}), // an id the registry never gave
            ConfluentWireFormat.frame(
                clickId, new byte[] {2, 'x'}), // a click schema: our reader cannot resolve it
            headerOnly, // the header alone: nothing to decode
            ConfluentWireFormat.frame(
                idOfImpressions(config),
                new byte[] {
                  (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F, 1, 2
                }))); // a string longer than the record
    runIngest(config);

    List<Row> quarantined =
        spark
            .sql(
                "SELECT raw_bytes, reason FROM "
                    + config.catalog().qualified("quarantine")
                    + " WHERE event_type = 'impression' ORDER BY source_offset")
            .collectAsList();
    assertEquals(
        List.of(
            Arrays.asList(json.length, AvroEventDecoder.BAD_MAGIC_BYTE),
            Arrays.asList(3, AvroEventDecoder.BAD_MAGIC_BYTE),
            Arrays.asList(7, AvroEventDecoder.UNKNOWN_SCHEMA_ID),
            Arrays.asList(7, AvroEventDecoder.UNDECODABLE),
            Arrays.asList(5, AvroEventDecoder.UNDECODABLE),
            Arrays.asList(12, AvroEventDecoder.UNDECODABLE)),
        quarantined.stream().map(AvroIngestTest::values).toList());
    assertEquals(
        List.of("i-good"),
        spark
            .sql(
                "SELECT impression_id FROM " + config.catalog().qualified(AdlakeTables.IMPRESSIONS))
            .collectAsList()
            .stream()
            .map(r -> r.getString(0))
            .toList());
  }

  @Test
  void jsonAndAvroRunsOverTheSameGeneratedEventsGiveIdenticalTables() throws Exception {
    String[] generator = {
      "adlake.generator.duplicate-share=0.02", "adlake.generator.malformed-share=0.02"
    };
    AdlakeConfig json = TestServices.config("same_json", generator);
    AdlakeConfig avro = avroConfig("same_avro", generator);
    FunnelGenerator.Run run =
        FunnelGenerator.Run.count(2_000, 500, Instant.parse("2026-11-21T09:00:00Z"));
    FunnelGenerator.Summary sentJson = TestServices.generateToBroker(json, run);
    createTopics(avro, 2);
    FunnelGenerator.Summary sentAvro;
    try (AvroEventSink sink = avroSink(avro, Map.of())) {
      sentAvro = new FunnelGenerator(avro).generate(run, sink, s -> {});
      assertTrue(sink.unencodable() > 0, "the generator's broken records stay broken in Avro too");
    }
    assertEquals(sentJson.sent(), sentAvro.sent());
    runIngest(json);
    runIngest(avro);

    for (String table :
        List.of(
            AdlakeTables.BID_REQUESTS,
            AdlakeTables.BID_RESPONSES,
            AdlakeTables.IMPRESSIONS,
            AdlakeTables.CLICKS,
            "bid_requests_enriched")) {
      // received_at is when the broker took the record: the two runs wrote at different times.
      String columns =
          String.join(
              ", ",
              Arrays.stream(spark.table(json.catalog().qualified(table)).columns())
                  .filter(c -> !c.equals("received_at"))
                  .toList());
      long rows = spark.table(json.catalog().qualified(table)).count();
      assertTrue(rows > 0, table + " has rows");
      assertEquals(rows, spark.table(avro.catalog().qualified(table)).count(), table);
      assertEquals(
          0,
          spark
              .sql(
                  "SELECT "
                      + columns
                      + " FROM "
                      + json.catalog().qualified(table)
                      + " EXCEPT ALL "
                      + "SELECT "
                      + columns
                      + " FROM "
                      + avro.catalog().qualified(table))
              .count(),
          table);
    }
    String perType = "SELECT event_type, count(*) FROM %s GROUP BY 1 ORDER BY 1";
    assertEquals(
        spark.sql(String.format(perType, json.catalog().qualified("quarantine"))).collectAsList(),
        spark.sql(String.format(perType, avro.catalog().qualified("quarantine"))).collectAsList(),
        "every broken record is quarantined in both formats");
  }

  private static int idOfImpressions(AdlakeConfig config) {
    return client()
        .register(
            AvroEventSink.subject(config.streams().impressions()),
            EventType.IMPRESSION.avroSchema());
  }

  private static byte[] impression(String id, double viewability) {
    return ("{\"impression_id\":\""
            + id
            + "\",\"ad_id\":\"ad-1\",\"campaign_id\":\"cmp-1\",\"bid_price\":4.25,"
            + "\"event_timestamp\":\"2026-11-21T09:00:00.123Z\",\"viewability_score\":"
            + viewability
            + "}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static AdlakeConfig avroConfig(String name, String... overrides) {
    String[] all = Arrays.copyOf(overrides, overrides.length + 2);
    all[overrides.length] = "adlake.source.format=avro";
    all[overrides.length + 1] = "adlake.source.schema-registry.url=" + registry.url();
    return TestServices.config(name, all);
  }

  private static SchemaRegistryClient client() {
    return new SchemaRegistryClient(registry.url(), "test", Duration.ofSeconds(10));
  }

  /**
   * Registers all four streams' subjects (so the ingest's preflight passes) and writes Avro to the
   * broker.
   */
  private static AvroEventSink avroSink(AdlakeConfig config, Map<EventType, Schema> writers) {
    return AvroGeneration.sink(
        new KafkaEventSink(TestServices.broker().bootstrapServers(), config.streams(), Map.of()),
        config,
        writers,
        OUT);
  }

  private static void createTopics(AdlakeConfig config, int partitions) {
    TestServices.broker()
        .createTopics(
            Arrays.stream(EventType.values()).map(t -> t.streamName(config.streams())).toList(),
            partitions);
  }

  private static void send(String topic, List<byte[]> records) {
    Properties p = new Properties();
    p.put("bootstrap.servers", TestServices.broker().bootstrapServers());
    try (var producer =
        new KafkaProducer<byte[], byte[]>(
            p, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (byte[] record : records) {
        producer.send(new ProducerRecord<>(topic, record));
      }
    }
  }

  private static void runIngest(AdlakeConfig config) throws Exception {
    for (StreamingQuery query :
        IngestJob.start(spark, config, EventSource.from(config), Trigger.AvailableNow(), OUT)) {
      query.awaitTermination();
    }
  }

  private static List<Object> values(Row row) {
    Object[] values = new Object[row.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = row.get(i);
    }
    return Arrays.asList(values);
  }
}
