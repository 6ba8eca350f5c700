package io.adlake.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.adlake.Kinesalite;
import io.adlake.Kinesalite.Received;
import io.adlake.config.AdlakeConfig;
import io.adlake.config.ConfigLoader;
import io.adlake.event.EventSink;
import io.adlake.event.EventType;
import io.adlake.event.FunnelGenerator;
import io.adlake.event.FunnelGenerator.Run;
import io.adlake.source.KinesisStreams;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * {@code generate --to kinesis} against a real Kinesis-compatible server (kinesalite), read back
 * with GetRecords.
 */
class GenerateToKinesisTest {
  private static final long EVENTS = 4000;
  private static final String SEED = "7";
  private static final String START = "2026-11-21T09:00:00Z";
  private static Kinesalite kinesis;

  @BeforeAll
  static void server() {
    kinesis = Kinesalite.start(50);
  }

  @AfterAll
  static void stop() {
    if (kinesis != null) {
      kinesis.close();
    }
  }

  @Test
  void theFourStreamsHoldExactlyTheGeneratorsRecordsByteForByte() throws Exception {
    List<String> conf = new ArrayList<>(List.of(kinesis.overrides()));
    for (EventType type : EventType.values()) {
      String key = type.name().toLowerCase(Locale.ROOT).replace('_', '-') + "s";
      conf.add("adlake.streams." + key + "=generated." + key);
    }
    List<String> argv =
        new ArrayList<>(
            List.of(
                "generate",
                "--to",
                "kinesis",
                "--count",
                Long.toString(EVENTS),
                "--seed",
                SEED,
                "--start",
                START,
                "--partitions",
                "3",
                "--env",
                "local"));
    conf.forEach(c -> argv.addAll(List.of("--conf", c)));

    assertEquals(0, Main.execute(argv.toArray(String[]::new)));

    List<String> seeded = new ArrayList<>(conf);
    seeded.add("adlake.generator.seed=" + SEED);
    AdlakeConfig config = ConfigLoader.load("local", seeded);
    Map<EventType, List<String>> expected = whatTheGeneratorSends(config);
    long total = 0;
    try (KinesisClient client = KinesisStreams.connect(config.source().kinesis().connection())) {
      for (EventType type : EventType.values()) {
        String stream = type.streamName(config.streams());
        List<Received> received = Kinesalite.readAll(client, stream);
        assertEquals(
            3,
            client.listShards(r -> r.streamName(stream)).shards().size(),
            "created with --partitions");
        assertEquals(expected.get(type).size(), received.size(), "records in " + stream);
        assertEquals(
            expected.get(type),
            keyedRecords(received),
            "partition key and bytes of every record in " + stream);
        total += received.size();
      }
    }
    assertTrue(
        total >= EVENTS, "the run wrote its " + EVENTS + " events (plus re-sends): " + total);
  }

  /**
   * The same seed and start, generated into memory: "key base64(bytes)" per record, sorted, per
   * stream.
   */
  private static Map<EventType, List<String>> whatTheGeneratorSends(AdlakeConfig config)
      throws Exception {
    Map<EventType, List<String>> sent = new EnumMap<>(EventType.class);
    for (EventType type : EventType.values()) {
      sent.put(type, new ArrayList<>());
    }
    EventSink memory =
        new EventSink() {
          @Override
          public void send(EventType type, String key, byte[] value) {
            sent.get(type).add(key + " " + Base64.getEncoder().encodeToString(value));
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    new FunnelGenerator(config)
        .generate(
            Run.count(EVENTS, config.generator().eventRate(), Instant.parse(START)),
            memory,
            s -> {});
    sent.values().forEach(list -> list.sort(null));
    return sent;
  }

  private static List<String> keyedRecords(List<Received> received) {
    return received.stream()
        .map(r -> r.partitionKey() + " " + Base64.getEncoder().encodeToString(r.data()))
        .sorted()
        .toList();
  }
}
