package io.adlake.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded cluster jar of this module's Spark line, run the way a cluster runs it: Spark's own {@code
 * SparkSubmit} in child JVMs whose classpath holds only what a Spark distribution of that exact version and its
 * Iceberg runtime hold, against a Kafka broker in a child JVM of its own. {@code generate} → {@code run} (ingest,
 * attribution, aggregate) → {@code report --sql}: the attributed rows equal the generator's ground truth, the
 * metrics tables equal their aggregation recomputed in batch SQL over bronze, and every record read is accounted
 * for. Everything else adlake needs (Kafka connector and client, picocli, HOCON, conf files) must come from the jar.
 *
 * <p>The same class runs in each Spark line's module (adlake-cluster, adlake-cluster-spark4.0,
 * adlake-cluster-spark3.5); it uses nothing but the JDK, JUnit and Jackson, so no Spark of its own.
 */
class ShadedJarIT {
  private static final Path JAR = Path.of(property("adlake.jar"));
  /** Events generated; a slow event clock spreads them over hours, so the metrics have many windows. */
  private static final int EVENTS = 6_000;

  private static final int HANG_LIMIT_MINUTES = 12;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static Process broker;
  private static String bootstrapServers;

  @TempDir static Path work;

  @BeforeAll
  static void startBroker() throws Exception {
    assertTrue(Files.isRegularFile(JAR), "run after `mvn package`: " + JAR);
    Path home = Path.of(property("adlake.it.broker"));
    String classpath =
        home.resolve("classes")
            + File.pathSeparator
            + Files.readString(home.resolve("broker-classpath.txt")).trim();
    broker =
        new ProcessBuilder(
                javaCommand(),
                "-Xmx512m",
                "-cp",
                classpath,
                "io.adlake.embedded.EmbeddedKafkaBroker",
                work.resolve("broker").toString())
            .redirectErrorStream(true)
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(broker.getInputStream(), StandardCharsets.UTF_8));
    List<String> seen = new ArrayList<>();
    for (String line = out.readLine(); line != null; line = out.readLine()) {
      if (line.startsWith("READY ")) {
        bootstrapServers = line.substring("READY ".length()).trim();
        break;
      }
      seen.add(line);
    }
    assertTrue(bootstrapServers != null, "the broker did not start:\n" + String.join("\n", seen));
    // Keep draining its output, so a chatty broker never blocks on a full pipe.
    Thread drain =
        new Thread(
            () -> {
              try {
                while (out.readLine() != null) {
                  // discard
                }
              } catch (IOException ignored) {
                // the broker ended
              }
            },
            "broker-output");
    drain.setDaemon(true);
    drain.start();
  }

  @AfterAll
  static void stopBroker() throws InterruptedException {
    if (broker != null) {
      broker.destroy();
      if (!broker.waitFor(30, TimeUnit.SECONDS)) {
        broker.destroyForcibly();
      }
    }
  }

  /** A jar of one line only: its own Kafka connector, and no Spark, Scala or Iceberg classes of any line. */
  @Test
  void theJarHoldsOnlyItsLinesConnectorAndNoSparkScalaOrIcebergClasses() throws IOException {
    String scala = property("adlake.it.scala-binary");
    Set<String> foreign = new TreeSet<>();
    Map<String, String> sparkArtifacts = new TreeMap<>();
    try (JarFile jar = new JarFile(JAR.toFile())) {
      for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
        String name = entries.nextElement().getName();
        boolean kafkaConnector =
            name.startsWith("org/apache/spark/sql/kafka010/")
                || name.startsWith("org/apache/spark/kafka010/");
        if (name.endsWith(".class")
            && (name.startsWith("scala/")
                || name.startsWith("org/apache/iceberg/")
                || (name.startsWith("org/apache/spark/") && !kafkaConnector))) {
          foreign.add(name.substring(0, name.lastIndexOf('/')));
        }
        if (name.startsWith("META-INF/maven/org.apache.spark/") && name.endsWith("pom.properties")) {
          Properties pom = new Properties();
          pom.load(jar.getInputStream(jar.getEntry(name)));
          sparkArtifacts.put(pom.getProperty("artifactId"), pom.getProperty("version"));
        }
      }
    }
    assertEquals(Set.of(), foreign, "packages that belong to the platform, not to " + JAR);
    assertEquals(
        Set.of("spark-sql-kafka-0-10_" + scala, "spark-token-provider-kafka-0-10_" + scala),
        sparkArtifacts.keySet(),
        "the bundled Spark artifacts: the Kafka connector of this line's Scala " + scala + " only");
    assertEquals(
        property("adlake.it.spark-kafka-version"),
        sparkArtifacts.get("spark-sql-kafka-0-10_" + scala),
        "the connector of this line");
  }

  /** With the line's own Iceberg runtime, and with each further one the module names (older runtimes). */
  @Test
  void generateRunAndReportGiveTheGroundTruthOnEachIcebergRuntime() throws Exception {
    List<Path> runtimes = new ArrayList<>();
    runtimes.add(null);
    for (String extra : property("adlake.it.iceberg-runtimes").split(",")) {
      if (!extra.isBlank()) {
        runtimes.add(Path.of(extra.trim()));
      }
    }
    for (int i = 0; i < runtimes.size(); i++) {
      generateRunAndReport("it" + i, runtimes.get(i));
    }
  }

  private void generateRunAndReport(String name, Path icebergRuntime) throws Exception {
    Path dir = Files.createDirectories(work.resolve(name));
    String classpath = sparkDistributionClasspath(icebergRuntime);
    List<String> conf =
        List.of(
            "adlake.catalog.warehouse=" + dir.resolve("warehouse"),
            "adlake.streaming.checkpoint-root=" + dir.resolve("checkpoints"),
            "adlake.source.kafka.bootstrap-servers=" + bootstrapServers,
            "adlake.streams.bid-requests=" + name + ".bid-requests",
            "adlake.streams.bid-responses=" + name + ".bid-responses",
            "adlake.streams.impressions=" + name + ".impressions",
            "adlake.streams.clicks=" + name + ".clicks",
            "adlake.streams.conversions=" + name + ".conversions",
            "adlake.generator.event-rate=1",
            "adlake.generator.click-rate=0.2",
            // Converting users, so that every rule of the conversion attribution has rows here.
            "adlake.generator.conversions.click-rate=0.5",
            "adlake.generator.conversions.view-rate=0.05",
            "adlake.generator.conversions.organic-rate=0.01",
            "adlake.source.kafka.max-offsets-per-trigger=1000");
    Path truthFile = dir.resolve("truth.jsonl");
    submit(
        classpath,
        dir,
        conf,
        "generate",
        "--count",
        Integer.toString(EVENTS),
        "--seed",
        "11",
        "--start",
        "2026-11-21T06:00:00Z",
        "--truth",
        truthFile.toString());
    submit(
        classpath,
        dir,
        conf,
        "run",
        "--jobs",
        "ingest,attribution,conversions,aggregate",
        "--trigger",
        "available-now");
    String report =
        submit(
            classpath,
            dir,
            conf,
            "report",
            "--format",
            "json",
            "--limit",
            "1000000",
            "--sql",
            CHECKS);

    Map<String, List<String>> checks = new TreeMap<>();
    for (String line : report.split("\n")) {
      if (line.startsWith("{")) {
        JsonNode row = JSON.readTree(line);
        checks
            .computeIfAbsent(row.get("check").asText(), k -> new ArrayList<>())
            .add(row.get("value").asText());
      }
    }
    Set<String> expected = new TreeSet<>();
    Set<String> expectedConversions = new TreeSet<>();
    for (String line : Files.readAllLines(truthFile)) {
      JsonNode e = JSON.readTree(line);
      if (e.get("kind").asText().equals("conversion")) {
        expectedConversions.add(
            String.join(
                "|",
                e.get("conversion_id").asText(),
                e.get("attribution").asText(),
                text(e, "touch_id"),
                text(e, "campaign_id"),
                text(e, "ad_id"),
                text(e, "publisher_id")));
        continue;
      }
      expected.add(
          String.join(
              "|",
              e.get("ad_id").asText(),
              e.get("impression_id").asText(),
              e.get("campaign_id").asText(),
              Long.toString(Instant.parse(e.get("impression_time").asText()).toEpochMilli()),
              Long.toString(Instant.parse(e.get("click_time").asText()).toEpochMilli())));
    }
    assertTrue(expected.size() > 50, "enough clicks inside the window: " + expected.size());
    List<String> attributed = checks.getOrDefault("attributed", List.of());
    assertEquals(attributed.size(), new TreeSet<>(attributed).size(), "one row per key");
    assertEquals(expected, new TreeSet<>(attributed), "enriched_ad_data against the ground truth");
    assertTrue(expectedConversions.size() > 20, "conversions: " + expectedConversions.size());
    List<String> conversions = checks.getOrDefault("conversion", List.of());
    assertEquals(conversions.size(), new TreeSet<>(conversions).size(), "one row per conversion");
    assertEquals(
        expectedConversions,
        new TreeSet<>(conversions),
        "attributed_conversions against the ground truth");

    for (String table : List.of("geo", "bidder")) {
      assertTrue(
          Long.parseLong(only(checks, table + " rows")) > 20,
          table + ": several windows and groups");
      assertEquals("0", only(checks, table + " only streamed"), table + ": rows only in the table");
      assertEquals("0", only(checks, table + " only recomputed"), table + ": rows only in batch SQL");
    }
    assertEquals("5", only(checks, "streams accounted"), "ingest_metrics has the five streams");
    assertEquals("0", only(checks, "records unaccounted"), "read = bronze + quarantine + duplicates");
    assertFalse(only(checks, "bronze impressions").equals("0"), "impressions reached bronze");
  }

  /**
   * One query, so one Spark start: the attributed rows, and for two metrics tables the row count and the rows
   * only in the table or only in the same aggregation recomputed here in batch SQL over bronze (prices rounded to
   * 6 decimals: sums in another order differ in the last bits).
   */
  private static final String GEO =
      "SELECT window.start AS window_start, coalesce(geo_location, 'UNKNOWN') AS device_geo_country,"
          + " count(*) AS impression_count, round(sum(win_price) / 1000, 6) AS total_revenue,"
          + " round(avg(win_price), 6) AS avg_win_price FROM impressions"
          + " GROUP BY window(event_timestamp, '1 hour'), coalesce(geo_location, 'UNKNOWN')";

  private static final String GEO_TABLE =
      "SELECT window_start, device_geo_country, impression_count, round(total_revenue, 6),"
          + " round(avg_win_price, 6) FROM hourly_impressions_by_geo";

  private static final String BIDDER =
      "SELECT window.start AS window_start, window.end AS window_end,"
          + " coalesce(bidder_id, 'UNKNOWN') AS bidder_id, count(*) AS win_count,"
          + " round(sum(win_price) / 1000, 6) AS revenue, round(avg(win_price), 6) AS avg_cpm FROM impressions"
          + " GROUP BY window(event_timestamp, '5 minutes', '1 minute'), coalesce(bidder_id, 'UNKNOWN')";

  private static final String BIDDER_TABLE =
      "SELECT window_start, window_end, bidder_id, win_count, round(revenue, 6), round(avg_cpm, 6)"
          + " FROM rolling_metrics_by_bidder";

  private static final String CHECKS =
      String.join(
          " UNION ALL ",
          "SELECT 'attributed' AS check, concat_ws('|', ad_id, impression_id, campaign_id,"
              + " CAST(unix_millis(impression_time) AS STRING), CAST(unix_millis(click_time) AS STRING))"
              + " AS value FROM enriched_ad_data",
          "SELECT 'conversion', concat_ws('|', conversion_id, attribution, coalesce(touch_id, ''),"
              + " coalesce(campaign_id, ''), coalesce(ad_id, ''), coalesce(publisher_id, ''))"
              + " FROM attributed_conversions",
          count("geo rows", "hourly_impressions_by_geo"),
          count("geo only streamed", "(" + GEO_TABLE + " EXCEPT ALL " + GEO + ")"),
          count("geo only recomputed", "(" + GEO + " EXCEPT ALL " + GEO_TABLE + ")"),
          count("bidder rows", "rolling_metrics_by_bidder"),
          count("bidder only streamed", "(" + BIDDER_TABLE + " EXCEPT ALL " + BIDDER + ")"),
          count("bidder only recomputed", "(" + BIDDER + " EXCEPT ALL " + BIDDER_TABLE + ")"),
          "SELECT 'streams accounted', CAST(count(DISTINCT stream) AS STRING) FROM ingest_metrics",
          "SELECT 'records unaccounted', CAST(coalesce(sum(records_read - bronze_records - quarantined"
              + " - duplicates_dropped), 0) AS STRING) FROM ingest_metrics",
          count("bronze impressions", "impressions"));

  /** A truth field's text, empty for a JSON null (as the check query's coalesce gives). */
  private static String text(JsonNode row, String field) {
    JsonNode value = row.get(field);
    return value == null || value.isNull() ? "" : value.asText();
  }

  private static String count(String check, String relation) {
    return "SELECT '" + check + "', CAST(count(*) AS STRING) FROM " + relation + " AS r";
  }

  private static String only(Map<String, List<String>> checks, String check) {
    List<String> values = checks.getOrDefault(check, List.of());
    assertEquals(1, values.size(), "one value for '" + check + "': " + values);
    return values.get(0);
  }

  /** Runs {@code adlake <command>} under SparkSubmit; returns its output, failing the test if it fails. */
  private static String submit(String classpath, Path dir, List<String> conf, String... command)
      throws Exception {
    List<String> args = new ArrayList<>();
    args.add(javaCommand());
    args.add("-Xmx1536m");
    args.addAll(Arrays.asList(property("adlake.it.jvm-options").trim().split("\\s+")));
    args.addAll(
        List.of(
            "-cp",
            classpath,
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
            JAR.toAbsolutePath().toString()));
    args.addAll(Arrays.asList(command));
    args.addAll(List.of("--env", "local"));
    for (String setting : conf) {
      args.addAll(List.of("--conf", setting));
    }
    Path log = dir.resolve(command[0] + ".log");
    ProcessBuilder builder =
        new ProcessBuilder(args).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    Process process = builder.start();
    // A guard against a hung command, not a time target: run now holds four jobs, and a busy
    // 2-core machine took over 5 minutes for it on the Iceberg 1.7.1 runtime.
    boolean finished = process.waitFor(HANG_LIMIT_MINUTES, TimeUnit.MINUTES);
    if (!finished) {
      process.destroyForcibly();
    }
    String output = Files.readString(log);
    assertTrue(finished, command[0] + " did not finish in " + HANG_LIMIT_MINUTES + " minutes:\n" + tail(output));
    assertEquals(0, process.exitValue(), command[0] + " failed:\n" + tail(output));
    return output;
  }

  /**
   * A Spark distribution of the module's line plus its Iceberg runtime ({@code icebergRuntime} instead, if
   * given), as the build wrote it: without the AWS SDK and without what the jar bundles.
   */
  private static String sparkDistributionClasspath(Path icebergRuntime) throws IOException {
    String file = Files.readString(Path.of(property("adlake.it.spark-classpath"))).trim();
    return Stream.of(file.split(File.pathSeparator))
        .map(
            entry ->
                icebergRuntime != null && entry.contains("/iceberg-spark-runtime-")
                    ? icebergRuntime.toAbsolutePath().toString()
                    : entry)
        .collect(Collectors.joining(File.pathSeparator));
  }

  private static String javaCommand() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static String property(String name) {
    String value = System.getProperty(name);
    assertTrue(value != null, "system property " + name + " is set by the build (failsafe)");
    return value;
  }

  private static String tail(String output) {
    String[] lines = output.split("\n");
    return String.join("\n", Arrays.copyOfRange(lines, Math.max(0, lines.length - 60), lines.length));
  }
}
