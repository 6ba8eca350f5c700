package io.adlake.peers.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PeerArgumentsTest {

  private static final String TOPICS =
      "bid_requests=bid-requests,bid_responses=bid-responses,impressions=impressions,clicks=clicks";

  private static String[] args(String... extra) {
    List<String> all =
        new java.util.ArrayList<>(
            List.of(
                "--bootstrap-servers", "127.0.0.1:9092",
                "--warehouse", "/tmp/wh",
                "--namespace", "peer_connect",
                "--topics", TOPICS,
                "--interval-ms", "5000",
                "--work-dir", "/tmp/work"));
    all.addAll(List.of(extra));
    return all.toArray(String[]::new);
  }

  @Test
  void fullCommandLineIsReadWithOneTaskByDefault() {
    PeerArguments a = PeerArguments.parse(args());
    assertEquals("127.0.0.1:9092", a.bootstrapServers());
    assertEquals(Path.of("/tmp/wh"), a.warehouse());
    assertEquals("peer_connect", a.namespace());
    assertEquals(List.of("bid-requests", "bid-responses", "impressions", "clicks"), a.topics());
    assertEquals(5000, a.intervalMs());
    assertEquals(Path.of("/tmp/work"), a.workDir());
    assertEquals(1, a.tasks());
    assertEquals(2, PeerArguments.parse(args("--tasks", "2")).tasks());
  }

  @Test
  void badArgumentsFailWithAMessageNamingThem() {
    assertMessage("--warehouse must be an absolute path, got 'rel'", replace("--warehouse", "rel"));
    assertMessage("--tasks must be at least 1, got 0", args("--tasks", "0"));
    assertMessage("--interval-ms must be a whole number, got '5s'", replace("--interval-ms", "5s"));
    assertMessage("unknown argument '--task'", args("--task", "2"));
    assertMessage("--work-dir needs a value", args("--work-dir"));
    assertMessage(
        "--topics must map exactly the tables [bid_requests, bid_responses, impressions, clicks],"
            + " got [bid_requests, clicks]",
        replace("--topics", "bid_requests=a,clicks=b"));
    assertMessage(
        "--namespace must be a lower-case identifier ([a-z_][a-z0-9_]*), got 'Peer-1'",
        replace("--namespace", "Peer-1"));
  }

  @Test
  void eachTableNeedsATopicOfItsOwn() {
    assertMessage(
        "--topics: each table needs a topic of its own,"
            + " got {bid_requests=t, bid_responses=t, impressions=i, clicks=c}",
        replace("--topics", "bid_requests=t,bid_responses=t,impressions=i,clicks=c"));
  }

  private static String[] replace(String option, String value) {
    String[] a = args();
    for (int i = 0; i < a.length; i++) {
      if (a[i].equals(option)) {
        a[i + 1] = value;
      }
    }
    return a;
  }

  private static void assertMessage(String expected, String[] argv) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> PeerArguments.parse(argv));
    assertEquals(expected, e.getMessage());
  }
}
