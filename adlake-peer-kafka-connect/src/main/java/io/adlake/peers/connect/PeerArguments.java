package io.adlake.peers.connect;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The peer's command line, validated: {@code --bootstrap-servers HOST:PORT --warehouse /abs/dir
 * --namespace NS --topics bid_requests=T1,bid_responses=T2,impressions=T3,clicks=T4 --interval-ms
 * MS --work-dir /abs/dir [--tasks N]}.
 *
 * @param tables table name → topic, in the order of {@link #TABLES}
 */
public record PeerArguments(
    String bootstrapServers,
    Path warehouse,
    String namespace,
    Map<String, String> tables,
    long intervalMs,
    Path workDir,
    int tasks) {

  /** The tables the peer writes, one per event topic, named as adlake's bronze tables. */
  public static final List<String> TABLES =
      List.of("bid_requests", "bid_responses", "impressions", "clicks");

  public static final String USAGE =
      "usage: ConnectIngestPeer --bootstrap-servers HOST:PORT --warehouse /abs/dir --namespace NS"
          + " --topics bid_requests=T1,bid_responses=T2,impressions=T3,clicks=T4 --interval-ms MS"
          + " --work-dir /abs/dir [--tasks N]";

  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]*");
  // Kafka's own rule for topic names (Topic.LEGAL_CHARS, at most 249 characters).
  private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
  private static final Pattern HOST_PORT =
      Pattern.compile("[^,:\\s]+:\\d{1,5}(,[^,:\\s]+:\\d{1,5})*");

  public PeerArguments {
    requireNonNull(bootstrapServers, "bootstrapServers");
    requireNonNull(warehouse, "warehouse");
    requireNonNull(namespace, "namespace");
    requireNonNull(tables, "tables");
    requireNonNull(workDir, "workDir");
    check(
        HOST_PORT.matcher(bootstrapServers).matches(),
        "--bootstrap-servers must be HOST:PORT[,HOST:PORT...], got '%s'",
        bootstrapServers);
    check(warehouse.isAbsolute(), "--warehouse must be an absolute path, got '%s'", warehouse);
    check(workDir.isAbsolute(), "--work-dir must be an absolute path, got '%s'", workDir);
    check(
        IDENTIFIER.matcher(namespace).matches(),
        "--namespace must be a lower-case identifier ([a-z_][a-z0-9_]*), got '%s'",
        namespace);
    check(
        tables.keySet().equals(Set.copyOf(TABLES)),
        "--topics must map exactly the tables %s, got %s",
        TABLES,
        tables.keySet());
    tables.forEach(
        (table, topic) ->
            check(
                TOPIC.matcher(topic).matches(),
                "--topics: '%s' is not a Kafka topic name (table %s)",
                topic,
                table));
    check(
        Set.copyOf(tables.values()).size() == tables.size(),
        "--topics: each table needs a topic of its own, got %s",
        tables);
    check(intervalMs >= 100, "--interval-ms must be at least 100, got %s", intervalMs);
    check(tasks >= 1, "--tasks must be at least 1, got %s", tasks);
    tables = Map.copyOf(tables);
  }

  /** The topic of each table, in the order of {@link #TABLES}. */
  public List<String> topics() {
    return TABLES.stream().map(tables::get).toList();
  }

  /**
   * Parses {@code args}; throws {@link IllegalArgumentException} with a message naming the bad
   * argument.
   */
  public static PeerArguments parse(String... args) {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String name = args[i];
      check(OPTIONS.contains(name), "unknown argument '%s'", name);
      check(i + 1 < args.length, "%s needs a value", name);
      check(options.put(name, args[++i]) == null, "%s given twice", name);
    }
    for (String required : OPTIONS.subList(0, OPTIONS.size() - 1)) {
      check(options.containsKey(required), "%s is required", required);
    }
    return new PeerArguments(
        options.get("--bootstrap-servers"),
        Path.of(options.get("--warehouse")),
        options.get("--namespace"),
        tables(options.get("--topics")),
        number("--interval-ms", options.get("--interval-ms")),
        Path.of(options.get("--work-dir")),
        Math.toIntExact(number("--tasks", options.getOrDefault("--tasks", "1"))));
  }

  private static final List<String> OPTIONS =
      List.of(
          "--bootstrap-servers",
          "--warehouse",
          "--namespace",
          "--topics",
          "--interval-ms",
          "--work-dir",
          "--tasks");

  private static Map<String, String> tables(String value) {
    Map<String, String> tables = new LinkedHashMap<>();
    for (String pair : value.split(",", -1)) {
      String[] parts = pair.split("=", -1);
      check(parts.length == 2, "--topics entries must be TABLE=TOPIC, got '%s'", pair);
      check(
          tables.put(parts[0].trim(), parts[1].trim()) == null,
          "--topics names table '%s' twice",
          parts[0]);
    }
    return tables;
  }

  private static long number(String name, String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number, got '" + value + "'");
    }
  }

  private static void check(boolean condition, String message, Object... values) {
    if (!condition) {
      throw new IllegalArgumentException(String.format(message, values));
    }
  }
}
