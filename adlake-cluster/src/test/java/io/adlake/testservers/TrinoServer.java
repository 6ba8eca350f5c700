package io.adlake.testservers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A single-node Trino server for tests: the {@code io.trino:trino-server} tarball that the build
 * unpacked into {@code target/test-servers} (only its iceberg plugin kept), started with its own
 * launcher in a child process on 127.0.0.1, coordinator and worker in one, with one catalog {@value
 * #CATALOG} of the Iceberg connector. Trino 476 needs a newer Java than the build's: {@link
 * #javaHome} finds one under {@code /usr/lib/jvm}.
 */
public final class TrinoServer implements AutoCloseable {
  public static final String CATALOG = "iceberg";

  /** What Trino 476's own start-up check demands (io.trino.server.TrinoSystemRequirements). */
  static final Runtime.Version MINIMUM_JAVA = Runtime.Version.parse("24.0.1");

  private static final Path JVM_DIRECTORY = Path.of("/usr/lib/jvm");
  private static final Pattern READY = Pattern.compile("======== SERVER STARTED ========");

  /** Start-up takes ~30 s on two quiet cores; a loaded machine needs more. */
  private static final Duration START_TIMEOUT = Duration.ofMinutes(4);

  /**
   * After SERVER STARTED, queries fail with "No nodes available" until the node has announced
   * itself.
   */
  private static final Duration NODES_TIMEOUT = Duration.ofMinutes(2);

  private final ChildServer server;
  private final int port;

  private TrinoServer(ChildServer server, int port) {
    this.server = server;
    this.port = port;
  }

  /**
   * Starts Trino with {@code catalogProperties} (besides {@code connector.name=iceberg}) as catalog
   * {@value #CATALOG}, its configuration and data under {@code directory}, and waits until it runs
   * queries.
   */
  public static TrinoServer start(Path directory, Map<String, String> catalogProperties)
      throws IOException {
    Path installation = ChildServer.built("adlake.test-servers.trino");
    Path javaHome = javaHome();
    int port = freePort();
    Path etc = Files.createDirectories(directory.resolve("etc"));
    Path catalogs = Files.createDirectories(etc.resolve("catalog"));
    Path data = Files.createDirectories(directory.resolve("data"));

    Map<String, String> node = new LinkedHashMap<>();
    node.put("node.environment", "adlake_test");
    node.put("node.id", "adlake-test-" + port);
    node.put("node.data-dir", data.toString());
    write(etc.resolve("node.properties"), node);

    Map<String, String> config = new LinkedHashMap<>();
    config.put("coordinator", "true");
    config.put("node-scheduler.include-coordinator", "true");
    config.put("http-server.http.port", Integer.toString(port));
    config.put("discovery.uri", "http://127.0.0.1:" + port);
    config.put("node.bind-ip", "127.0.0.1");
    config.put("node.internal-address", "127.0.0.1");
    // Two cores, shared with Spark in the test JVM.
    config.put("task.concurrency", "2");
    config.put("catalog.config-dir", catalogs.toString());
    config.put("plugin.dir", installation.resolve("plugin").toString());
    write(etc.resolve("config.properties"), config);

    // The launcher's whole JVM configuration: heap only. Trino's recommended flags tune a
    // production node.
    Files.writeString(etc.resolve("jvm.config"), "-Xmx1G\n");

    Map<String, String> catalog = new LinkedHashMap<>();
    catalog.put("connector.name", "iceberg");
    catalog.putAll(catalogProperties);
    write(catalogs.resolve(CATALOG + ".properties"), catalog);

    List<String> command =
        List.of(
            installation.resolve("bin").resolve("launcher").toString(),
            "run",
            "--etc-dir=" + etc,
            "--data-dir=" + data);
    TrinoServer trino =
        new TrinoServer(
            ChildServer.start(
                "trino", command, Map.of("JAVA_HOME", javaHome.toString()), READY, START_TIMEOUT),
            port);
    try {
      trino.awaitNodes();
    } catch (RuntimeException e) {
      trino.close();
      throw e;
    }
    return trino;
  }

  public String jdbcUrl() {
    return "jdbc:trino://127.0.0.1:" + port + "/" + CATALOG;
  }

  public Connection connect() throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", "adlake-test");
    return DriverManager.getConnection(jdbcUrl(), p);
  }

  /**
   * Polls until a query runs: the first ones fail with "No nodes available" while the node
   * announces itself.
   */
  private void awaitNodes() {
    long deadline = System.nanoTime() + NODES_TIMEOUT.toNanos();
    while (true) {
      try (Connection connection = connect();
          Statement statement = connection.createStatement();
          ResultSet rows =
              statement.executeQuery(
                  "SELECT count(*) FROM system.runtime.nodes WHERE state = 'active'")) {
        if (rows.next() && rows.getLong(1) > 0) {
          return;
        }
      } catch (SQLException e) {
        if (!String.valueOf(e.getMessage()).contains("No nodes available")
            || System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "Trino at "
                  + jdbcUrl()
                  + " started but does not run queries: "
                  + e.getMessage()
                  + "; its log: "
                  + server,
              e);
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "Trino at "
                + jdbcUrl()
                + " has no active node after "
                + NODES_TIMEOUT.toSeconds()
                + " s (discovery.uri and node.internal-address must be 127.0.0.1); its log: "
                + server);
      }
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while waiting for Trino's node", e);
      }
    }
  }

  /**
   * The newest Java home under {@code /usr/lib/jvm} that Trino accepts, or {@code TRINO_JAVA_HOME}
   * if set. Fails, naming what to install, when there is none: the interoperability test must not
   * pass by skipping.
   */
  public static Path javaHome() {
    return javaHome(System.getenv("TRINO_JAVA_HOME"), JVM_DIRECTORY);
  }

  static Path javaHome(String configured, Path jvmDirectory) {
    if (configured != null && !configured.isBlank()) {
      Path home = Path.of(configured);
      Optional<Runtime.Version> version = javaVersion(home);
      if (version.isEmpty() || version.get().compareTo(MINIMUM_JAVA) < 0) {
        throw new IllegalStateException(
            "TRINO_JAVA_HOME="
                + configured
                + " is Java "
                + version.map(Object::toString).orElse("? (no release file)")
                + "; Trino 476 needs Java "
                + MINIMUM_JAVA
                + " or newer");
      }
      return home;
    }
    List<String> seen = new ArrayList<>();
    Optional<Path> best = Optional.empty();
    Optional<Runtime.Version> bestVersion = Optional.empty();
    if (Files.isDirectory(jvmDirectory)) {
      try (Stream<Path> homes = Files.list(jvmDirectory)) {
        for (Path home : homes.sorted().toList()) {
          Optional<Runtime.Version> version = javaVersion(home);
          if (version.isEmpty() || !Files.isExecutable(home.resolve("bin").resolve("java"))) {
            continue;
          }
          seen.add(home.getFileName() + " (" + version.get() + ")");
          if (version.get().compareTo(MINIMUM_JAVA) >= 0
              && bestVersion.map(b -> version.get().compareTo(b) > 0).orElse(true)) {
            best = Optional.of(home);
            bestVersion = version;
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return best.orElseThrow(
        () ->
            new IllegalStateException(
                "Trino 476 needs Java "
                    + MINIMUM_JAVA
                    + " or newer to run, and "
                    + jvmDirectory
                    + " has none (found: "
                    + (seen.isEmpty() ? "nothing" : seen)
                    + "). Install a JDK 24 or newer there (e.g. `apt-get install temurin-25-jdk` from the Adoptium repository), "
                    + "or point TRINO_JAVA_HOME at one."));
  }

  /** JAVA_VERSION of a Java home's {@code release} file. */
  static Optional<Runtime.Version> javaVersion(Path home) {
    Path release = home.resolve("release");
    if (!Files.isRegularFile(release)) {
      return Optional.empty();
    }
    try {
      return Files.readAllLines(release).stream()
          .filter(line -> line.startsWith("JAVA_VERSION="))
          .map(line -> line.substring("JAVA_VERSION=".length()).replace("\"", "").strip())
          .map(TrinoServer::parseVersion)
          .flatMap(Optional::stream)
          .max(Comparator.naturalOrder());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static Optional<Runtime.Version> parseVersion(String text) {
    try {
      return Optional.of(Runtime.Version.parse(text));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void write(Path file, Map<String, String> properties) throws IOException {
    try (Writer out = Files.newBufferedWriter(file)) {
      for (Map.Entry<String, String> e : properties.entrySet()) {
        out.write(e.getKey() + "=" + e.getValue() + "\n");
      }
    }
  }

  @Override
  public void close() {
    server.close();
  }

  @Override
  public String toString() {
    return "Trino at " + jdbcUrl() + ": " + server;
  }
}
