package io.adlake.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.adlake.ClusterModule;
import io.adlake.TestServices;
import io.adlake.config.AdlakeConfig;
import io.adlake.event.EventType;
import io.adlake.event.FunnelGenerator;
import io.adlake.event.FunnelGenerator.Summary;
import io.adlake.event.KafkaEventSink;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The cluster jar under {@code spark-submit}: a child JVM runs Spark's own {@code SparkSubmit} with
 * only what a Spark 3.5 distribution plus the Iceberg runtime put on the classpath; everything else
 * adlake needs (Kafka connector and client, picocli, HOCON, conf files) must come from the shaded
 * jar.
 */
class ShadedJarIT {
  /**
   * Artifacts a Spark distribution does not have: the Kafka broker and the S3 libraries (test only,
   * or the platform's), and what the jar bundles.
   */
  private static final List<String> NOT_IN_A_SPARK_DISTRIBUTION =
      List.of(
          "kafka",
          "spark-sql-kafka",
          "spark-token-provider-kafka",
          "commons-pool2",
          "picocli",
          "config-",
          "zookeeper",
          "argparse4j",
          "jopt-simple",
          "pcollections",
          "metrics-core-2.2.0",
          "scala-logging",
          "jose4j",
          "caffeine",
          "scala-java8-compat",
          "adlake-embedded",
          "iceberg-aws-bundle",
          "hadoop-aws",
          "aws-java-sdk",
          "jmespath-java");

  @Test
  void sparkSubmitRunsAttributionFromTheShadedJar() throws Exception {
    submitAttribution("submit", null);
  }

  /** Glue 5.0 and EMR 7.7-7.9 ship Iceberg 1.7.1: the same jar must run on that runtime too. */
  @Test
  void theShadedJarRunsOnTheOldestSupportedIcebergRuntime() throws Exception {
    Path oldest =
        Path.of(
            System.getProperty(
                "adlake.oldest-iceberg-runtime",
                ClusterModule.path(
                        "target", "it-iceberg", "iceberg-spark-runtime-3.5_2.12-1.7.1.jar")
                    .toString()));
    assertTrue(Files.isRegularFile(oldest), "the pre-integration-test phase copies it: " + oldest);
    submitAttribution("submit_iceberg17", oldest);
  }

  /**
   * @param icebergRuntime replaces the Iceberg runtime of the classpath; null keeps the build's
   */
  private void submitAttribution(String name, Path icebergRuntime) throws Exception {
    Path jar = Path.of(System.getProperty("adlake.jar", "target/adlake-0.1.0.jar"));
    assertTrue(Files.isRegularFile(jar), "run after `mvn package`: " + jar);
    TestServices.broker();
    AdlakeConfig config = TestServices.config(name, "adlake.generator.click-rate=0.3");
    TestServices.broker()
        .createTopics(List.of(config.streams().impressions(), config.streams().clicks()), 2);
    Summary truth;
    try (KafkaEventSink sink =
        new KafkaEventSink(TestServices.broker().bootstrapServers(), config.streams(), Map.of())) {
      truth =
          new FunnelGenerator(config)
              .generate(
                  FunnelGenerator.Run.count(10_000, 2000, Instant.parse("2026-11-21T18:00:00Z"))
                      .onlyStreams(Set.of(EventType.IMPRESSION, EventType.CLICK)),
                  sink,
                  s -> {});
    }

    assertTrue(
        truth.expected().size() > 50,
        "enough clicks inside the window: " + truth.expected().size());

    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx2g");
    command.addAll(
        Arrays.asList(
            Files.readString(ClusterModule.path("target", "launcher", "jvm.options"))
                .trim()
                .split("\\s+")));
    command.addAll(
        List.of(
            "-cp",
            sparkDistributionClasspath(icebergRuntime),
            "org.apache.spark.deploy.SparkSubmit",
            "--master",
            "local[2]",
            "--conf",
            "spark.ui.enabled=false",
            "--conf",
            "spark.driver.host=127.0.0.1",
            "--conf",
            "spark.driver.bindAddress=127.0.0.1",
            "--class",
            "io.adlake.cli.Main",
            jar.toAbsolutePath().toString(),
            "attribute",
            "--env",
            "local",
            "--trigger",
            "available-now"));
    for (String key :
        List.of(
            "adlake.catalog.warehouse",
            "adlake.catalog.namespace",
            "adlake.streaming.checkpoint-root",
            "adlake.streams.impressions",
            "adlake.streams.clicks")) {
      command.addAll(List.of("--conf", key + "=" + valueOf(config, key)));
    }
    command.addAll(
        List.of(
            "--conf",
            "adlake.source.kafka.bootstrap-servers=" + TestServices.broker().bootstrapServers()));

    Path log = Files.createTempFile("spark-submit-", ".log");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    Process process = builder.start();
    boolean finished = process.waitFor(5, TimeUnit.MINUTES);
    if (!finished) {
      process.destroyForcibly();
    }
    String output = Files.readString(log);
    assertTrue(finished, "spark-submit did not finish in 5 minutes:\n" + tail(output));
    assertEquals(0, process.exitValue(), "spark-submit failed:\n" + tail(output));

    long rows =
        TestServices.spark()
            .sql("SELECT count(*) FROM " + config.catalog().qualified(config.attribution().table()))
            .first()
            .getLong(0);
    assertEquals(truth.expected().size(), rows);
  }

  private static String valueOf(AdlakeConfig config, String key) {
    return switch (key) {
      case "adlake.catalog.warehouse" -> config.catalog().warehouse();
      case "adlake.catalog.namespace" -> config.catalog().namespace();
      case "adlake.streaming.checkpoint-root" -> config.streaming().checkpointRoot();
      case "adlake.streams.impressions" -> config.streams().impressions();
      case "adlake.streams.clicks" -> config.streams().clicks();
      default -> throw new IllegalArgumentException(key);
    };
  }

  private static String sparkDistributionClasspath(Path icebergRuntime) throws Exception {
    return Arrays.stream(
            Files.readString(ClusterModule.path("target", "local-classpath.txt"))
                .trim()
                .split(File.pathSeparator))
        .filter(
            entry ->
                NOT_IN_A_SPARK_DISTRIBUTION.stream()
                    .noneMatch(
                        prefix -> Path.of(entry).getFileName().toString().startsWith(prefix)))
        .map(
            entry ->
                icebergRuntime != null
                        && Path.of(entry)
                            .getFileName()
                            .toString()
                            .startsWith("iceberg-spark-runtime")
                    ? icebergRuntime.toAbsolutePath().toString()
                    : entry)
        .collect(Collectors.joining(File.pathSeparator));
  }

  private static String tail(String output) {
    String[] lines = output.split("\n");
    return String.join(
        "\n", Arrays.copyOfRange(lines, Math.max(0, lines.length - 60), lines.length));
  }
}
