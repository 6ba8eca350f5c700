package io.adlake.compose;

import static io.adlake.compose.ComposeFile.CONF_IN_CONTAINER;
import static io.adlake.compose.ComposeFile.JAR_IN_CONTAINER;
import static io.adlake.compose.ComposeFile.REST;
import static io.adlake.compose.ComposeFile.SPARK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.adlake.config.AdlakeConfig;
import io.adlake.config.ConfigLoader;
import io.adlake.event.EventSink;
import io.adlake.event.EventType;
import io.adlake.event.FunnelGenerator;
import io.adlake.event.FunnelGenerator.Summary;
import io.adlake.job.SparkSessions;
import io.adlake.lake.AdlakeTables;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.ContainerState;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * The whole container stack, as {@code make up} + {@code make submit} run it: docker-compose.yml
 * under Testcontainers (its own project name, so its own volumes), the shaded jar under the image's
 * spark-submit generating into the stack's Kafka and running every job to completion, then the
 * tables read back with the image's plain spark-sql through the REST catalog and the S3 server,
 * before and after the catalog server restarts, and with the stack's Trino (the counts, and a query
 * of athena/ as {@code make trino} runs it).
 *
 * <p>Needs a Docker engine and the Compose v2 plugin, and the host ports the stack publishes free
 * (stop a {@code make up} stack first). Where no engine answers it is reported as skipped, with the
 * reason.
 */
@EnabledIf(
    value = "dockerEngineAnswers",
    disabledReason =
        "no Docker engine answers on this machine (Testcontainers found none), and the compose "
            + "stack needs one; ComposeStackFileTest checks docker-compose.yml, conf/docker.conf and the Makefile "
            + "without it")
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class ComposeStackIT {
  private static final long EVENTS = 20_000;
  private static final long SEED = 7;
  private static final Instant START = Instant.parse("2026-11-21T18:00:00Z");
  private static final String DOCKER_CONF = CONF_IN_CONTAINER + "/docker.conf";

  private static ComposeContainer stack;

  static boolean dockerEngineAnswers() {
    return DockerClientFactory.instance().isDockerAvailable();
  }

  @BeforeAll
  static void up() {
    Path jar = ComposeFile.STACK_JAR;
    assertTrue(Files.isRegularFile(jar), "run after `mvn package`: " + jar);
    stack =
        new ComposeContainer(new File(ComposeFile.PATH.toString()))
            .waitingFor(SPARK, Wait.forHealthcheck().withStartupTimeout(Duration.ofMinutes(10)))
            .waitingFor(REST, Wait.forHealthcheck())
            .waitingFor(ComposeFile.KAFKA, Wait.forHealthcheck())
            .waitingFor(
                ComposeFile.TRINO, Wait.forHealthcheck().withStartupTimeout(Duration.ofMinutes(5)));
    stack.start();
  }

  @AfterAll
  static void down() {
    if (stack != null) {
      stack.stop();
    }
  }

  @Test
  void generatedEventsLandInIcebergThroughTheRestCatalogAndSurviveACatalogRestart()
      throws Exception {
    AdlakeConfig docker =
        ConfigLoader.load(
            Path.of("conf", "docker.conf").toString(), List.of("adlake.generator.seed=" + SEED));
    Summary sent =
        new FunnelGenerator(docker)
            .generate(
                FunnelGenerator.Run.count(EVENTS, docker.generator().eventRate(), START),
                new DiscardingSink(),
                s -> {});
    ContainerState spark = stack.getContainerByServiceName(SPARK).orElseThrow();

    submit(
        spark,
        "generate",
        "--count",
        Long.toString(EVENTS),
        "--seed",
        Long.toString(SEED),
        "--start",
        START.toString());
    submit(spark, "run", "--trigger", "available-now");

    String expected =
        String.join(
            "\t",
            Long.toString(sent.sent(EventType.IMPRESSION)),
            Long.toString(sent.sent(EventType.CLICK)),
            Long.toString(sent.malformed().values().stream().mapToLong(Long::longValue).sum()),
            Integer.toString(sent.expected().size()));
    String counts =
        "SELECT "
            + String.join(
                ", ",
                count(docker, AdlakeTables.IMPRESSIONS),
                count(docker, AdlakeTables.CLICKS),
                count(docker, AdlakeTables.QUARANTINE),
                count(docker, docker.attribution().table()));
    assertEquals(
        expected,
        sparkSql(spark, docker, counts),
        "impressions, clicks, quarantined records, attributed clicks");
    // The stack's Trino reads the same tables through the same REST catalog and bucket (what make
    // trino uses).
    ContainerState trino = stack.getContainerByServiceName(ComposeFile.TRINO).orElseThrow();
    String trinoCounts =
        counts.replace(
            docker.catalog().name() + "." + docker.catalog().namespace() + ".",
            "iceberg." + docker.catalog().namespace() + ".");
    assertEquals(
        expected,
        trino(trino, "--execute", trinoCounts).replace("\"", ""),
        "the same counts in Trino");
    trino(trino, "--file", "/opt/adlake/athena/funnel/5_full_funnel.sql");

    // The REST fixture keeps its catalog in memory unless told otherwise: the tables must outlive
    // it.
    ContainerState rest = stack.getContainerByServiceName(REST).orElseThrow();
    DockerClientFactory.instance().client().restartContainerCmd(rest.getContainerId()).exec();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (!rest.isHealthy()) {
      assertTrue(
          System.nanoTime() < deadline,
          "rest is not healthy 2 minutes after a restart:\n" + rest.getLogs());
      Thread.sleep(1_000);
    }
    assertEquals(
        expected, sparkSql(spark, docker, counts), "the same rows after the catalog restarted");
  }

  /** What {@code make submit JOB=... ARGS=...} runs. */
  private static void submit(ContainerState spark, String job, String... args) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                "spark-submit",
                "--class",
                "io.adlake.cli.Main",
                JAR_IN_CONTAINER,
                job,
                "--env",
                DOCKER_CONF));
    command.addAll(Arrays.asList(args));
    ExecResult result = spark.execInContainer(command.toArray(String[]::new));
    assertEquals(
        0,
        result.getExitCode(),
        String.join(" ", command)
            + " failed:\n"
            + tail(result.getStdout())
            + "\n"
            + tail(result.getStderr()));
  }

  /**
   * The image's own spark-sql, given only the catalog settings conf/docker.conf derives: no adlake
   * code.
   */
  private static String sparkSql(ContainerState spark, AdlakeConfig docker, String sql)
      throws Exception {
    List<String> command = new ArrayList<>(List.of("spark-sql", "-S"));
    SparkSessions.catalogProperties(docker.catalog())
        .forEach((k, v) -> command.addAll(List.of("--conf", k + "=" + v)));
    command.addAll(List.of("-e", sql));
    ExecResult result = spark.execInContainer(command.toArray(String[]::new));
    assertEquals(0, result.getExitCode(), "spark-sql failed:\n" + tail(result.getStderr()));
    List<String> lines = result.getStdout().lines().filter(l -> !l.isBlank()).toList();
    assertTrue(!lines.isEmpty(), "spark-sql printed nothing:\n" + tail(result.getStderr()));
    return lines.get(lines.size() - 1).trim();
  }

  /** The Trino CLI in the trino container, catalog iceberg, tab-separated: its last line. */
  private static String trino(ContainerState trino, String... args) throws Exception {
    List<String> command =
        new ArrayList<>(List.of("trino", "--catalog", "iceberg", "--output-format", "TSV"));
    command.addAll(Arrays.asList(args));
    ExecResult result = trino.execInContainer(command.toArray(String[]::new));
    assertEquals(
        0,
        result.getExitCode(),
        String.join(" ", command) + " failed:\n" + tail(result.getStderr()));
    List<String> lines = result.getStdout().lines().filter(l -> !l.isBlank()).toList();
    assertTrue(!lines.isEmpty(), "trino printed nothing:\n" + tail(result.getStderr()));
    return lines.get(lines.size() - 1).trim();
  }

  private static String count(AdlakeConfig config, String table) {
    return "(SELECT count(*) FROM " + config.catalog().qualified(table) + ")";
  }

  private static String tail(String output) {
    String[] lines = output.split("\n");
    return String.join(
        "\n", Arrays.copyOfRange(lines, Math.max(0, lines.length - 60), lines.length));
  }

  /**
   * The in-JVM generator only counts: the events themselves go to the stack's Kafka from the
   * container.
   */
  private static final class DiscardingSink implements EventSink {
    @Override
    public void send(EventType type, String key, byte[] value) {}

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }
}
