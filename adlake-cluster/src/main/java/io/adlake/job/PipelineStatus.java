package io.adlake.job;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.adlake.config.AdlakeConfig;
import io.adlake.config.AdlakeConfig.CatalogSettings;
import io.adlake.config.ConfigurationException;
import io.adlake.lake.AdlakeTables;
import io.adlake.lake.TableSetup;
import io.adlake.lake.TableSpec;
import io.adlake.source.KafkaTopics;
import io.adlake.source.KafkaTopics.PartitionOffsets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotSummary;
import org.apache.iceberg.Table;
import org.apache.kafka.common.TopicPartition;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Where the pipeline stands, for operators ({@code status}): per streaming query under the
 * checkpoint root its last committed batch and how far each input is behind, per table its last
 * commit, its freshness (now minus the newest event time committed), snapshots, files and late
 * events. Read from the checkpoints, the brokers and the tables' metadata; nothing is started.
 */
public record PipelineStatus(
    Instant checkedAt,
    String checkpointRoot,
    String namespace,
    List<QueryStatus> queries,
    List<TableStatus> tables) {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration LATE_EVENTS_WINDOW = Duration.ofHours(1);

  public PipelineStatus {
    requireNonNull(checkedAt, "checkedAt");
    queries = List.copyOf(queries);
    tables = List.copyOf(tables);
  }

  /** One streaming query, from its checkpoint. */
  public record QueryStatus(
      String name, OptionalLong lastBatch, Optional<Instant> committedAt, List<InputLag> inputs) {
    public QueryStatus {
      inputs = List.copyOf(inputs);
    }
  }

  /** What a query can read but has not committed yet. */
  public enum Kind {
    /** A Kafka topic: the brokers' latest offsets minus the committed ones, in records. */
    KAFKA,
    /** An Iceberg table read as a stream: records appended after the committed snapshot. */
    ICEBERG,
    /** A directory of a file source: files in it that the source's log does not list. */
    FILES,
    /** A Kinesis stream: the connector's shard positions cannot be turned into a count here. */
    KINESIS,
    /** A source whose offsets this command does not know. */
    UNKNOWN
  }

  /**
   * One input of a query. {@code committed} and {@code latest} are offsets summed over partitions
   * (Kafka), snapshot ids (Iceberg) or file counts (files); {@code lag} is in {@code unit}; {@code
   * note} says what could not be measured, and why.
   */
  public record InputLag(
      Kind kind,
      String name,
      OptionalLong committed,
      OptionalLong latest,
      OptionalLong lag,
      String unit,
      String note) {}

  /** One table, from its metadata (and the newest value of its event-time column). */
  public record TableStatus(
      String name,
      Optional<Instant> lastCommitAt,
      long snapshots,
      long dataFiles,
      long deleteFiles,
      Optional<String> eventTimeColumn,
      Optional<Instant> newestEventTime,
      Optional<Duration> freshness,
      OptionalLong lateEventsLastHour) {}

  /**
   * Reads the status of the pipeline {@code config} describes, as of {@code now}.
   *
   * @throws ConfigurationException naming the setting when the checkpoint root or the namespace
   *     does not exist
   */
  public static PipelineStatus collect(SparkSession spark, AdlakeConfig config, Instant now) {
    CatalogSettings catalog = config.catalog();
    String root = Checkpoints.root(config);
    FileSystem fs;
    boolean hasCheckpoints;
    try {
      fs = new Path(root).getFileSystem(spark.sparkContext().hadoopConfiguration());
      hasCheckpoints = fs.exists(new Path(root));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the checkpoint root " + root, e);
    }
    boolean hasNamespace = namespaceExists(spark, catalog);
    if (!hasCheckpoints || !hasNamespace) {
      List<String> missing = new ArrayList<>();
      if (!hasCheckpoints) {
        missing.add("no checkpoint root at " + root + " (adlake.streaming.checkpoint-root)");
      }
      if (!hasNamespace) {
        missing.add(
            "no namespace "
                + catalog.namespace()
                + " in catalog "
                + catalog.name()
                + " (warehouse "
                + SparkSessions.location(catalog.warehouse())
                + ", adlake.catalog.*)");
      }
      throw new ConfigurationException(
          "Nothing to report: "
              + String.join(" and ", missing)
              + ". No adlake job has run with these settings yet (start one, e.g. bin/adlake "
              + "demo locally), or --env / --conf name another deployment's places.");
    }

    Map<String, Table> tablesByName = new LinkedHashMap<>();
    for (String name : TableSetup.tablesIn(spark, catalog)) {
      tablesByName.put(name, TableSetup.load(spark, catalog.qualified(name)));
    }
    List<QueryCheckpoint> checkpoints;
    try {
      checkpoints = QueryCheckpoint.readAll(fs, new Path(root));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot read the streaming checkpoints under "
              + root
              + " (adlake.streaming.checkpoint-root): "
              + e.getMessage(),
          e);
    }
    List<QueryStatus> queries = queryStatuses(config, checkpoints, tablesByName, fs);
    List<TableStatus> tables = tableStatuses(spark, config, tablesByName, now);
    return new PipelineStatus(
        now, root, catalog.name() + "." + catalog.namespace(), queries, tables);
  }

  /**
   * The thresholds crossed, one sentence each: an input lag in records above {@code maxLag} (or a
   * Kafka lag that could not be measured: the alarm must not stay quiet when the brokers do), a
   * table whose freshness is above {@code maxStaleness}. Tables without rows or without an
   * event-time column have no freshness and cross nothing.
   */
  public List<String> crossed(OptionalLong maxLag, Optional<Duration> maxStaleness) {
    List<String> crossed = new ArrayList<>();
    if (maxLag.isPresent()) {
      for (QueryStatus query : queries) {
        for (InputLag input : query.inputs()) {
          if (input.lag().isPresent()
              && input.unit().equals("records")
              && input.lag().getAsLong() > maxLag.getAsLong()) {
            crossed.add(
                String.format(
                    "lag of %s on %s %s is %d records, above --max-lag %d",
                    query.name(),
                    input.kind().name().toLowerCase(Locale.ROOT),
                    input.name(),
                    input.lag().getAsLong(),
                    maxLag.getAsLong()));
          } else if (input.kind() == Kind.KAFKA && input.lag().isEmpty()) {
            crossed.add(
                String.format(
                    "lag of %s on kafka %s is unknown (%s)",
                    query.name(), input.name(), input.note()));
          }
        }
      }
    }
    if (maxStaleness.isPresent()) {
      for (TableStatus table : tables) {
        if (table.freshness().isPresent()
            && table.freshness().get().compareTo(maxStaleness.get()) > 0) {
          crossed.add(
              String.format(
                  "freshness of table %s is %s (newest %s %s), above --max-staleness %s",
                  table.name(),
                  human(table.freshness().get()),
                  table.eventTimeColumn().orElseThrow(),
                  table.newestEventTime().orElseThrow(),
                  human(maxStaleness.get())));
        }
      }
    }
    return crossed;
  }

  private static boolean namespaceExists(SparkSession spark, CatalogSettings catalog) {
    for (Row row : spark.sql("SHOW NAMESPACES IN " + catalog.name()).collectAsList()) {
      if (row.getString(0).equals(catalog.namespace())) {
        return true;
      }
    }
    return false;
  }

  // ---- queries ----

  private static List<QueryStatus> queryStatuses(
      AdlakeConfig config,
      List<QueryCheckpoint> checkpoints,
      Map<String, Table> tables,
      FileSystem fs) {
    // Every Kafka topic any query committed offsets of, asked of the brokers once.
    Map<QueryCheckpoint, List<JsonNode>> parsed = new LinkedHashMap<>();
    Set<String> topics = new TreeSet<>();
    for (QueryCheckpoint checkpoint : checkpoints) {
      List<JsonNode> offsets = new ArrayList<>();
      for (String line : checkpoint.endOffsets()) {
        JsonNode offset = parse(line);
        offsets.add(offset);
        if (kindOf(offset) == Kind.KAFKA) {
          offset.fieldNames().forEachRemaining(topics::add);
        }
      }
      parsed.put(checkpoint, offsets);
    }
    Map<TopicPartition, PartitionOffsets> kafka = Map.of();
    String kafkaProblem = "";
    if (!topics.isEmpty()) {
      try {
        kafka =
            KafkaTopics.offsets(
                config.source().kafka().bootstrapServers(),
                config.source().kafka().options(),
                topics);
      } catch (IllegalStateException e) {
        kafkaProblem = e.getMessage();
      }
    }
    Map<Long, String> tableOfSnapshot = new HashMap<>();
    tables.forEach(
        (name, table) -> table.snapshots().forEach(s -> tableOfSnapshot.put(s.snapshotId(), name)));

    List<QueryStatus> statuses = new ArrayList<>();
    for (Map.Entry<QueryCheckpoint, List<JsonNode>> entry : parsed.entrySet()) {
      QueryCheckpoint checkpoint = entry.getKey();
      List<InputLag> inputs = new ArrayList<>();
      boolean filesDone = false;
      for (JsonNode offset : entry.getValue()) {
        switch (kindOf(offset)) {
          case KAFKA -> kafkaLags(offset, kafka, kafkaProblem).forEach(inputs::add);
          case ICEBERG -> {
            InputLag lag = icebergLag(offset, tables, tableOfSnapshot);
            // A table joined with itself has one offsets line per place it is read.
            if (!inputs.contains(lag)) {
              inputs.add(lag);
            }
          }
          case FILES -> {
            if (!filesDone) {
              inputs.addAll(fileLags(checkpoint, fs));
              filesDone = true;
            }
          }
          case KINESIS ->
              inputs.add(
                  new InputLag(
                      Kind.KINESIS,
                      offset.path("metadata").path("streamName").asText(),
                      OptionalLong.empty(),
                      OptionalLong.empty(),
                      OptionalLong.empty(),
                      "",
                      "not measured here: the checkpoint holds shard sequence numbers, not counts; "
                          + "watch the stream's GetRecords.IteratorAgeMilliseconds in CloudWatch"));
          case UNKNOWN ->
              inputs.add(
                  new InputLag(
                      Kind.UNKNOWN,
                      abbreviate(offset.toString()),
                      OptionalLong.empty(),
                      OptionalLong.empty(),
                      OptionalLong.empty(),
                      "",
                      "not measured: offsets of an unknown source"));
        }
      }
      statuses.add(
          new QueryStatus(
              checkpoint.name(), checkpoint.lastBatch(), checkpoint.committedAt(), inputs));
    }
    return statuses;
  }

  private static JsonNode parse(String line) {
    try {
      return JSON.readTree(line);
    } catch (IOException e) {
      return JSON.getNodeFactory().textNode(line);
    }
  }

  static Kind kindOf(JsonNode offset) {
    if (!offset.isObject() || offset.isEmpty()) {
      return Kind.UNKNOWN;
    }
    if (offset.has("snapshot_id")) {
      return Kind.ICEBERG;
    }
    if (offset.has("logOffset")) {
      return Kind.FILES;
    }
    if (offset.path("metadata").has("streamName")) {
      return Kind.KINESIS;
    }
    for (Iterator<JsonNode> topics = offset.elements(); topics.hasNext(); ) {
      JsonNode partitions = topics.next();
      if (!partitions.isObject()) {
        return Kind.UNKNOWN;
      }
      for (Iterator<JsonNode> o = partitions.elements(); o.hasNext(); ) {
        if (!o.next().isIntegralNumber()) {
          return Kind.UNKNOWN;
        }
      }
    }
    return Kind.KAFKA;
  }

  /**
   * Per topic: the committed offsets (Spark's next offset to read) against the latest; a partition
   * the checkpoint does not know yet (added since) counts from its earliest offset.
   */
  private static List<InputLag> kafkaLags(
      JsonNode offset, Map<TopicPartition, PartitionOffsets> brokers, String problem) {
    List<InputLag> lags = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> topics = offset.fields(); topics.hasNext(); ) {
      Map.Entry<String, JsonNode> topic = topics.next();
      Map<Integer, Long> committed = new TreeMap<>();
      topic
          .getValue()
          .fields()
          .forEachRemaining(p -> committed.put(Integer.valueOf(p.getKey()), p.getValue().asLong()));
      long committedSum = committed.values().stream().mapToLong(Long::longValue).sum();
      Map<TopicPartition, PartitionOffsets> partitions =
          brokers.entrySet().stream()
              .filter(e -> e.getKey().topic().equals(topic.getKey()))
              .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
      if (partitions.isEmpty()) {
        lags.add(
            new InputLag(
                Kind.KAFKA,
                topic.getKey(),
                OptionalLong.of(committedSum),
                OptionalLong.empty(),
                OptionalLong.empty(),
                "records",
                problem.isEmpty() ? "the brokers do not know the topic" : problem));
        continue;
      }
      long latest = 0;
      long lag = 0;
      for (Map.Entry<TopicPartition, PartitionOffsets> p : partitions.entrySet()) {
        long end = p.getValue().latest();
        long from = committed.getOrDefault(p.getKey().partition(), p.getValue().earliest());
        latest += end;
        lag += Math.max(0, end - from);
      }
      lags.add(
          new InputLag(
              Kind.KAFKA,
              topic.getKey(),
              OptionalLong.of(committedSum),
              OptionalLong.of(latest),
              OptionalLong.of(lag),
              "records",
              ""));
    }
    return lags;
  }

  /**
   * Records appended to the table after the committed snapshot (Iceberg's streaming source reads
   * appends; compactions and MERGEs add none to read).
   */
  private static InputLag icebergLag(
      JsonNode offset, Map<String, Table> tables, Map<Long, String> tableOfSnapshot) {
    long committed = offset.get("snapshot_id").asLong();
    String name = tableOfSnapshot.get(committed);
    if (name == null) {
      return new InputLag(
          Kind.ICEBERG,
          "snapshot " + committed,
          OptionalLong.of(committed),
          OptionalLong.empty(),
          OptionalLong.empty(),
          "records",
          committed < 0
              ? "the table was empty when the batch was planned"
              : "no table of the namespace has this snapshot any more (expired, or another namespace)");
    }
    Table table = tables.get(name);
    Snapshot current = table.currentSnapshot();
    long behind = 0;
    for (Snapshot s = current;
        s != null && s.snapshotId() != committed;
        s = s.parentId() == null ? null : table.snapshot(s.parentId())) {
      if (DataOperations.APPEND.equals(s.operation())) {
        behind += Long.parseLong(s.summary().getOrDefault(SnapshotSummary.ADDED_RECORDS_PROP, "0"));
      }
    }
    return new InputLag(
        Kind.ICEBERG,
        name,
        OptionalLong.of(committed),
        OptionalLong.of(current.snapshotId()),
        OptionalLong.of(behind),
        "records",
        "");
  }

  /** Per directory the file source read from: its files that the source's log does not list. */
  private static List<InputLag> fileLags(QueryCheckpoint checkpoint, FileSystem fs) {
    Map<String, Set<String>> readByDirectory = new TreeMap<>();
    for (String file : checkpoint.filesRead()) {
      Path path = new Path(file);
      readByDirectory
          .computeIfAbsent(path.getParent().toUri().getPath(), d -> new TreeSet<>())
          .add(path.toUri().getPath());
    }
    List<InputLag> lags = new ArrayList<>();
    for (Map.Entry<String, Set<String>> directory : readByDirectory.entrySet()) {
      try {
        Path dir = fs.makeQualified(new Path(directory.getKey()));
        long present = 0;
        long unread = 0;
        for (FileStatus file : fs.listStatus(dir)) {
          String name = file.getPath().getName();
          // Spark's file source skips hidden and underscore files too.
          if (!file.isFile() || name.startsWith(".") || name.startsWith("_")) {
            continue;
          }
          present++;
          if (!directory.getValue().contains(file.getPath().toUri().getPath())) {
            unread++;
          }
        }
        lags.add(
            new InputLag(
                Kind.FILES,
                directory.getKey(),
                OptionalLong.of(directory.getValue().size()),
                OptionalLong.of(present),
                OptionalLong.of(unread),
                "files",
                "files not read yet; records inside them are not counted"));
      } catch (IOException e) {
        lags.add(
            new InputLag(
                Kind.FILES,
                directory.getKey(),
                OptionalLong.of(directory.getValue().size()),
                OptionalLong.empty(),
                OptionalLong.empty(),
                "files",
                "cannot list the directory: " + e.getMessage()));
      }
    }
    return lags;
  }

  // ---- tables ----

  private static List<TableStatus> tableStatuses(
      SparkSession spark, AdlakeConfig config, Map<String, Table> tables, Instant now) {
    CatalogSettings catalog = config.catalog();
    Map<String, TableSpec> specs = new HashMap<>();
    AdlakeTables.all(config.attribution().table()).forEach(s -> specs.put(s.name(), s));
    Map<String, Long> late = lateEventsSince(spark, catalog, tables, now.minus(LATE_EVENTS_WINDOW));
    List<TableStatus> statuses = new ArrayList<>();
    tables.forEach(
        (name, table) -> {
          Snapshot current = table.currentSnapshot();
          long snapshots = 0;
          for (Snapshot ignored : table.snapshots()) {
            snapshots++;
          }
          Optional<String> eventTime =
              Optional.ofNullable(specs.get(name)).flatMap(TableSpec::eventTimeColumn);
          Optional<Instant> newest =
              current == null
                  ? Optional.empty()
                  : eventTime.flatMap(c -> newest(spark, catalog.qualified(name), c));
          statuses.add(
              new TableStatus(
                  name,
                  Optional.ofNullable(current).map(s -> Instant.ofEpochMilli(s.timestampMillis())),
                  snapshots,
                  total(current, SnapshotSummary.TOTAL_DATA_FILES_PROP),
                  total(current, SnapshotSummary.TOTAL_DELETE_FILES_PROP),
                  eventTime,
                  newest,
                  newest.map(t -> Duration.between(t, now)),
                  late.containsKey(name) ? OptionalLong.of(late.get(name)) : OptionalLong.empty()));
        });
    return statuses;
  }

  private static long total(Snapshot snapshot, String property) {
    return snapshot == null ? 0 : Long.parseLong(snapshot.summary().getOrDefault(property, "0"));
  }

  private static Optional<Instant> newest(SparkSession spark, String qualified, String column) {
    Object value = spark.sql("SELECT max(" + column + ") FROM " + qualified).first().get(0);
    if (value instanceof Timestamp t) {
      return Optional.of(t.toInstant());
    }
    return Optional.ofNullable((Instant) value);
  }

  /**
   * Rows dropped behind the watermark since {@code since}, per table that ever had some in
   * late_events (0 for those with none since).
   */
  private static Map<String, Long> lateEventsSince(
      SparkSession spark, CatalogSettings catalog, Map<String, Table> tables, Instant since) {
    Map<String, Long> late = new TreeMap<>();
    if (!tables.containsKey(AdlakeTables.LATE_EVENTS)) {
      return late;
    }
    // The session's time zone is UTC (SparkSessions).
    String literal =
        "TIMESTAMP '"
            + DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")
                .withZone(ZoneOffset.UTC)
                .format(since)
            + "'";
    for (Row row :
        spark
            .sql(
                "SELECT table_name, coalesce(sum(CASE WHEN batch_time >= "
                    + literal
                    + " THEN late_rows END), 0) FROM "
                    + catalog.qualified(AdlakeTables.LATE_EVENTS)
                    + " GROUP BY table_name")
            .collectAsList()) {
      late.put(row.getString(0), row.getLong(1));
    }
    return late;
  }

  // ---- output ----

  /** The status as one JSON document. */
  public ObjectNode toJson(List<String> crossed) {
    ObjectNode root = JSON.createObjectNode();
    root.put("checked_at", checkedAt.toString());
    root.put("checkpoint_root", checkpointRoot);
    root.put("namespace", namespace);
    ArrayNode queryArray = root.putArray("queries");
    for (QueryStatus query : queries) {
      ObjectNode q = queryArray.addObject();
      q.put("name", query.name());
      putOptional(q, "last_batch", query.lastBatch());
      q.put("committed_at", query.committedAt().map(Instant::toString).orElse(null));
      ArrayNode inputs = q.putArray("inputs");
      for (InputLag input : query.inputs()) {
        ObjectNode i = inputs.addObject();
        i.put("kind", input.kind().name().toLowerCase(Locale.ROOT));
        i.put("name", input.name());
        putOptional(i, "committed", input.committed());
        putOptional(i, "latest", input.latest());
        putOptional(i, "lag", input.lag());
        i.put("unit", input.unit());
        i.put("note", input.note());
      }
    }
    ArrayNode tableArray = root.putArray("tables");
    for (TableStatus table : tables) {
      ObjectNode t = tableArray.addObject();
      t.put("name", table.name());
      t.put("last_commit_at", table.lastCommitAt().map(Instant::toString).orElse(null));
      t.put("snapshots", table.snapshots());
      t.put("data_files", table.dataFiles());
      t.put("delete_files", table.deleteFiles());
      t.put("event_time_column", table.eventTimeColumn().orElse(null));
      t.put("newest_event_time", table.newestEventTime().map(Instant::toString).orElse(null));
      if (table.freshness().isPresent()) {
        t.put("freshness_seconds", table.freshness().get().toMillis() / 1000.0);
      } else {
        t.putNull("freshness_seconds");
      }
      putOptional(t, "late_events_last_hour", table.lateEventsLastHour());
    }
    ArrayNode thresholds = root.putArray("crossed");
    crossed.forEach(thresholds::add);
    return root;
  }

  private static void putOptional(ObjectNode node, String field, OptionalLong value) {
    if (value.isPresent()) {
      node.put(field, value.getAsLong());
    } else {
      node.putNull(field);
    }
  }

  /** The status as two aligned tables, for people. */
  public String toText() {
    StringBuilder out = new StringBuilder();
    out.append("Status at ")
        .append(checkedAt.truncatedTo(ChronoUnit.SECONDS))
        .append(" of checkpoints under ")
        .append(checkpointRoot)
        .append(" and tables in ")
        .append(namespace)
        .append("\n\nStreaming queries (")
        .append(queries.size())
        .append(")\n");
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of("query", "last batch", "committed at", "input", "committed", "latest", "lag"));
    for (QueryStatus query : queries) {
      String batch =
          query.lastBatch().isPresent() ? Long.toString(query.lastBatch().getAsLong()) : "none";
      String when = query.committedAt().map(t -> ago(t)).orElse("-");
      if (query.inputs().isEmpty()) {
        rows.add(List.of(query.name(), batch, when, "-", "-", "-", "-"));
      }
      for (InputLag input : query.inputs()) {
        String lag =
            input.lag().isPresent()
                ? String.format("%,d %s", input.lag().getAsLong(), input.unit())
                : "unknown";
        if (!input.note().isEmpty()) {
          lag += " (" + input.note() + ")";
        }
        rows.add(
            List.of(
                query.name(),
                batch,
                when,
                input.kind().name().toLowerCase(Locale.ROOT) + " " + input.name(),
                offset(input.kind(), input.committed()),
                offset(input.kind(), input.latest()),
                lag));
      }
    }
    align(rows, out);
    out.append("\nTables (").append(tables.size()).append(")\n");
    rows = new ArrayList<>();
    rows.add(
        List.of(
            "table",
            "last commit",
            "snapshots",
            "data files",
            "delete files",
            "newest event",
            "freshness",
            "late events (1 h)"));
    for (TableStatus table : tables) {
      rows.add(
          List.of(
              table.name(),
              table.lastCommitAt().map(this::ago).orElse("never"),
              String.format("%,d", table.snapshots()),
              String.format("%,d", table.dataFiles()),
              String.format("%,d", table.deleteFiles()),
              table.eventTimeColumn().isEmpty()
                  ? "-"
                  : table.eventTimeColumn().get()
                      + " "
                      + table.newestEventTime().map(Instant::toString).orElse("(no rows)"),
              table.freshness().map(PipelineStatus::human).orElse("-"),
              number(table.lateEventsLastHour())));
    }
    align(rows, out);
    return out.toString();
  }

  private String ago(Instant t) {
    Duration age = Duration.between(t, checkedAt);
    return t.truncatedTo(ChronoUnit.SECONDS)
        + (age.isNegative()
            ? " (" + human(age.negated()) + " after the status time)"
            : " (" + human(age) + " ago)");
  }

  /** A snapshot id as Iceberg prints it; offsets and file counts grouped by thousands. */
  private static String offset(Kind kind, OptionalLong value) {
    return kind == Kind.ICEBERG && value.isPresent()
        ? Long.toString(value.getAsLong())
        : number(value);
  }

  private static String number(OptionalLong value) {
    return value.isPresent() ? String.format("%,d", value.getAsLong()) : "-";
  }

  /** 1d 2h 3m 4s, down to seconds; "0s" below a second. */
  static String human(Duration d) {
    StringBuilder b = new StringBuilder(d.isNegative() ? "-" : "");
    Duration a = d.abs();
    if (a.toDays() > 0) {
      b.append(a.toDays()).append("d ");
    }
    if (a.toHoursPart() > 0) {
      b.append(a.toHoursPart()).append("h ");
    }
    if (a.toMinutesPart() > 0) {
      b.append(a.toMinutesPart()).append("m ");
    }
    if (a.toSecondsPart() > 0 || b.length() <= 1) {
      b.append(a.toSecondsPart()).append("s");
    }
    return b.toString().strip();
  }

  private static void align(List<List<String>> rows, StringBuilder out) {
    int[] widths = new int[rows.get(0).size()];
    for (List<String> row : rows) {
      for (int c = 0; c < row.size(); c++) {
        widths[c] = Math.max(widths[c], row.get(c).length());
      }
    }
    for (int r = 0; r < rows.size(); r++) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < widths.length; c++) {
        line.append(c == 0 ? "" : " | ")
            .append(String.format("%-" + widths[c] + "s", rows.get(r).get(c)));
      }
      out.append(line.toString().stripTrailing()).append('\n');
      if (r == 0) {
        out.append(Arrays.stream(widths).mapToObj("-"::repeat).collect(Collectors.joining("-+-")))
            .append('\n');
      }
    }
  }

  private static String abbreviate(String text) {
    return text.length() <= 60 ? text : text.substring(0, 57) + "...";
  }
}
