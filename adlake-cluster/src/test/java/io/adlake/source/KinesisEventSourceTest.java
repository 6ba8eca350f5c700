package io.adlake.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.adlake.Kinesalite;
import io.adlake.Kinesalite.Received;
import io.adlake.TestServices;
import io.adlake.config.AdlakeConfig;
import io.adlake.config.AdlakeConfig.KinesisSettings;
import io.adlake.config.ConfigLoader;
import io.adlake.config.ConfigurationException;
import io.adlake.event.EventType;
import io.adlake.event.KinesisRecordWriter;
import io.adlake.event.RawRecord;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * The Kinesis source: settings → connector options (a pure function), the connector's rows → raw
 * records, and its failures at start. The {@code aws-kinesis} connector itself is not on Maven
 * Central, so no test here reads through it: its rows are built with its documented schema instead.
 */
class KinesisEventSourceTest {
  /**
   * The schema of the connector's rows (awslabs/spark-sql-kinesis-connector, KinesisClientFactory).
   */
  private static final StructType CONNECTOR_SCHEMA =
      new StructType()
          .add("data", DataTypes.BinaryType)
          .add("streamName", DataTypes.StringType)
          .add("partitionKey", DataTypes.StringType)
          .add("sequenceNumber", DataTypes.StringType)
          .add("approximateArrivalTimestamp", DataTypes.TimestampType);

  private static Kinesalite kinesis;

  @AfterAll
  static void stop() {
    if (kinesis != null) {
      kinesis.close();
    }
  }

  private static Kinesalite kinesis() {
    if (kinesis == null) {
      kinesis = Kinesalite.start(50);
    }
    return kinesis;
  }

  @Test
  void everySettingBecomesItsConnectorOptionAndFreeFormOptionsWin() {
    KinesisSettings settings =
        load(
                "adlake.source.kinesis.region=eu-west-1",
                "adlake.source.kinesis.endpoint-url=https://vpce-1.kinesis.eu-west-1.vpce.amazonaws.com",
                "adlake.source.kinesis.starting-position=latest",
                "adlake.source.kinesis.consumer-type=subscribetoshard",
                "adlake.source.kinesis.consumer-name=adlake-ingest",
                "adlake.source.kinesis.max-fetch-records-per-shard=5000",
                "adlake.source.kinesis.fail-on-data-loss=false",
                "adlake.source.kinesis.options.\"kinesis.describeShardInterval\"=5s",
                "adlake.source.kinesis.options.\"kinesis.failOnDataLoss\"=true")
            .source()
            .kinesis();

    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("kinesis.streamName", "impressions");
    expected.put("kinesis.region", "eu-west-1");
    expected.put("kinesis.kinesisRegion", "eu-west-1");
    expected.put("kinesis.endpointUrl", "https://vpce-1.kinesis.eu-west-1.vpce.amazonaws.com");
    expected.put("kinesis.startingPosition", "LATEST");
    expected.put("kinesis.consumerType", "SubscribeToShard");
    expected.put("kinesis.consumerName", "adlake-ingest-impressions");
    expected.put("kinesis.failOnDataLoss", "true");
    expected.put("kinesis.maxFetchRecordsPerShard", "5000");
    expected.put("kinesis.describeShardInterval", "5s");
    assertEquals(expected, KinesisEventSource.connectorOptions(settings, "impressions", 1));
    assertEquals(
        "adlake-ingest-impressions-2",
        KinesisEventSource.connectorOptions(settings, "impressions", 2).get("kinesis.consumerName"),
        "a second reading of a stream in one application needs its own enhanced fan-out consumer");
  }

  @Test
  void defaultsReadFromTheOldestRecordByPollingTheRegionsEndpoint() {
    KinesisSettings settings = load("adlake.source.kinesis.region=cn-north-1").source().kinesis();
    assertEquals(
        Map.of(
            "kinesis.streamName", "clicks",
            "kinesis.region", "cn-north-1",
            "kinesis.kinesisRegion", "cn-north-1",
            "kinesis.endpointUrl", "https://kinesis.cn-north-1.amazonaws.com.cn",
            "kinesis.startingPosition", "TRIM_HORIZON",
            "kinesis.consumerType", "GetRecords",
            "kinesis.failOnDataLoss", "true"),
        KinesisEventSource.connectorOptions(settings, "clicks", 1));
  }

  @Test
  void invalidKinesisSettingsFailAtStartNamingTheKey() {
    assertConfigError("adlake.source.kinesis.region", "adlake.source.type=kinesis");
    assertConfigError("adlake.source.kinesis.region", "adlake.source.kinesis.region=Europe");
    assertConfigError(
        "adlake.source.kinesis.consumer-name",
        "adlake.source.kinesis.region=us-east-1",
        "adlake.source.kinesis.consumer-type=SubscribeToShard");
    assertConfigError(
        "adlake.source.kinesis.consumer-type", "adlake.source.kinesis.consumer-type=KCL");
    assertConfigError(
        "adlake.source.kinesis.starting-position", "adlake.source.kinesis.starting-position=EARLY");
    assertConfigError(
        "adlake.source.kinesis.endpoint-url", "adlake.source.kinesis.endpoint-url=127.0.0.1:4567");
    assertConfigError(
        "adlake.source.kinesis.put-max-attempts", "adlake.source.kinesis.put-max-attempts=0");
    assertConfigError(
        "adlake.source.kinesis.max-fetch-records", "adlake.source.kinesis.max-fetch-records=10");
    assertConfigError(
        "adlake.streams.clicks",
        "adlake.source.type=kinesis",
        "adlake.source.kinesis.region=us-east-1",
        "adlake.streams.clicks=" + "c".repeat(129));
    assertConfigError(
        "adlake.attribution.kinesis-sink.region", "adlake.attribution.kinesis-sink.enabled=true");
  }

  @Test
  void theAttributedStreamSinkConnectsLikeTheSourceUnlessItNamesItsOwn() {
    AdlakeConfig inherited =
        load(
            "adlake.source.kinesis.region=us-east-1",
            "adlake.source.kinesis.endpoint-url=http://127.0.0.1:4567",
            "adlake.source.kinesis.cbor-enabled=false",
            "adlake.attribution.kinesis-sink.enabled=true");
    assertEquals(
        inherited.source().kinesis().connection(),
        inherited.attribution().kinesisSink().connection());
    assertEquals("ad-attributed", inherited.attribution().kinesisSink().stream());
    AdlakeConfig own =
        load(
            "adlake.source.kinesis.region=us-east-1",
            "adlake.attribution.kinesis-sink.region=eu-central-1",
            "adlake.attribution.kinesis-sink.stream=attributed");
    assertEquals("eu-central-1", own.attribution().kinesisSink().connection().region());
    assertEquals(
        "https://kinesis.eu-central-1.amazonaws.com",
        own.attribution().kinesisSink().connection().endpoint());
    assertFalse(own.attribution().kinesisSink().enabled());
  }

  @Test
  void withoutTheConnectorTheSourceFailsAtStartSayingWhereToGetIt() {
    AdlakeConfig config =
        TestServices.config(
            "kinesis_missing",
            "adlake.source.type=kinesis",
            "adlake.source.kinesis.region=us-east-1");
    EventSource source = EventSource.from(config);
    IllegalStateException atPreflight =
        assertThrows(
            IllegalStateException.class,
            () -> source.requireStreams(List.of(EventType.IMPRESSION)));
    IllegalStateException atRead =
        assertThrows(
            IllegalStateException.class,
            () -> source.readStream(TestServices.spark(), EventType.IMPRESSION));
    for (IllegalStateException e : List.of(atPreflight, atRead)) {
      String message = e.getMessage();
      assertTrue(
          message.contains("'aws-kinesis'")
              && message.contains("not on Maven Central")
              && message.contains("/usr/share/aws/kinesis/spark-sql-kinesis/lib/")
              && message.contains("--extra-jars")
              && message.contains("adlake.source.type"),
          message);
    }
  }

  @Test
  void theFormatLookupFindsDataSourcesThatAreOnTheClasspath() {
    assertTrue(
        KinesisEventSource.isFormatAvailable("kafka"), "spark-sql-kafka is on the test classpath");
    assertFalse(KinesisEventSource.isFormatAvailable(KinesisEventSource.FORMAT));
  }

  @Test
  void connectorRowsBecomeRawRecordsWithTheSequenceNumberKeptWhole() throws Exception {
    SparkSession spark = TestServices.spark();
    String sequence = "49590338271490256608559692538361571095921575989136588898";
    Timestamp arrival = Timestamp.valueOf("2026-11-21 09:00:13.137");
    Dataset<Row> connectorRows =
        spark.createDataFrame(
            List.of(
                RowFactory.create(
                    "{\"id\":1}".getBytes(StandardCharsets.UTF_8),
                    "bid-requests",
                    "req-1",
                    sequence,
                    arrival)),
            CONNECTOR_SCHEMA);

    Dataset<Row> raw = KinesisEventSource.rawRecords(connectorRows);

    assertEquals(
        List.of(
            RawRecord.RAW,
            RawRecord.SOURCE,
            RawRecord.PARTITION,
            RawRecord.OFFSET,
            RawRecord.RECEIVED_AT),
        List.of(raw.columns()));
    assertEquals(
        List.of("binary", "string", "int", "bigint", "timestamp"),
        Stream.of(raw.schema().fields()).map(f -> f.dataType().simpleString()).toList(),
        "the same column types as the Kafka and files sources");
    Row row = raw.first();
    assertArrayEquals("{\"id\":1}".getBytes(StandardCharsets.UTF_8), (byte[]) row.get(0));
    assertEquals("bid-requests/" + sequence, row.getString(1));
    assertEquals(
        hashKey("req-1").shiftRight(KinesisEventSource.HASH_KEY_SHIFT).intValueExact(),
        row.getInt(2));
    assertTrue(row.getInt(2) >= 0);
    assertNull(row.get(3));
    assertEquals(arrival, row.getTimestamp(4));
  }

  /**
   * What quarantine keeps of a Kinesis record (record_source, source_partition) finds it again: the
   * shard from the hash key prefix and ListShards, the record from the sequence number with
   * GetShardIterator.
   */
  @Test
  void sourceAndPartitionOfARecordLeadBackToItInItsShard() throws Exception {
    AdlakeConfig config = TestServices.config("kinesis_pointer", kinesis().overrides());
    String stream = config.streams().impressions();
    List<Received> written;
    try (KinesisClient client = KinesisStreams.connect(config.source().kinesis().connection())) {
      KinesisStreams.ensure(client, config.source().kinesis().connection(), List.of(stream), 4);
      try (KinesisRecordWriter writer =
          new KinesisRecordWriter(
              KinesisStreams.connect(config.source().kinesis().connection()),
              config.source().kinesis().putRetry())) {
        for (int i = 0; i < 40; i++) {
          writer.put(stream, "imp-" + i, ("not json " + i).getBytes(StandardCharsets.UTF_8));
        }
        writer.flush();
      }
      written = Kinesalite.readAll(client, stream);
      assertEquals(40, written.size());
      assertTrue(
          written.stream().map(Received::shardId).distinct().count() > 1,
          "records spread over shards");

      List<Row> asTheConnectorGivesThem = new ArrayList<>();
      for (Received r : written) {
        asTheConnectorGivesThem.add(
            RowFactory.create(
                r.data(),
                stream,
                r.partitionKey(),
                r.sequenceNumber(),
                Timestamp.from(r.arrival())));
      }
      List<Row> raw =
          KinesisEventSource.rawRecords(
                  TestServices.spark().createDataFrame(asTheConnectorGivesThem, CONNECTOR_SCHEMA))
              .collectAsList();
      List<Shard> shards = client.listShards(b -> b.streamName(stream)).shards();

      for (int i = 0; i < raw.size(); i++) {
        Row row = raw.get(i);
        String source = row.getString(1);
        String sequence = source.substring(source.indexOf('/') + 1);
        BigInteger lowestHashKey =
            BigInteger.valueOf(row.getInt(2)).shiftLeft(KinesisEventSource.HASH_KEY_SHIFT);
        Shard shard =
            shards.stream()
                .filter(
                    s ->
                        new BigInteger(s.hashKeyRange().startingHashKey()).compareTo(lowestHashKey)
                                <= 0
                            && new BigInteger(s.hashKeyRange().endingHashKey())
                                    .compareTo(lowestHashKey)
                                >= 0)
                .findFirst()
                .orElseThrow();
        assertEquals(stream, source.substring(0, source.indexOf('/')));
        assertEquals(
            written.get(i).shardId(), shard.shardId(), "source_partition locates the shard");
        String iterator =
            client
                .getShardIterator(
                    b ->
                        b.streamName(stream)
                            .shardId(shard.shardId())
                            .shardIteratorType(ShardIteratorType.AT_SEQUENCE_NUMBER)
                            .startingSequenceNumber(sequence))
                .shardIterator();
        byte[] found =
            client
                .getRecords(b -> b.shardIterator(iterator).limit(1))
                .records()
                .get(0)
                .data()
                .asByteArray();
        assertArrayEquals((byte[]) row.get(0), found, "the sequence number finds the very record");
      }
    }
  }

  @Test
  void aMissingStreamIsNamedBeforeTheQueryStarts() {
    AdlakeConfig config = TestServices.config("kinesis_preflight", kinesis().overrides());
    KinesisEventSource source =
        new KinesisEventSource(config.source().kinesis(), config.streams(), format -> true);
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> source.requireStreams(List.of(EventType.CLICK)));
    assertTrue(
        e.getMessage().contains(config.streams().clicks())
            && e.getMessage().contains("adlake.streams.*")
            && e.getMessage().contains(kinesis().endpoint()),
        e.getMessage());
  }

  private static BigInteger hashKey(String partitionKey) throws Exception {
    return new BigInteger(
        1, MessageDigest.getInstance("MD5").digest(partitionKey.getBytes(StandardCharsets.UTF_8)));
  }

  private static AdlakeConfig load(String... overrides) {
    return ConfigLoader.load("local", List.of(overrides));
  }

  private static void assertConfigError(String key, String... overrides) {
    ConfigurationException e = assertThrows(ConfigurationException.class, () -> load(overrides));
    assertTrue(e.getMessage().contains(key), key + " not named in: " + e.getMessage());
  }
}
