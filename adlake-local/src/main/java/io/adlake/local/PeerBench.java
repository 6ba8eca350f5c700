package io.adlake.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adlake.config.AdlakeConfig;
import io.adlake.config.AdlakeConfig.StreamNames;
import io.adlake.config.ConfigurationException;
import io.adlake.embedded.ChildProcesses;
import io.adlake.embedded.EmbeddedKafkaBroker;
import io.adlake.event.EventSink;
import io.adlake.event.EventType;
import io.adlake.event.FunnelGenerator;
import io.adlake.event.KafkaEventSink;
import io.adlake.job.IngestJob;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotSummary;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.hadoop.HadoopTables;
import org.apache.iceberg.io.CloseableIterable;

/**
 * {@code bench-peers}: adlake against the pipelines a user would pick instead, on the same events
 * through the embedded broker, each system in a JVM of its own: attribution against Flink SQL
 * (module adlake-peer-flink) and bronze ingest against Iceberg's Kafka Connect sink (module
 * adlake-peer-kafka-connect). Every run gets fresh topics and a fresh namespace, a burst of
 * pre-generated events sent as fast as the broker takes them (throughput and CPU), then events
 * paced at a fixed rate with event time = wall clock (freshness). Everything is read back
 * afterwards from the tables' Iceberg snapshots: a row is visible at the commit time of the first
 * snapshot that holds it. Prints figures; asserts nothing.
 */
final class PeerBench {
  enum Case {
    ATTRIBUTION,
    INGEST
  }

  enum Side {
    ADLAKE,
    PEER
  }

  record Options(
      long events,
      int rounds,
      Duration interval,
      double pacedRate,
      Duration pacedFor,
      String heap,
      String master,
      Set<Case> cases,
      Set<Side> sides,
      boolean profile,
      Path workDir) {}

  /** One system's figures for one case in one round. */
  record Measure(
      Case benchCase,
      Side side,
      int round,
      long burstEvents,
      double eventsPerSecond,
      double cpuSecondsPerMillion,
      long peakRssBytes,
      double freshnessP50,
      double freshnessP99,
      int freshnessSamples,
      Map<String, Long> rows) {}

  private static final List<EventType> FUNNEL =
      List.of(EventType.BID_REQUEST, EventType.BID_RESPONSE, EventType.IMPRESSION, EventType.CLICK);
  private static final List<EventType> TOUCHES = List.of(EventType.IMPRESSION, EventType.CLICK);
  private static final String FLINK_MODULE = "adlake-peer-flink";
  private static final String CONNECT_MODULE = "adlake-peer-kafka-connect";
  private static final String FLINK_MAIN = "io.adlake.peers.flink.FlinkAttributionPeer";
  private static final String CONNECT_MAIN = "io.adlake.peers.connect.ConnectIngestPeer";
  private static final String FLINK_TABLE = "attributed_clicks_flink";
  private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
  private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(15);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PrintStream out;
  private final Options options;
  private final Function<String[], AdlakeConfig> loadConfig;
  private final Path root = Path.of("").toAbsolutePath();
  private final HadoopTables tables = new HadoopTables(new Configuration());

  PeerBench(PrintStream out, Options options, Function<String[], AdlakeConfig> loadConfig) {
    this.out = out;
    this.options = options;
    this.loadConfig = loadConfig;
  }

  void run() throws Exception {
    for (Case c : options.sides().contains(Side.PEER) ? options.cases() : Set.<Case>of()) {
      Path classpath = peerModule(c).resolve("target/peer-classpath.txt");
      if (!Files.isRegularFile(classpath)) {
        throw new ConfigurationException(
            "The "
                + c.name().toLowerCase()
                + " peer is not built ("
                + classpath
                + " is missing): run `make bench-peers`, which builds it with mvn -Ppeers package.");
      }
    }
    Demo.deleteRecursively(options.workDir());
    Files.createDirectories(options.workDir());
    List<Measure> measures = new ArrayList<>();
    try (EmbeddedKafkaBroker broker =
        EmbeddedKafkaBroker.start(options.workDir().resolve("kafka"))) {
      AdlakeConfig base = config(broker, "bench_peers_events");
      Map<Case, Burst> bursts = new EnumMap<>(Case.class);
      for (Case c : options.cases()) {
        bursts.put(c, burst(base, c));
      }
      for (int round = 1; round <= options.rounds(); round++) {
        for (Case c : options.cases()) {
          List<Side> order =
              (round % 2 == 1 ? List.of(Side.ADLAKE, Side.PEER) : List.of(Side.PEER, Side.ADLAKE))
                  .stream().filter(options.sides()::contains).toList();
          Map<Side, RunResult> results = new EnumMap<>(Side.class);
          for (Side side : order) {
            RunResult result = runOne(broker, c, side, round, bursts.get(c));
            results.put(side, result);
            measures.add(result.measure());
            out.println("  " + describe(result.measure()));
          }
          if (results.size() == 2) {
            compare(c, round, results.get(Side.ADLAKE), results.get(Side.PEER), bursts.get(c));
          }
        }
      }
    }
    printTable(measures);
  }

  // ---- events ----

  /** The burst: events generated once per case into memory, replayed for every run. */
  private record Burst(List<Sent> records, Set<String> expectedKeys, double pacedGeneratorRate) {}

  private record Sent(EventType type, String key, byte[] value) {}

  private AdlakeConfig config(EmbeddedKafkaBroker broker, String namespace, String... more) {
    List<String> settings =
        new ArrayList<>(
            List.of(
                "adlake.source.type=kafka",
                "adlake.source.kafka.bootstrap-servers=" + broker.bootstrapServers(),
                "adlake.catalog.warehouse=" + options.workDir().resolve("warehouse"),
                "adlake.catalog.namespace=" + namespace,
                "adlake.streaming.checkpoint-root="
                    + options.workDir().resolve("checkpoints").resolve(namespace),
                "adlake.streaming.trigger-interval=" + options.interval().toMillis() + "ms",
                // Every record well-formed and sent once: row counts must then agree exactly.
                "adlake.generator.duplicate-share=0",
                "adlake.generator.malformed-share=0"));
    for (EventType type : EventType.values()) {
      settings.add(
          "adlake.streams."
              + type.streamName(StreamNames.byKey())
              + "="
              + namespace
              + "."
              + type.streamName(StreamNames.byKey()));
    }
    settings.addAll(Arrays.asList(more));
    return loadConfig.apply(settings.toArray(String[]::new));
  }

  private Burst burst(AdlakeConfig config, Case c) throws InterruptedException {
    List<EventType> streams = streams(c);
    List<Sent> records = new ArrayList<>();
    Set<String> expected = new HashSet<>();
    // Two days back, as the demo: the burst's event time stays behind the paced phase's (now).
    Instant start = Instant.now().minus(Duration.ofDays(2));
    long started = System.nanoTime();
    out.printf(
        "Generating the %s burst: about %,d events of %s%n",
        c.name().toLowerCase(), options.events(), streams);
    FunnelGenerator.Summary summary =
        new FunnelGenerator(config)
            .generate(
                FunnelGenerator.Run.count(options.events(), config.generator().eventRate(), start)
                    .onlyStreams(EnumSet.copyOf(streams)),
                capture(records::add),
                s -> {});
    summary.expected().forEach(e -> expected.add(e.adId() + "/" + e.impressionId()));
    out.printf(
        "  %,d events in %.1f s; the paced phase sends %,.0f of them per second%n",
        records.size(), (System.nanoTime() - started) / 1e9, options.pacedRate());
    return new Burst(List.copyOf(records), expected, generatorRate(config, streams));
  }

  /**
   * The generator's rate (all streams) at which the case's own streams carry {@code --paced-rate}
   * events per second: their share measured on a sample of the generator's funnel.
   */
  private double generatorRate(AdlakeConfig config, List<EventType> streams)
      throws InterruptedException {
    Map<EventType, Long> counts = new EnumMap<>(EventType.class);
    new FunnelGenerator(config)
        .generate(
            FunnelGenerator.Run.count(100_000, config.generator().eventRate(), Instant.now()),
            capture(s -> counts.merge(s.type(), 1L, Long::sum)),
            s -> {});
    // The generator's rate counts the four funnel streams (conversions come on top).
    long all = FUNNEL.stream().mapToLong(t -> counts.getOrDefault(t, 0L)).sum();
    long own = streams.stream().mapToLong(t -> counts.getOrDefault(t, 0L)).sum();
    return options.pacedRate() * all / Math.max(1, own);
  }

  private static List<EventType> streams(Case c) {
    return c == Case.ATTRIBUTION ? TOUCHES : FUNNEL;
  }

  private static EventSink capture(java.util.function.Consumer<Sent> to) {
    return new EventSink() {
      @Override
      public void send(EventType type, String key, byte[] value) {
        to.accept(new Sent(type, key, value));
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
  }

  // ---- one run ----

  private record RunResult(Measure measure, Set<String> keys) {}

  private RunResult runOne(EmbeddedKafkaBroker broker, Case c, Side side, int round, Burst burst)
      throws Exception {
    String namespace = "bp_" + c.name().toLowerCase() + "_" + side.name().toLowerCase() + round;
    AdlakeConfig config = config(broker, namespace);
    broker.createTopics(
        Arrays.stream(EventType.values()).map(t -> t.streamName(config.streams())).toList(), 2);
    Path work = options.workDir().resolve("runs").resolve(namespace);
    Files.createDirectories(work);
    List<String> outputs = outputTables(c, side);
    out.printf(
        "%s, %s, round %d: namespace %s%n",
        c.name().toLowerCase(), label(c, side), round, namespace);
    Process process = start(c, side, config, work);
    CpuSampler cpu = new CpuSampler(process);
    try {
      awaitReady(process, side, work);
      Thread.sleep(3_000);
      // Burst: as fast as the broker takes them.
      long firstSend = System.currentTimeMillis();
      long cpuAtStart = cpu.now();
      try (KafkaEventSink sink = sink(broker, config)) {
        for (Sent s : burst.records()) {
          sink.send(s.type(), s.key(), s.value());
        }
        sink.flush();
      }
      long lastSend = System.currentTimeMillis();
      awaitQuiet(namespace, outputs, process, work);
      // Paced: event time = wall clock, send time of every record kept.
      long pacedStart = System.currentTimeMillis();
      SendLog paced = new SendLog();
      try (KafkaEventSink sink = sink(broker, config)) {
        new FunnelGenerator(config)
            .generate(
                FunnelGenerator.Run.paced(
                        burst.pacedGeneratorRate(), options.pacedFor(), Instant.now())
                    .onlyStreams(EnumSet.copyOf(streams(c))),
                paced.wrap(sink),
                s -> {});
      }
      awaitQuiet(namespace, outputs, process, work);
      long peakRss = peakRss(process.pid());
      ChildProcesses.stop(process, Duration.ofSeconds(30));

      Analysis analysis =
          c == Case.ATTRIBUTION
              ? attribution(namespace, outputs.get(0), pacedStart, paced)
              : ingest(namespace, outputs, side, pacedStart, paced);
      double seconds = (analysis.burstDone() - firstSend) / 1000.0;
      long cpuUsed = cpu.at(analysis.burstDone()) - cpuAtStart;
      out.printf(
          "    burst of %,d events sent in %.1f s, all visible after %.1f s; paced %,d events"
              + " at %.0f/s%n",
          burst.records().size(),
          (lastSend - firstSend) / 1000.0,
          seconds,
          paced.count(),
          paced.count() / Math.max(1.0, options.pacedFor().toSeconds()));
      if (options.profile() && side == Side.ADLAKE) {
        out.println("    CPU profile (collapsed stacks): " + work.resolve("profile-cpu.collapsed"));
      }
      Measure measure =
          new Measure(
              c,
              side,
              round,
              burst.records().size(),
              burst.records().size() / seconds,
              cpuUsed / 1e9 / burst.records().size() * 1e6,
              peakRss,
              percentile(analysis.freshness(), 50),
              percentile(analysis.freshness(), 99),
              analysis.freshness().size(),
              analysis.rows());
      return new RunResult(measure, analysis.keys());
    } finally {
      if (process.isAlive()) {
        ChildProcesses.stop(process, Duration.ofSeconds(30));
      }
      cpu.close();
    }
  }

  private KafkaEventSink sink(EmbeddedKafkaBroker broker, AdlakeConfig config) {
    return new KafkaEventSink(broker.bootstrapServers(), config.streams(), Map.of());
  }

  private static String label(Case c, Side side) {
    if (side == Side.ADLAKE) {
      return c == Case.ATTRIBUTION ? "adlake attribute" : "adlake ingest";
    }
    return c == Case.ATTRIBUTION ? "Flink SQL" : "Kafka Connect Iceberg sink";
  }

  private static List<String> outputTables(Case c, Side side) {
    if (c == Case.ATTRIBUTION) {
      return List.of(side == Side.ADLAKE ? "enriched_ad_data" : FLINK_TABLE);
    }
    return FUNNEL.stream().map(t -> IngestJob.bronzeSpec(t).name()).toList();
  }

  private Path peerModule(Case c) {
    return root.resolve(c == Case.ATTRIBUTION ? FLINK_MODULE : CONNECT_MODULE);
  }

  private Process start(Case c, Side side, AdlakeConfig config, Path work) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(java, "-Xmx" + options.heap()));
    String warehouse = options.workDir().resolve("warehouse").toAbsolutePath().toString();
    String bootstrap = config.source().kafka().bootstrapServers();
    if (side == Side.ADLAKE && options.profile()) {
      // CPU samples by interval timer (no perf events needed), as collapsed stacks.
      command.add(
          "-agentpath:"
              + profilerLibrary()
              + "=start,event=itimer,interval=10ms,collapsed,file="
              + work.resolve("profile-cpu.collapsed").toAbsolutePath());
    }
    if (side == Side.ADLAKE) {
      // This JVM's own flags (the --add-opens of the launcher) and classpath.
      ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
          .filter(a -> !a.startsWith("-Xmx") && !a.startsWith("-agentlib"))
          .forEach(command::add);
      command.addAll(
          List.of(
              "-cp",
              System.getProperty("java.class.path"),
              LocalMain.class.getName(),
              c == Case.ATTRIBUTION ? "attribute" : "ingest",
              "--trigger",
              "processing-time"));
      for (String setting :
          List.of(
              "adlake.source.type=kafka",
              "adlake.source.kafka.bootstrap-servers=" + bootstrap,
              "adlake.catalog.warehouse=" + warehouse,
              "adlake.catalog.namespace=" + config.catalog().namespace(),
              "adlake.streaming.checkpoint-root=" + work.resolve("checkpoints"),
              "adlake.streaming.trigger-interval=" + options.interval().toMillis() + "ms",
              "adlake.spark.master=" + options.master())) {
        command.add("--conf");
        command.add(setting);
      }
      for (EventType type : EventType.values()) {
        command.add("--conf");
        command.add(
            "adlake.streams."
                + type.streamName(StreamNames.byKey())
                + "="
                + type.streamName(config.streams()));
      }
    } else {
      Path module = peerModule(c);
      Path jvmOptions = module.resolve("target/peer-jvm.options");
      if (Files.isRegularFile(jvmOptions)) {
        command.add("@" + jvmOptions);
      }
      command.addAll(
          List.of(
              "-cp",
              module.resolve("target/classes")
                  + ":"
                  + Files.readString(module.resolve("target/peer-classpath.txt")).trim(),
              c == Case.ATTRIBUTION ? FLINK_MAIN : CONNECT_MAIN,
              "--bootstrap-servers",
              bootstrap,
              "--warehouse",
              warehouse,
              "--namespace",
              config.catalog().namespace(),
              "--interval-ms",
              Long.toString(options.interval().toMillis()),
              "--work-dir",
              work.toAbsolutePath().toString()));
      if (c == Case.ATTRIBUTION) {
        command.addAll(
            List.of(
                "--impressions-topic",
                EventType.IMPRESSION.streamName(config.streams()),
                "--clicks-topic",
                EventType.CLICK.streamName(config.streams())));
      } else {
        command.add("--topics");
        command.add(
            FUNNEL.stream()
                .map(t -> IngestJob.bronzeSpec(t).name() + "=" + t.streamName(config.streams()))
                .collect(Collectors.joining(",")));
      }
    }
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(root.toFile())
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("process.log").toFile());
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    return builder.start();
  }

  /** async-profiler's agent for this platform, unpacked from its Maven jar on the classpath. */
  private Path profilerLibrary() throws IOException {
    String arch = System.getProperty("os.arch").contains("aarch64") ? "linux-arm64" : "linux-x64";
    Path library = options.workDir().resolve("libasyncProfiler.so").toAbsolutePath();
    if (!Files.exists(library)) {
      try (var in = PeerBench.class.getResourceAsStream("/" + arch + "/libasyncProfiler.so")) {
        if (in == null) {
          throw new ConfigurationException(
              "--profile: async-profiler's "
                  + arch
                  + " agent is not on the classpath (Linux only).");
        }
        Files.copy(in, library);
      }
    }
    return library;
  }

  /**
   * Returns once the process says its job runs: adlake's "query … started" line, the peers' {@code
   * PEER READY}.
   */
  private void awaitReady(Process process, Side side, Path work) throws Exception {
    Predicate<String> ready =
        side == Side.ADLAKE
            ? line -> line.contains("query ") && line.contains(" started")
            : line -> line.strip().equals("PEER READY");
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    Path log = work.resolve("process.log");
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "The process ended before it was ready (exit "
                + process.exitValue()
                + "); its output: "
                + log
                + "\n"
                + tail(log));
      }
      if (Files.exists(log)) {
        try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
          if (lines.anyMatch(ready)) {
            return;
          }
        } catch (UncheckedIOException e) {
          // A half-written line: look again.
        }
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(
        "The process was not ready within " + READY_TIMEOUT + "; its output: " + log);
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }

  /**
   * Waits until the output tables' row counts have not changed for two intervals plus 10 s (and at
   * least one row is there).
   */
  private void awaitQuiet(String namespace, List<String> outputs, Process process, Path work)
      throws InterruptedException {
    Duration quiet = options.interval().multipliedBy(2).plusSeconds(10);
    long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
    Map<String, Long> last = Map.of();
    long changed = System.nanoTime();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "The process died (exit "
                + process.exitValue()
                + "); its output: "
                + work.resolve("process.log")
                + "\n"
                + tail(work.resolve("process.log")));
      }
      Map<String, Long> now = new TreeMap<>();
      for (String table : outputs) {
        now.put(table, currentRecords(namespace, table));
      }
      if (!now.equals(last)) {
        last = now;
        changed = System.nanoTime();
      } else if (now.values().stream().mapToLong(Long::longValue).sum() > 0
          && System.nanoTime() - changed > quiet.toNanos()) {
        return;
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException(
        "The output tables " + outputs + " still changed after " + DRAIN_TIMEOUT + ": " + last);
  }

  private Optional<Table> table(String namespace, String name) {
    Path location = options.workDir().resolve("warehouse").resolve(namespace).resolve(name);
    if (!Files.isDirectory(location.resolve("metadata"))) {
      return Optional.empty();
    }
    try {
      return Optional.of(tables.load(location.toAbsolutePath().toString()));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private long currentRecords(String namespace, String name) {
    return table(namespace, name)
        .map(Table::currentSnapshot)
        .map(PeerBench::totalRecords)
        .orElse(0L);
  }

  private static long totalRecords(Snapshot snapshot) {
    return Long.parseLong(snapshot.summary().getOrDefault(SnapshotSummary.TOTAL_RECORDS_PROP, "0"));
  }

  /** The current snapshot's ancestors, oldest first. */
  private static List<Snapshot> history(Table table) {
    List<Snapshot> snapshots = new ArrayList<>();
    for (Snapshot s = table.currentSnapshot();
        s != null;
        s = s.parentId() == null ? null : table.snapshot(s.parentId())) {
      snapshots.add(s);
    }
    Collections.reverse(snapshots);
    return snapshots;
  }

  // ---- analysis ----

  private record Analysis(
      long burstDone, List<Double> freshness, Map<String, Long> rows, Set<String> keys) {}

  /**
   * Attribution: the keys of each snapshot, read with Iceberg's generic reader (deletes applied); a
   * key is visible at the commit of the first snapshot that holds it.
   */
  private Analysis attribution(String namespace, String output, long pacedStart, SendLog paced)
      throws IOException {
    Table table =
        table(namespace, output)
            .orElseThrow(() -> new IllegalStateException(namespace + "." + output + " is missing"));
    Map<String, Long> visible = new HashMap<>();
    // The burst's keys: the same events for both systems (the paced phase's events differ).
    Set<String> last = Set.of();
    for (Snapshot snapshot : history(table)) {
      Set<String> keys = new HashSet<>();
      try (CloseableIterable<Record> rows =
          IcebergGenerics.read(table)
              .useSnapshot(snapshot.snapshotId())
              .select("ad_id", "impression_id")
              .build()) {
        for (Record r : rows) {
          keys.add(r.getField("ad_id") + "/" + r.getField("impression_id"));
        }
      }
      for (String key : keys) {
        visible.putIfAbsent(key, snapshot.timestampMillis());
      }
      if (snapshot.timestampMillis() < pacedStart) {
        last = keys;
      }
    }
    long burstDone =
        visible.values().stream()
            .filter(t -> t < pacedStart)
            .mapToLong(Long::longValue)
            .max()
            .orElseThrow(() -> new IllegalStateException("no row of the burst became visible"));
    List<Double> freshness = new ArrayList<>();
    visible.forEach(
        (key, at) -> {
          Long sent = paced.keySent().get(key);
          if (sent != null) {
            freshness.add((at - sent) / 1000.0);
          }
        });
    return new Analysis(burstDone, freshness, Map.of(output, (long) last.size()), last);
  }

  /**
   * Ingest: row counts per snapshot (the snapshot summaries' total-records); the k-th record a
   * table received in the paced phase is visible when the table first holds k rows more than after
   * the burst.
   */
  private Analysis ingest(
      String namespace, List<String> outputs, Side side, long pacedStart, SendLog paced)
      throws IOException {
    long burstDone = 0;
    List<Double> freshness = new ArrayList<>();
    Map<String, Long> ids = new LinkedHashMap<>();
    for (int i = 0; i < outputs.size(); i++) {
      String name = outputs.get(i);
      EventType type = FUNNEL.get(i);
      Table table =
          table(namespace, name)
              .orElseThrow(() -> new IllegalStateException(namespace + "." + name + " is missing"));
      List<Snapshot> snapshots = history(table);
      long burstRows =
          snapshots.stream()
              .filter(s -> s.timestampMillis() < pacedStart)
              .mapToLong(PeerBench::totalRecords)
              .max()
              .orElse(0);
      long reached =
          snapshots.stream()
              .filter(s -> totalRecords(s) >= burstRows)
              .mapToLong(Snapshot::timestampMillis)
              .min()
              .orElse(pacedStart);
      burstDone = Math.max(burstDone, reached);
      List<Long> sent = paced.typeSent().getOrDefault(type, List.of());
      long finalRows = snapshots.isEmpty() ? 0 : totalRecords(snapshots.get(snapshots.size() - 1));
      // adlake's bid_requests holds a row per ad slot: rows per record of the paced phase.
      double rowsPerRecord =
          sent.isEmpty() ? 1 : Math.max(1e-9, (finalRows - burstRows) / (double) sent.size());
      int k = 0;
      for (Snapshot s : snapshots) {
        long have = totalRecords(s) - burstRows;
        while (k < sent.size()
            && Math.ceil((k + 1) * rowsPerRecord) <= have
            && s.timestampMillis() >= pacedStart) {
          freshness.add((s.timestampMillis() - sent.get(k)) / 1000.0);
          k++;
        }
      }
      // The burst's records: the same events for both systems (the paced phase's events differ).
      Optional<Snapshot> burstEnd =
          snapshots.stream().filter(s -> s.timestampMillis() < pacedStart).reduce((a, b) -> b);
      ids.put(name, burstEnd.isEmpty() ? 0 : distinct(table, burstEnd.get(), idColumn(type, side)));
    }
    return new Analysis(burstDone, freshness, ids, Set.of());
  }

  /** The column that names a record: adlake's bronze columns, or the raw JSON's field. */
  private static String idColumn(EventType type, Side side) {
    return switch (type) {
      case BID_REQUEST -> side == Side.ADLAKE ? "request_id" : "id";
      case BID_RESPONSE -> side == Side.ADLAKE ? "response_id" : "bidid";
      case IMPRESSION -> "impression_id";
      case CLICK -> "click_id";
      case CONVERSION -> "conversion_id";
    };
  }

  private static long distinct(Table table, Snapshot snapshot, String column) throws IOException {
    Set<Object> values = new HashSet<>();
    try (CloseableIterable<Record> rows =
        IcebergGenerics.read(table).useSnapshot(snapshot.snapshotId()).select(column).build()) {
      for (Record r : rows) {
        values.add(r.getField(column));
      }
    }
    return values.size();
  }

  /** Send times of the paced phase: per type in send order, and per attribution key. */
  private static final class SendLog {
    private final Map<EventType, List<Long>> typeSent = new ConcurrentHashMap<>();
    private final Map<String, Long> keySent = new ConcurrentHashMap<>();
    private long count;

    EventSink wrap(EventSink sink) {
      return new EventSink() {
        @Override
        public void send(EventType type, String key, byte[] value) {
          sink.send(type, key, value);
          long now = System.currentTimeMillis();
          count++;
          typeSent.computeIfAbsent(type, t -> new ArrayList<>()).add(now);
          if (type == EventType.IMPRESSION || type == EventType.CLICK) {
            try {
              JsonNode node = JSON.readTree(value);
              // A key is complete once both its impression and its click are sent.
              keySent.merge(
                  node.path("ad_id").asText() + "/" + node.path("impression_id").asText(),
                  now,
                  Math::max);
            } catch (IOException e) {
              // Not an event with a key: nothing to time.
            }
          }
        }

        @Override
        public void flush() {
          sink.flush();
        }

        @Override
        public void close() {}
      };
    }

    Map<EventType, List<Long>> typeSent() {
      return typeSent;
    }

    Map<String, Long> keySent() {
      return keySent;
    }

    long count() {
      return count;
    }
  }

  /** Process CPU time (user + system, all threads), sampled every 250 ms. */
  private static final class CpuSampler implements AutoCloseable {
    private final ProcessHandle process;
    private final TreeMap<Long, Long> samples = new TreeMap<>();
    private final Thread thread;
    private final CountDownLatch stop = new CountDownLatch(1);

    CpuSampler(Process process) {
      this.process = process.toHandle();
      this.thread =
          new Thread(
              () -> {
                try {
                  do {
                    sample();
                  } while (!stop.await(250, TimeUnit.MILLISECONDS));
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "bench-peers-cpu");
      thread.setDaemon(true);
      thread.start();
    }

    private void sample() {
      process
          .info()
          .totalCpuDuration()
          .ifPresent(
              d -> {
                synchronized (samples) {
                  samples.put(System.currentTimeMillis(), d.toNanos());
                }
              });
    }

    long now() {
      sample();
      synchronized (samples) {
        return samples.isEmpty() ? 0 : samples.lastEntry().getValue();
      }
    }

    /** CPU nanoseconds used by {@code millis} (the first sample at or after it). */
    long at(long millis) {
      synchronized (samples) {
        Map.Entry<Long, Long> e = samples.ceilingEntry(millis);
        return (e != null ? e : samples.lastEntry()).getValue();
      }
    }

    @Override
    public void close() {
      stop.countDown();
    }
  }

  /** The process's peak resident set (VmHWM of /proc), in bytes; 0 where /proc has no answer. */
  private static long peakRss(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // No /proc (not Linux): no figure.
    }
    return 0;
  }

  // ---- output ----

  private void compare(Case c, int round, RunResult adlake, RunResult peer, Burst burst) {
    if (c == Case.ATTRIBUTION) {
      out.printf(
          "  round %d: the generator expects %,d attributions of the burst; adlake's keys %s them,"
              + " Flink's %s them%n",
          round,
          burst.expectedKeys().size(),
          adlake.keys().equals(burst.expectedKeys()) ? "equal" : "differ from",
          peer.keys().equals(burst.expectedKeys()) ? "equal" : "differ from");
      Set<String> onlyAdlake = new HashSet<>(adlake.keys());
      onlyAdlake.removeAll(peer.keys());
      Set<String> onlyPeer = new HashSet<>(peer.keys());
      onlyPeer.removeAll(adlake.keys());
      out.printf(
          "  round %d attribution keys of the burst: adlake %,d, Flink %,d; only in adlake %,d%s,"
              + " only in Flink"
              + " %,d%s%n",
          round,
          adlake.keys().size(),
          peer.keys().size(),
          onlyAdlake.size(),
          sample(onlyAdlake),
          onlyPeer.size(),
          sample(onlyPeer));
    } else {
      Map<String, Long> a = adlake.measure().rows();
      Map<String, Long> p = peer.measure().rows();
      List<String> differences =
          a.keySet().stream()
              .filter(t -> !a.get(t).equals(p.get(t)))
              .map(t -> t + " adlake " + a.get(t) + " vs Connect " + p.get(t))
              .toList();
      out.printf(
          "  round %d bronze records of the burst (distinct ids): %s%n",
          round, differences.isEmpty() ? "equal in every table " + a : differences);
    }
  }

  private static String sample(Set<String> keys) {
    return keys.isEmpty()
        ? ""
        : " (e.g. " + keys.stream().sorted().limit(3).collect(Collectors.joining(", ")) + ")";
  }

  private static String describe(Measure m) {
    return String.format(
        "%s %s round %d: %,.0f events/s, %.1f CPU s per million events, peak RSS %,d MB,"
            + " freshness p50 %.1f s p99 %.1f s (%,d samples), %s %s",
        m.benchCase().name().toLowerCase(),
        label(m.benchCase(), m.side()),
        m.round(),
        m.eventsPerSecond(),
        m.cpuSecondsPerMillion(),
        m.peakRssBytes() >> 20,
        m.freshnessP50(),
        m.freshnessP99(),
        m.freshnessSamples(),
        m.benchCase() == Case.ATTRIBUTION ? "keys" : "distinct ids",
        m.rows());
  }

  private void printTable(List<Measure> measures) {
    out.printf(
        "%n== bench-peers: %,d events per burst, interval %d s, paced %.0f events/s for %d s, heap %s,"
            + " %s, median of %d round(s)%n",
        options.events(),
        options.interval().toSeconds(),
        options.pacedRate(),
        options.pacedFor().toSeconds(),
        options.heap(),
        options.master(),
        options.rounds());
    out.println(
        "case        | system                     | events/s | CPU s / M events | peak RSS MB |"
            + " fresh p50 s | fresh p99 s");
    Map<Case, Map<Side, List<Measure>>> by =
        measures.stream()
            .collect(
                Collectors.groupingBy(
                    Measure::benchCase,
                    () -> new EnumMap<>(Case.class),
                    Collectors.groupingBy(
                        Measure::side, () -> new EnumMap<>(Side.class), Collectors.toList())));
    for (var entry : by.entrySet()) {
      Map<Side, double[]> medians = new EnumMap<>(Side.class);
      for (Side side : Side.values()) {
        List<Measure> ms = entry.getValue().getOrDefault(side, List.of());
        if (ms.isEmpty()) {
          continue;
        }
        double[] m = {
          median(ms.stream().map(Measure::eventsPerSecond).toList()),
          median(ms.stream().map(Measure::cpuSecondsPerMillion).toList()),
          median(ms.stream().map(x -> (double) (x.peakRssBytes() >> 20)).toList()),
          median(ms.stream().map(Measure::freshnessP50).toList()),
          median(ms.stream().map(Measure::freshnessP99).toList())
        };
        medians.put(side, m);
        out.printf(
            "%-11s | %-26s | %8.0f | %16.1f | %11.0f | %11.1f | %11.1f%n",
            entry.getKey().name().toLowerCase(),
            label(entry.getKey(), side),
            m[0],
            m[1],
            m[2],
            m[3],
            m[4]);
      }
      if (medians.size() == 2) {
        double[] a = medians.get(Side.ADLAKE);
        double[] p = medians.get(Side.PEER);
        out.printf(
            "%-11s | %-26s | %8.2f | %16.2f | %11.2f | %11.2f | %11.2f%n",
            entry.getKey().name().toLowerCase(),
            "ratio adlake / peer",
            a[0] / p[0],
            a[1] / p[1],
            a[2] / p[2],
            a[3] / p[3],
            a[4] / p[4]);
      }
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static double percentile(List<Double> values, int p) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = values.stream().sorted().toList();
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }
}
