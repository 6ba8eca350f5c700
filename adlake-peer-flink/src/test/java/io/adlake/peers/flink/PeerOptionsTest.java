package io.adlake.peers.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PeerOptionsTest {
  private static final List<String> REQUIRED =
      List.of(
          "--bootstrap-servers", "127.0.0.1:9092",
          "--warehouse", "/tmp/lake/warehouse",
          "--namespace", "adlake",
          "--impressions-topic", "impressions",
          "--clicks-topic", "clicks",
          "--interval-ms", "5000",
          "--work-dir", "/tmp/lake/flink");

  @Test
  void requiredOptionsAloneTakeTheDefaults() {
    PeerOptions options = PeerOptions.parse(REQUIRED.toArray(String[]::new));
    assertEquals("127.0.0.1:9092", options.bootstrapServers());
    assertEquals(Path.of("/tmp/lake/warehouse"), options.warehouse());
    assertEquals(Duration.ofSeconds(5), options.checkpointInterval());
    assertEquals(2, options.parallelism());
    assertEquals("adlake-peer-flink", options.groupId());
    assertEquals(Duration.ofMinutes(2), options.watermarkDelay());
    assertEquals("file:///tmp/lake/warehouse", options.warehouseUri());
    assertEquals("file:///tmp/lake/flink/checkpoints", options.checkpointUri());
  }

  @Test
  void optionalOptionsOverrideTheDefaults() {
    PeerOptions options =
        PeerOptions.parse(
            with("--parallelism", "1", "--group-id", "bench-7", "--watermark-delay-ms", "30000"));
    assertEquals(1, options.parallelism());
    assertEquals("bench-7", options.groupId());
    assertEquals(Duration.ofSeconds(30), options.watermarkDelay());
  }

  @Test
  void missingOptionsAreNamedWithTheUsage() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> PeerOptions.parse("--namespace", "adlake", "--interval-ms", "1000"));
    assertTrue(e.getMessage().startsWith("missing option(s) --bootstrap-servers, --warehouse"));
    assertTrue(e.getMessage().contains("usage: FlinkAttributionPeer"));
  }

  @Test
  void badValuesAreRejectedNamingTheOption() {
    assertMessage("--warehouse must be an absolute path", with("--warehouse", "warehouse"));
    assertMessage("--namespace must be a plain identifier", with("--namespace", "ad-lake"));
    assertMessage("--impressions-topic must be", with("--impressions-topic", "imp'ressions"));
    assertMessage("--interval-ms must be a whole number", with("--interval-ms", "5s"));
    assertMessage("--bootstrap-servers must be HOST:PORT", with("--bootstrap-servers", "broker"));
    assertMessage("unknown option '--topic'", with("--topic", "x"));
  }

  private static void assertMessage(String start, String[] args) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> PeerOptions.parse(args));
    assertTrue(e.getMessage().startsWith(start), e.getMessage());
  }

  /** The required options with some replaced or added. */
  private static String[] with(String... pairs) {
    List<String> args = new ArrayList<>(REQUIRED);
    for (int i = 0; i < pairs.length; i += 2) {
      int at = args.indexOf(pairs[i]);
      if (at >= 0) {
        args.set(at + 1, pairs[i + 1]);
      } else {
        args.add(pairs[i]);
        args.add(pairs[i + 1]);
      }
    }
    return args.toArray(String[]::new);
  }
}
