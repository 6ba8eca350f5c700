package io.adlake.local.soak;

import static java.util.Objects.requireNonNull;

import io.adlake.config.AdlakeConfig;
import io.adlake.config.ConfigLoader;
import io.adlake.embedded.ChildProcesses;
import io.adlake.embedded.EmbeddedKafkaBroker;
import io.adlake.event.EventType;
import io.adlake.job.IngestJob;
import io.adlake.job.ProgressLog;
import io.adlake.job.SparkSessions;
import io.adlake.job.StreamingJobs;
import io.adlake.job.Triggers;
import io.adlake.lake.AdlakeTables;
import io.adlake.lake.CommitLedger;
import io.adlake.lake.TableSetup;
import io.adlake.local.Demo;
import io.adlake.local.soak.Trend.Point;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StateOperatorProgress;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;

/**
 * {@code bin/adlake soak}: the whole pipeline ({@code run}: ingest, attribution, conversions,
 * aggregate) with an interval trigger for a long time, fed at a constant rate, with one line of
 * figures per sample and, at the end, a trend per series. Prints; asserts nothing.
 *
 * <p>The broker and the generator run in child JVMs so that the driver's heap and file descriptors
 * are the pipeline's own.
 */
public final class Soak {
  /**
   * @param length how long the pipeline runs
   * @param rate generator events per second (all five streams)
   * @param sample time between samples
   * @param warmup samples before this are printed but left out of the trends
   * @param trigger the {@code run --trigger} value: an interval such as 10s, or processing-time
   * @param dataDir broker log, warehouse, checkpoints and logs of the run (reset at start)
   */
  public record Options(
      Duration length,
      double rate,
      Duration sample,
      Duration warmup,
      String trigger,
      Path dataDir) {
    public Options {
      requireNonNull(length, "length");
      requireNonNull(sample, "sample");
      requireNonNull(warmup, "warmup");
      requireNonNull(trigger, "trigger");
      requireNonNull(dataDir, "dataDir");
      if (length.compareTo(sample) < 0) {
        throw new IllegalArgumentException(
            "--minutes (" + length.toMinutes() + ") is shorter than one sample (" + sample + ")");
      }
      if (sample.toSeconds() < 5) {
        throw new IllegalArgumentException(
            "--sample-seconds must be >= 5, got " + sample.toSeconds());
      }
      if (trigger.equals(Triggers.AVAILABLE_NOW)) {
        throw new IllegalArgumentException(
            "--trigger available-now stops when the input is read; a soak needs an interval, e.g. 10s");
      }
      if (!(rate > 0)) {
        throw new IllegalArgumentException("--rate must be > 0 events/s, got " + rate);
      }
    }
  }

  private static final DateTimeFormatter CLOCK =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);
  private static final double MB = 1024.0 * 1024.0;
  private static final String WRITER = CommitLedger.WRITER_PROPERTY;
  private static final String BATCH = CommitLedger.BATCH_PROPERTY;

  private final PrintStream out;

  public Soak(PrintStream out) {
    this.out = out;
  }

  /** One sample: the row printed and the per-query windows it was computed from. */
  private record Sample(
      double minutes,
      Instant at,
      double loadAverage,
      long heapBytes,
      OpenFiles filesBeforeGc,
      OpenFiles filesAfterGc,
      long unclosedStreams,
      double generatedPerSecond,
      double readPerSecond,
      double processedPerSecond,
      long ingestLag,
      long attributionLag,
      Map<String, QueryWindow> queries) {}

  /**
   * @param loadConfig loads the configuration with extra {@code key=value} overrides
   */
  public void run(Options options, Function<String[], AdlakeConfig> loadConfig) throws Exception {
    Path data = options.dataDir().toAbsolutePath();
    out.printf("Resetting %s (broker log, warehouse, checkpoints, logs of the last soak)%n", data);
    deleteRecursively(data);
    Files.createDirectories(data);
    Process broker = null;
    Process generator = null;
    SparkSession spark = null;
    Thread jobs = null;
    try {
      broker = startBroker(data);
      String bootstrap = awaitReady(broker, data.resolve("broker.out"), Duration.ofMinutes(2));
      out.printf("Broker (child JVM) ready at %s%n", bootstrap);
      AdlakeConfig config =
          loadConfig.apply(
              new String[] {
                "adlake.source.type=kafka",
                "adlake.source.kafka.bootstrap-servers=" + bootstrap,
                "adlake.catalog.warehouse=" + data.resolve("warehouse"),
                "adlake.streaming.checkpoint-root=" + data.resolve("checkpoints")
              });
      List<String> topics =
          Arrays.stream(EventType.values()).map(t -> t.streamName(config.streams())).toList();
      // The generator outlives the run by a margin, so the input never stops before the samples do.
      generator = startGenerator(data, bootstrap, options.rate(), options.length().plusMinutes(5));
      try (Admin admin = admin(bootstrap)) {
        awaitTopics(admin, topics, generator, data.resolve("generator.log"));
        out.printf(
            "Generator (child JVM) sending %,.0f events/s to %s; log %s%n",
            options.rate(), topics, data.resolve("generator.log"));

        spark = SparkSessions.create(config);
        // The campaigns and advertisers the events name, so the jobs join real names.
        Demo.loadGeneratedDimensions(
            spark, config, data.resolve("dims"), LocalDate.now(ZoneOffset.UTC).minusDays(1), out);
        UnclosedStreamCounter unclosed = UnclosedStreamCounter.attach();
        SoakListener listener = new SoakListener();
        spark.streams().addListener(listener);
        Trigger trigger = Triggers.parse(options.trigger(), config.streaming().triggerInterval());
        AtomicReference<Throwable> jobFailure = new AtomicReference<>();
        jobs = startJobs(spark, config, trigger, data.resolve("progress.log"), jobFailure);
        out.printf(
            "Running ingest, attribution, conversions and aggregate with trigger %s for %d min; "
                + "a sample every %d s, the first %d min left out of the trends as warm-up%n%n",
            options.trigger(),
            options.length().toMinutes(),
            options.sample().toSeconds(),
            options.warmup().toMinutes());

        List<Sample> samples = new ArrayList<>();
        Map<String, List<Point>> series = new LinkedHashMap<>();
        Map<String, LatencyHistogram[]> runHistograms = new TreeMap<>();
        Instant start = Instant.now();
        Map<String, Long> lastLatest = latestOffsets(admin, topics);
        long lastUnclosed = 0;
        Instant last = start;
        printHeader();
        for (int i = 1; ; i++) {
          Instant due = start.plus(options.sample().multipliedBy(i));
          if (due.isAfter(start.plus(options.length()))) {
            break;
          }
          String failure = awaitUntil(due, jobFailure, listener);
          if (failure != null) {
            out.println("\nThe run stopped early: " + failure);
            break;
          }
          Sample s =
              sample(
                  spark,
                  config,
                  admin,
                  topics,
                  listener,
                  unclosed.count() - lastUnclosed,
                  lastLatest,
                  Duration.between(last, Instant.now()),
                  Duration.between(start, Instant.now()),
                  data.resolve("warehouse"));
          lastUnclosed += s.unclosedStreams();
          last = s.at();
          samples.add(s);
          printRow(s);
          if (s.minutes() >= options.warmup().toSeconds() / 60.0) {
            addToSeries(series, s);
            for (QueryWindow w : s.queries().values()) {
              LatencyHistogram[] run =
                  runHistograms.computeIfAbsent(
                      w.name,
                      n ->
                          new LatencyHistogram[] {
                            QueryWindow.batchHistogram(), QueryWindow.freshnessHistogram()
                          });
              run[0].addAll(w.batchMillis);
              run[1].addAll(w.freshness);
            }
          }
        }
        stopQueries(spark, jobs);
        printSummary(
            options,
            config.streaming().triggerInterval(),
            samples,
            series,
            runHistograms,
            unclosed);
      }
    } finally {
      if (jobs != null && jobs.isAlive() && spark != null) {
        stopQueries(spark, jobs);
      }
      if (generator != null) {
        ChildProcesses.stop(generator, Duration.ofSeconds(10));
      }
      if (spark != null) {
        spark.stop();
      }
      if (broker != null) {
        broker.getOutputStream().close(); // its main returns when standard input closes
        ChildProcesses.stop(broker, Duration.ofSeconds(30));
      }
    }
    out.printf("Logs of the run: %s (broker.out, generator.log, progress.log)%n", data);
  }

  // ---- children ----

  private static Process startBroker(Path data) throws IOException {
    return java("-Xmx512m", EmbeddedKafkaBroker.class.getName(), data.resolve("kafka").toString())
        .redirectOutput(data.resolve("broker.out").toFile())
        .redirectErrorStream(true)
        .start();
  }

  private static Process startGenerator(Path data, String bootstrap, double rate, Duration length)
      throws IOException {
    return java(
            "-Xmx768m",
            "io.adlake.local.LocalMain",
            "generate",
            "--to",
            "kafka",
            "--partitions",
            "2",
            "--rate",
            Double.toString(rate),
            "--duration",
            length.toSeconds() + "s",
            "--conf",
            "adlake.source.kafka.bootstrap-servers=" + bootstrap)
        .redirectOutput(data.resolve("generator.log").toFile())
        .redirectErrorStream(true)
        .start();
  }

  /** This JVM's java and classpath, with the given heap, main class and arguments. */
  private static ProcessBuilder java(String heap, String mainClass, String... args) {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add(heap);
    String log4j = System.getProperty("log4j2.configurationFile");
    if (log4j != null) {
      command.add("-Dlog4j2.configurationFile=" + log4j);
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(List.of(args));
    return new ProcessBuilder(command);
  }

  private static String awaitReady(Process broker, Path output, Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(output)) {
        Optional<String> ready =
            Files.readAllLines(output, StandardCharsets.UTF_8).stream()
                .filter(l -> l.startsWith("READY "))
                .findFirst();
        if (ready.isPresent()) {
          return ready.get().substring("READY ".length()).trim();
        }
      }
      if (!broker.isAlive()) {
        throw new IllegalStateException(
            "The broker's JVM exited with code " + broker.exitValue() + "; see " + output);
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(
        "The broker was not ready after " + timeout + "; see " + output);
  }

  private static Admin admin(String bootstrap) {
    Properties p = new Properties();
    p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    p.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000");
    return Admin.create(p);
  }

  private static void awaitTopics(Admin admin, List<String> topics, Process generator, Path log)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!admin.listTopics().names().get(20, TimeUnit.SECONDS).containsAll(topics)) {
      if (!generator.isAlive()) {
        throw new IllegalStateException(
            "The generator exited with code " + generator.exitValue() + "; see " + log);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "The generator created no topics " + topics + " in 120 s; see " + log);
      }
      Thread.sleep(500);
    }
  }

  // ---- the pipeline ----

  private static Thread startJobs(
      SparkSession spark,
      AdlakeConfig config,
      Trigger trigger,
      Path progressLog,
      AtomicReference<Throwable> failure)
      throws IOException, InterruptedException {
    PrintStream log =
        new PrintStream(Files.newOutputStream(progressLog), true, StandardCharsets.UTF_8);
    ProgressLog progress = new ProgressLog(log);
    Thread jobs =
        new Thread(
            () -> {
              try {
                StreamingJobs.runAll(spark, config, StreamingJobs.all(), trigger, progress);
              } catch (Throwable t) {
                failure.set(t);
              } finally {
                log.close();
              }
            },
            "soak-run");
    jobs.setDaemon(true);
    jobs.start();
    // ProgressLog keeps every progress it is sent: that would grow the heap this soak measures.
    // runAll registers it before it starts the first query; detached, it still prints the sinks'
    // per-batch lines into progress.log.
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (spark.streams().active().length == 0 && jobs.isAlive()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("No query started within 5 min; see " + progressLog);
      }
      Thread.sleep(100);
    }
    spark.streams().removeListener(progress);
    return jobs;
  }

  private static String awaitUntil(
      Instant due, AtomicReference<Throwable> jobFailure, SoakListener listener)
      throws InterruptedException {
    while (Instant.now().isBefore(due)) {
      if (jobFailure.get() != null) {
        Throwable t = jobFailure.get();
        return t.getClass().getSimpleName() + ": " + t.getMessage();
      }
      if (listener.failure() != null) {
        return listener.failure();
      }
      Thread.sleep(Math.min(1000, Math.max(1, Duration.between(Instant.now(), due).toMillis())));
    }
    return null;
  }

  private static void stopQueries(SparkSession spark, Thread jobs) throws InterruptedException {
    for (StreamingQuery query : spark.streams().active()) {
      try {
        query.stop();
      } catch (Exception e) {
        System.err.printf("Query %s did not stop cleanly: %s%n", query.name(), e.getMessage());
      }
    }
    jobs.join(TimeUnit.MINUTES.toMillis(2));
  }

  // ---- one sample ----

  private Sample sample(
      SparkSession spark,
      AdlakeConfig config,
      Admin admin,
      List<String> topics,
      SoakListener listener,
      long unclosedStreams,
      Map<String, Long> lastLatest,
      Duration window,
      Duration elapsed,
      Path warehouse)
      throws Exception {
    OpenFiles before = OpenFiles.count(warehouse);
    // A full collection, then the finalizers it queued (Iceberg closes unclosed streams in one).
    System.gc();
    System.runFinalization();
    System.gc();
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    OpenFiles after = OpenFiles.count(warehouse);

    Map<String, QueryWindow> queries = listener.drain();
    resolvePending(spark, config, listener, queries.values());

    Map<String, Long> latest = latestOffsets(admin, topics);
    double seconds = Math.max(1e-3, window.toMillis() / 1000.0);
    long generated = 0;
    for (Map.Entry<String, Long> e : latest.entrySet()) {
      generated += e.getValue() - lastLatest.getOrDefault(e.getKey(), 0L);
    }
    lastLatest.clear();
    lastLatest.putAll(latest);
    long ingestRows = 0;
    double processed = 0;
    long ingestLag = 0;
    long attributionLag = -1;
    for (QueryWindow w : queries.values()) {
      if (w.name.startsWith(IngestJob.QUERY_PREFIX)) {
        ingestRows += w.inputRows;
        processed += w.busyMillis > 0 ? w.inputRows * 1000.0 / w.busyMillis : 0;
        ingestLag += lag(w, latest);
      } else if (!w.kafkaEndOffsets.isEmpty()) {
        attributionLag = Math.max(0, attributionLag) + lag(w, latest);
      }
    }
    return new Sample(
        elapsed.toMillis() / 60_000.0,
        Instant.now(),
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
        heap,
        before,
        after,
        unclosedStreams,
        generated / seconds,
        ingestRows / seconds,
        processed,
        ingestLag,
        attributionLag,
        queries);
  }

  /** Records behind the newest offsets of the topics the query reads. */
  private static long lag(QueryWindow w, Map<String, Long> latest) {
    long lag = 0;
    Set<String> topics =
        w.kafkaEndOffsets.keySet().stream()
            .map(tp -> tp.substring(0, tp.lastIndexOf('/')))
            .collect(Collectors.toSet());
    for (Map.Entry<String, Long> e : latest.entrySet()) {
      String topic = e.getKey().substring(0, e.getKey().lastIndexOf('/'));
      if (topics.contains(topic)) {
        lag += Math.max(0, e.getValue() - w.kafkaEndOffsets.getOrDefault(e.getKey(), 0L));
      }
    }
    return lag;
  }

  private static Map<String, Long> latestOffsets(Admin admin, List<String> topics)
      throws Exception {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    admin
        .describeTopics(topics)
        .allTopicNames()
        .get(20, TimeUnit.SECONDS)
        .forEach(
            (topic, description) ->
                description
                    .partitions()
                    .forEach(
                        p ->
                            request.put(
                                new TopicPartition(topic, p.partition()), OffsetSpec.latest())));
    Map<String, Long> latest = new TreeMap<>();
    for (Map.Entry<TopicPartition, ListOffsetsResultInfo> e :
        admin.listOffsets(request).all().get(20, TimeUnit.SECONDS).entrySet()) {
      latest.put(e.getKey().topic() + "/" + e.getKey().partition(), e.getValue().offset());
    }
    return latest;
  }

  /**
   * The freshness of batches over Iceberg tables that report no event time: the snapshots they read
   * name the query and batch that wrote them (the commit ledger), whose frontier is known.
   */
  private static void resolvePending(
      SparkSession spark,
      AdlakeConfig config,
      SoakListener listener,
      Iterable<QueryWindow> windows) {
    List<Table> streamed = null;
    for (QueryWindow w : windows) {
      for (QueryWindow.PendingBatch batch : w.pending) {
        if (streamed == null) {
          streamed =
              Stream.of(
                      AdlakeTables.BID_REQUESTS,
                      AdlakeTables.BID_RESPONSES,
                      AdlakeTables.IMPRESSIONS,
                      AdlakeTables.CLICKS,
                      AdlakeTables.CONVERSIONS,
                      AdlakeTables.FUNNEL_EVENTS)
                  .map(t -> TableSetup.load(spark, config.catalog().qualified(t)))
                  .toList();
        }
        Instant frontier = null;
        for (long id : batch.snapshotIds()) {
          for (Table table : streamed) {
            Snapshot snapshot = table.snapshot(id);
            String writer = snapshot == null ? null : snapshot.summary().get(WRITER);
            String written = snapshot == null ? null : snapshot.summary().get(BATCH);
            Instant f =
                writer == null || written == null
                    ? null
                    : listener.frontier(writer, Long.parseLong(written));
            if (f != null && (frontier == null || f.isAfter(frontier))) {
              frontier = f;
            }
          }
        }
        if (frontier != null) {
          listener.recordFrontier(batch.queryId(), batch.batchId(), frontier);
          listener.advance(w, frontier, batch.visible());
        }
      }
    }
  }

  // ---- output ----

  private void printHeader() {
    out.printf(
        "%-8s %5s %5s %7s %5s %9s %8s %9s %8s %6s %6s %6s %7s %7s  %-34s %-34s%n",
        "time",
        "min",
        "load",
        "heap MB",
        "fds",
        "lake fds",
        "unclosed",
        "state rows",
        "state MB",
        "gen/s",
        "read/s",
        "proc/s",
        "lag in",
        "lag att",
        "batch p50/p99 s (worst query)",
        "fresh p50/p99 s (worst query)");
  }

  private void printRow(Sample s) {
    long stateRows = s.queries().values().stream().mapToLong(QueryWindow::stateRows).sum();
    long stateBytes = s.queries().values().stream().mapToLong(QueryWindow::stateBytes).sum();
    QueryWindow slowest = worst(s, w -> w.batchMillis);
    QueryWindow stalest = worst(s, w -> w.freshness);
    out.printf(
        "%-8s %5.1f %5.1f %7.0f %5d %4d/%-4d %8d %9d %8.1f %6.0f %6.0f %6.0f %7d %7s  %-34s %-34s%n",
        CLOCK.format(s.at()),
        s.minutes(),
        s.loadAverage(),
        s.heapBytes() / MB,
        s.filesBeforeGc().total(),
        s.filesBeforeGc().underWarehouse(),
        s.filesAfterGc().underWarehouse(),
        s.unclosedStreams(),
        stateRows,
        stateBytes / MB,
        s.generatedPerSecond(),
        s.readPerSecond(),
        s.processedPerSecond(),
        s.ingestLag(),
        s.attributionLag() < 0 ? "-" : Long.toString(s.attributionLag()),
        percentiles(slowest, w -> w.batchMillis),
        percentiles(stalest, w -> w.freshness));
  }

  private static QueryWindow worst(Sample s, Function<QueryWindow, LatencyHistogram> histogram) {
    return s.queries().values().stream()
        .filter(w -> !histogram.apply(w).isEmpty())
        .max(Comparator.comparingLong(w -> histogram.apply(w).percentileMillis(0.99)))
        .orElse(null);
  }

  private static String percentiles(
      QueryWindow w, Function<QueryWindow, LatencyHistogram> histogram) {
    if (w == null) {
      return "-";
    }
    LatencyHistogram h = histogram.apply(w);
    return String.format(
        "%.1f/%.1f %s",
        h.percentileMillis(0.5) / 1000.0, h.percentileMillis(0.99) / 1000.0, w.name);
  }

  private static void addToSeries(Map<String, List<Point>> series, Sample s) {
    double hours = s.minutes() / 60.0;
    add(series, "heap after full GC, MB", hours, s.heapBytes() / MB);
    add(series, "open fds (before GC)", hours, s.filesBeforeGc().total());
    add(series, "lake fds before GC", hours, s.filesBeforeGc().underWarehouse());
    add(series, "lake fds after GC", hours, s.filesAfterGc().underWarehouse());
    add(series, "unclosed-stream warnings per sample", hours, s.unclosedStreams());
    add(series, "Kafka lag, ingest (records)", hours, s.ingestLag());
    if (s.attributionLag() >= 0) {
      add(series, "Kafka lag, attribution (records)", hours, s.attributionLag());
    }
    add(series, "ingest read/s", hours, s.readPerSecond());
    for (QueryWindow w : s.queries().values()) {
      Map<String, Integer> seen = new HashMap<>();
      for (StateOperatorProgress op : w.state) {
        // A query may hold several operators of one kind (the funnel's three joins): numbered.
        int n = seen.merge(op.operatorName(), 1, Integer::sum);
        String name = w.name + " " + op.operatorName() + (n > 1 ? " #" + n : "");
        add(series, "state rows, " + name, hours, op.numRowsTotal());
        add(series, "state MB, " + name, hours, op.memoryUsedBytes() / MB);
      }
    }
    for (QueryWindow w : s.queries().values()) {
      if (!w.batchMillis.isEmpty()) {
        add(series, "batch p99 s, " + w.name, hours, w.batchMillis.percentileMillis(0.99) / 1e3);
      }
    }
    for (QueryWindow w : s.queries().values()) {
      if (!w.freshness.isEmpty()) {
        add(series, "freshness p99 s, " + w.name, hours, w.freshness.percentileMillis(0.99) / 1e3);
      }
    }
  }

  private static void add(Map<String, List<Point>> series, String name, double hours, double v) {
    series.computeIfAbsent(name, n -> new ArrayList<>()).add(new Point(hours, v));
  }

  private void printSummary(
      Options options,
      Duration configuredTrigger,
      List<Sample> samples,
      Map<String, List<Point>> series,
      Map<String, LatencyHistogram[]> runHistograms,
      UnclosedStreamCounter unclosed) {
    long triggerMillis = triggerMillis(options, configuredTrigger);
    out.printf(
        "%nPer query, after the %d-min warm-up (freshness: generator send -> visible in the query's "
            + "output table; bound = 2 x trigger + the query's longest batch):%n",
        options.warmup().toMinutes());
    out.printf(
        "%-40s %8s %10s %10s %10s %10s %10s %9s%n",
        "query",
        "batches",
        "batch p50",
        "batch p99",
        "batch max",
        "fresh p50",
        "fresh p99",
        "bound");
    for (Map.Entry<String, LatencyHistogram[]> e : runHistograms.entrySet()) {
      LatencyHistogram batch = e.getValue()[0];
      LatencyHistogram fresh = e.getValue()[1];
      long longest = batch.isEmpty() ? 0 : batch.percentileMillis(1.0);
      out.printf(
          "%-40s %8d %9.1fs %9.1fs %9.1fs %10s %10s %8.1fs%n",
          e.getKey(),
          batch.count(),
          batch.percentileMillis(0.5) / 1e3,
          batch.percentileMillis(0.99) / 1e3,
          longest / 1e3,
          fresh.isEmpty() ? "-" : String.format("%.1fs", fresh.percentileMillis(0.5) / 1e3),
          fresh.isEmpty() ? "-" : String.format("%.1fs", fresh.percentileMillis(0.99) / 1e3),
          (2 * triggerMillis + longest) / 1e3);
    }
    out.printf(
        "%nTrends after the warm-up (least squares over %d samples; flat = slope within 2 standard "
            + "errors of 0):%n",
        series.getOrDefault("heap after full GC, MB", List.of()).size());
    out.printf(
        "%-70s %10s %12s %10s %12s  %s%n",
        "series", "mean", "slope/h", "± 2 SE", "% of mean/h", "");
    List<Map.Entry<String, List<Point>>> ordered = new ArrayList<>(series.entrySet());
    // The driver's own series first, then each kind of per-query series, queries by name.
    ordered.sort(
        Comparator.comparingInt((Map.Entry<String, List<Point>> e) -> seriesGroup(e.getKey()))
            .thenComparing(e -> seriesGroup(e.getKey()) == 0 ? "" : e.getKey()));
    for (Map.Entry<String, List<Point>> e : ordered) {
      Trend t = Trend.fit(e.getValue());
      out.printf(
          "%-70s %10.1f %12.2f %10.2f %12s  %s%n",
          e.getKey(),
          t.mean(),
          t.slopePerHour(),
          2 * t.slopeStandardError(),
          t.mean() == 0 ? "-" : String.format("%.1f", 100 * t.slopePerHour() / t.mean()),
          t.verdict());
    }
    out.printf(
        "%nIceberg 'Unclosed input stream' warnings (HadoopStreams, logged when such a stream is "
            + "garbage collected): %d over %d samples%n",
        unclosed.count(), samples.size());
    for (Map.Entry<String, Long> stack : unclosed.stacks()) {
      out.printf("  %,d x created by:%n    %s%n", stack.getValue(), stack.getKey());
    }
  }

  private static int seriesGroup(String name) {
    List<String> prefixes =
        List.of("state rows, ", "state MB, ", "batch p99 s, ", "freshness p99 s, ");
    for (int i = 0; i < prefixes.size(); i++) {
      if (name.startsWith(prefixes.get(i))) {
        return i + 1;
      }
    }
    return 0;
  }

  private static long triggerMillis(Options options, Duration configured) {
    return options.trigger().equals(Triggers.PROCESSING_TIME)
        ? configured.toMillis()
        : ConfigLoader.duration(options.trigger(), "--trigger").toMillis();
  }

  static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
