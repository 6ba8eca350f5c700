package io.adlake.source;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.adlake.TestServices;
import io.adlake.config.AdlakeConfig;
import io.adlake.event.EventType;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A source that cannot be read fails before the query starts, naming what to fix. */
class SourcePreflightTest {
  @Test
  void unreachableBrokerIsNamedWithTheSettingToFix() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    AdlakeConfig config =
        TestServices.config(
            "unreachable", "adlake.source.kafka.bootstrap-servers=127.0.0.1:" + closedPort);
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> EventSource.from(config).requireStreams(List.of(EventType.IMPRESSION)));
    assertTrue(
        e.getMessage().contains("127.0.0.1:" + closedPort)
            && e.getMessage().contains("adlake.source.kafka.bootstrap-servers"),
        e.getMessage());
  }

  @Test
  void missingTopicIsNamed() {
    TestServices.broker();
    AdlakeConfig config = TestServices.config("missing_topic");
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> EventSource.from(config).requireStreams(List.of(EventType.CLICK)));
    assertTrue(e.getMessage().contains(config.streams().clicks()), e.getMessage());
  }

  @Test
  void missingFilesDirectoryIsNamed() {
    AdlakeConfig config = TestServices.config("no_files", "adlake.source.type=files");
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> EventSource.from(config).requireStreams(List.of(EventType.IMPRESSION)));
    assertTrue(e.getMessage().contains("adlake.source.files.path"), e.getMessage());
  }
}
