package io.adlake.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * A Confluent-compatible schema registry on this machine: Apicurio Registry (in-memory storage) in
 * a child JVM bound to 127.0.0.1 on a free port, for {@code demo --format avro}, {@code bench} and
 * the tests. The build unpacks it into {@code adlake-embedded/target/apicurio} (system property
 * {@value #HOME_PROPERTY} names the directory).
 */
public final class LocalSchemaRegistry implements AutoCloseable {
  public static final String HOME_PROPERTY = "adlake.apicurio.home";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

  private final Process process;
  private final String url;
  private final Path log;

  private LocalSchemaRegistry(Process process, String url, Path log) {
    this.process = process;
    this.url = url;
    this.log = log;
  }

  /** Starts the registry, its output going to {@code log}, and returns once its API answers. */
  public static LocalSchemaRegistry start(Path log) throws IOException {
    Path runner = runnerJar();
    int port = freeLoopbackPort();
    Files.createDirectories(log.toAbsolutePath().getParent());
    Process process =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx512m",
                    "-Dquarkus.http.host=127.0.0.1",
                    "-Dquarkus.http.port=" + port,
                    "-Dquarkus.management.enabled=false",
                    "-jar",
                    runner.toString()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    LocalSchemaRegistry registry =
        new LocalSchemaRegistry(process, "http://127.0.0.1:" + port + "/apis/ccompat/v7", log);
    try {
      registry.awaitReady();
    } catch (RuntimeException e) {
      registry.close();
      throw e;
    }
    return registry;
  }

  /** The Confluent-compatible API's base URL. */
  public String url() {
    return url;
  }

  private void awaitReady() {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest subjects =
        HttpRequest.newBuilder(URI.create(url + "/subjects"))
            .timeout(Duration.ofSeconds(2))
            .build();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "The schema registry (Apicurio) exited with "
                + process.exitValue()
                + " before it answered; see "
                + log);
      }
      try {
        HttpResponse<String> response = client.send(subjects, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          return;
        }
        last = new IllegalStateException("HTTP " + response.statusCode() + ": " + response.body());
      } catch (IOException notYet) {
        last = notYet;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while waiting for the schema registry", e);
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while waiting for the schema registry", e);
      }
    }
    throw new IllegalStateException(
        "The schema registry (Apicurio) did not answer at "
            + url
            + " within "
            + START_TIMEOUT.toSeconds()
            + " s; see "
            + log,
        last);
  }

  private static Path runnerJar() {
    Path home = Path.of(System.getProperty(HOME_PROPERTY, "adlake-embedded/target/apicurio"));
    try (Stream<Path> files = Files.isDirectory(home) ? Files.list(home) : Stream.empty()) {
      return files
          .filter(f -> f.getFileName().toString().endsWith("-runner.jar"))
          .findFirst()
          .orElseThrow(
              () ->
                  new IllegalStateException(
                      "No Apicurio Registry runner jar in "
                          + home.toAbsolutePath()
                          + ": `mvn package` (make build) unpacks it there; or give a registry with --schema-registry URL"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int freeLoopbackPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() {
    ChildProcesses.stop(process, STOP_TIMEOUT);
  }

  @Override
  public String toString() {
    return "schema registry at " + url + " (pid " + process.pid() + ", log " + log + ")";
  }
}
