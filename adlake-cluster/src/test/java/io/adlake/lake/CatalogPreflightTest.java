package io.adlake.lake;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.adlake.TestServices;
import io.adlake.config.AdlakeConfig;
import io.adlake.job.SparkSessions;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A REST catalog that cannot serve fails the job before Spark starts, naming the URI and the
 * setting.
 */
class CatalogPreflightTest {
  @Test
  void nothingListeningAtTheCatalogUriFailsFastNamingTheUriAndTheSetting() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    String uri = "http://127.0.0.1:" + closedPort;
    AdlakeConfig config = restCatalogAt(uri);

    long start = System.nanoTime();
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> SparkSessions.create(config));
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertTrue(
        e.getMessage().contains(uri) && e.getMessage().contains("adlake.catalog.uri"),
        e.getMessage());
    assertTrue(took.toSeconds() < 5, "failed after " + took);
  }

  @Test
  void aServerThatIsNoRestCatalogIsNamedWithTheSettingToFix() throws Exception {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          exchange.sendResponseHeaders(404, -1);
          exchange.close();
        });
    server.start();
    try {
      String uri = "http://127.0.0.1:" + server.getAddress().getPort() + "/api";
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () -> CatalogPreflight.requireReachable(restCatalogAt(uri).catalog()));
      assertTrue(
          e.getMessage().contains(uri + "/v1/config")
              && e.getMessage().contains("adlake.catalog.uri"),
          e.getMessage());
    } finally {
      server.stop(0);
    }
  }

  private static AdlakeConfig restCatalogAt(String uri) {
    return TestServices.config(
        "unreachable_catalog",
        "adlake.catalog.name=unreachable",
        "adlake.catalog.type=rest",
        "adlake.catalog.uri=" + uri);
  }
}
