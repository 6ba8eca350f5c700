package io.adlake.lake;

import io.adlake.config.AdlakeConfig.CatalogSettings;
import io.adlake.config.AdlakeConfig.CatalogType;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Fails fast, naming the setting to fix, when the catalog's server cannot be reached. Without it a
 * REST catalog that is down shows up at the first table operation as Iceberg's "Error occurred
 * while processing GET request", which names neither the address nor the setting.
 */
public final class CatalogPreflight {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private CatalogPreflight() {}

  /**
   * Checks that a REST catalog answers at {@code adlake.catalog.uri}; other catalog types need no
   * server.
   */
  public static void requireReachable(CatalogSettings catalog) {
    if (catalog.type() != CatalogType.REST) {
      return;
    }
    String uri = catalog.uri().orElseThrow();
    URI config = URI.create(uri.replaceAll("/+$", "") + "/v1/config");
    HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    int status;
    try {
      // Any answer will do: an authenticating server rejects this anonymous request, and Iceberg's
      // client then
      // reports its own, precise error.
      status =
          client
              .send(
                  HttpRequest.newBuilder(config).timeout(TIMEOUT).GET().build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode();
    } catch (IOException e) {
      throw new IllegalStateException(
          "Iceberg REST catalog at "
              + uri
              + " is not reachable ("
              + e
              + "). Is the catalog server running, and is adlake.catalog.uri right?",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while checking the REST catalog at " + uri, e);
    }
    if (status == 404) {
      throw new IllegalStateException(
          "Iceberg REST catalog at "
              + uri
              + " answers 404 for "
              + config
              + ": not an Iceberg REST endpoint. Fix adlake.catalog.uri (include the catalog's path prefix, if any)");
    }
  }
}
