package io.adlake.peers.flink;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The peer's command line, checked at start: {@code --bootstrap-servers HOST:PORT --warehouse /abs
 * --namespace NS --impressions-topic T1 --clicks-topic T2 --interval-ms MS --work-dir /abs
 * [--parallelism 2] [--group-id G] [--watermark-delay-ms 120000]}. Every value that reaches SQL is
 * checked here, so the statements can be filled in without quoting surprises.
 */
public record PeerOptions(
    String bootstrapServers,
    Path warehouse,
    String namespace,
    String impressionsTopic,
    String clicksTopic,
    Duration checkpointInterval,
    Path workDir,
    int parallelism,
    String groupId,
    Duration watermarkDelay) {

  public static final int DEFAULT_PARALLELISM = 2;
  public static final String DEFAULT_GROUP_ID = "adlake-peer-flink";

  /**
   * adlake's own default for both sides ({@code adlake.attribution.impression-watermark} and {@code
   * click-watermark}, 2 minutes), so both pipelines drop the same late events.
   */
  public static final Duration DEFAULT_WATERMARK_DELAY = Duration.ofMinutes(2);

  public static final String USAGE =
      "usage: FlinkAttributionPeer --bootstrap-servers HOST:PORT --warehouse /abs/dir --namespace NS"
          + " --impressions-topic T1 --clicks-topic T2 --interval-ms MS --work-dir /abs/dir"
          + " [--parallelism 2] [--group-id G] [--watermark-delay-ms 120000]";

  private static final List<String> REQUIRED =
      List.of(
          "--bootstrap-servers",
          "--warehouse",
          "--namespace",
          "--impressions-topic",
          "--clicks-topic",
          "--interval-ms",
          "--work-dir");
  private static final List<String> OPTIONAL =
      List.of("--parallelism", "--group-id", "--watermark-delay-ms");

  private static final Pattern HOST_PORT = Pattern.compile("[A-Za-z0-9.\\-\\[\\]:]+:[0-9]{1,5}");
  // Kafka's own rule for topic names; group ids are held to it too.
  private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._\\-]{1,249}");
  // A plain identifier, as adlake's namespaces are (its catalog validates the same way).
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  // Characters a path may carry into a SQL string literal and a file: URI unescaped.
  private static final Pattern SAFE_PATH = Pattern.compile("/[A-Za-z0-9._/\\-+=@,]*");

  public PeerOptions {
    requireNonNull(bootstrapServers, "bootstrapServers");
    requireNonNull(warehouse, "warehouse");
    requireNonNull(namespace, "namespace");
    requireNonNull(impressionsTopic, "impressionsTopic");
    requireNonNull(clicksTopic, "clicksTopic");
    requireNonNull(checkpointInterval, "checkpointInterval");
    requireNonNull(workDir, "workDir");
    requireNonNull(groupId, "groupId");
    requireNonNull(watermarkDelay, "watermarkDelay");
    for (String server : bootstrapServers.split(",", -1)) {
      check(
          HOST_PORT.matcher(server).matches(),
          "--bootstrap-servers must be HOST:PORT[,HOST:PORT...], got '%s'",
          bootstrapServers);
    }
    checkPath("--warehouse", warehouse);
    checkPath("--work-dir", workDir);
    check(
        IDENTIFIER.matcher(namespace).matches(),
        "--namespace must be a plain identifier ([A-Za-z_][A-Za-z0-9_]*), got '%s'",
        namespace);
    checkTopic("--impressions-topic", impressionsTopic);
    checkTopic("--clicks-topic", clicksTopic);
    checkTopic("--group-id", groupId);
    check(
        !impressionsTopic.equals(clicksTopic),
        "--impressions-topic and --clicks-topic must differ, both are '%s'",
        clicksTopic);
    check(
        checkpointInterval.toMillis() >= 10,
        "--interval-ms must be at least 10 (Flink's minimum checkpoint interval), got %s",
        checkpointInterval.toMillis());
    check(
        parallelism >= 1 && parallelism <= 64, "--parallelism must be 1..64, got %s", parallelism);
    check(
        !watermarkDelay.isNegative() && watermarkDelay.toDays() < 100,
        "--watermark-delay-ms must be 0 or more and under 100 days, got %s",
        watermarkDelay.toMillis());
  }

  /**
   * Parses {@code --name value} pairs.
   *
   * @throws IllegalArgumentException naming the bad or missing option
   */
  public static PeerOptions parse(String... args) {
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String name = args[i];
      check(
          REQUIRED.contains(name) || OPTIONAL.contains(name),
          "unknown option '%s'; %s",
          name,
          USAGE);
      check(i + 1 < args.length, "option %s needs a value; %s", name, USAGE);
      check(values.put(name, args[++i]) == null, "option %s is given twice", name);
    }
    List<String> missing = REQUIRED.stream().filter(name -> !values.containsKey(name)).toList();
    check(missing.isEmpty(), "missing option(s) %s; %s", String.join(", ", missing), USAGE);
    return new PeerOptions(
        values.get("--bootstrap-servers"),
        Path.of(values.get("--warehouse")),
        values.get("--namespace"),
        values.get("--impressions-topic"),
        values.get("--clicks-topic"),
        Duration.ofMillis(number(values, "--interval-ms", null)),
        Path.of(values.get("--work-dir")),
        Math.toIntExact(number(values, "--parallelism", (long) DEFAULT_PARALLELISM)),
        values.getOrDefault("--group-id", DEFAULT_GROUP_ID),
        Duration.ofMillis(
            number(values, "--watermark-delay-ms", DEFAULT_WATERMARK_DELAY.toMillis())));
  }

  /** The Iceberg catalog's warehouse as the URI Hadoop's local file system reads. */
  public String warehouseUri() {
    return "file://" + warehouse;
  }

  /** Where Flink writes its checkpoints (exactly once: the Iceberg commits ride on them). */
  public String checkpointUri() {
    return "file://" + workDir.resolve("checkpoints");
  }

  public Path logFile() {
    return workDir.resolve("flink-peer.log");
  }

  private static long number(Map<String, String> values, String name, Long fallback) {
    String text = values.get(name);
    if (text == null) {
      return requireNonNull(fallback, name);
    }
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number, got '" + text + "'");
    }
  }

  private static void checkPath(String name, Path path) {
    check(
        path.isAbsolute() && SAFE_PATH.matcher(path.toString()).matches(),
        "%s must be an absolute path of letters, digits and ._-+=@, got '%s'",
        name,
        path);
  }

  private static void checkTopic(String name, String value) {
    check(
        TOPIC.matcher(value).matches(),
        "%s must be 1-249 characters of [A-Za-z0-9._-], got '%s'",
        name,
        value);
  }

  private static void check(boolean condition, String message, Object... args) {
    if (!condition) {
      throw new IllegalArgumentException(String.format(message, args));
    }
  }
}
