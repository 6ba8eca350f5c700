package io.adlake.local;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.ntile;

import io.adlake.avro.AvroGeneration;
import io.adlake.config.AdlakeConfig;
import io.adlake.config.AdlakeConfig.GeoIpSettings;
import io.adlake.embedded.EmbeddedKafkaBroker;
import io.adlake.embedded.LocalSchemaRegistry;
import io.adlake.event.EventParser;
import io.adlake.event.EventSink;
import io.adlake.event.EventType;
import io.adlake.event.FunnelGenerator;
import io.adlake.event.FunnelGenerator.Summary;
import io.adlake.event.GenerationProgress;
import io.adlake.event.KafkaEventSink;
import io.adlake.geo.GeoIpFile;
import io.adlake.job.AggregateJob;
import io.adlake.job.AttributionJob;
import io.adlake.job.Checkpoints;
import io.adlake.job.ConversionJob;
import io.adlake.job.IngestJob;
import io.adlake.job.ProgressLog;
import io.adlake.job.SparkSessions;
import io.adlake.job.StreamingJobs;
import io.adlake.lake.AdlakeTables;
import io.adlake.lake.CommitLedger;
import io.adlake.lake.ExactlyOnceMerge;
import io.adlake.lake.ExactlyOnceMerge.BatchCommit;
import io.adlake.lake.MergeMode;
import io.adlake.lake.TableSetup;
import io.adlake.lake.TableSpec;
import io.adlake.source.EventSource;
import io.adlake.transform.Attribution;
import io.adlake.transform.ReferenceData;
import io.adlake.transform.RequestEnrichment;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.iceberg.IcebergBuild;
import org.apache.iceberg.Snapshot;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;

/**
 * {@code make bench}: figures, never assertions. In one run, on the embedded broker and the same
 * events: (a) plain Kafka → Iceberg append, (b) the attribution pipeline, alternated {@code repeat}
 * times, medians and their ratio; then MERGE milliseconds of a batch into a table that starts empty
 * versus one pre-filled with {@code prefillRows} rows.
 */
public final class Benchmark {
  public record Options(
      long events,
      long ingestEvents,
      long maxOffsetsPerTrigger,
      int repeat,
      long prefillRows,
      int mergeRows,
      int aggregateBatches,
      long conversionEvents,
      Path workDir) {}

  /**
   * The bench's config in a namespace of its own, with further {@code key=value} settings (later
   * ones win).
   */
  @FunctionalInterface
  private interface ConfigFor {
    AdlakeConfig apply(String namespace, String... overrides);
  }

  private final PrintStream out;

  public Benchmark(PrintStream out) {
    this.out = out;
  }

  public void run(Options options, Function<String[], AdlakeConfig> loadConfig) throws Exception {
    Demo.deleteRecursively(options.workDir());
    try (EmbeddedKafkaBroker broker =
        EmbeddedKafkaBroker.start(options.workDir().resolve("kafka"))) {
      ConfigFor configFor =
          (namespace, overrides) ->
              loadConfig.apply(
                  Stream.concat(
                          Stream.of(
                              "adlake.source.type=kafka",
                              "adlake.source.kafka.bootstrap-servers=" + broker.bootstrapServers(),
                              "adlake.source.kafka.max-offsets-per-trigger="
                                  + options.maxOffsetsPerTrigger(),
                              "adlake.catalog.warehouse=" + options.workDir().resolve("warehouse"),
                              "adlake.catalog.namespace=" + namespace,
                              "adlake.streaming.checkpoint-root="
                                  + options.workDir().resolve("checkpoints").resolve(namespace)),
                          Arrays.stream(overrides))
                      .toArray(String[]::new));
      AdlakeConfig base = configFor.apply("bench");
      long events = generate(broker, base, options.events());
      SparkSession spark = SparkSessions.create(base);

      List<Double> append = new ArrayList<>();
      List<Double> attribution = new ArrayList<>();
      List<BatchCommit> lastAttributionCommits = List.of();
      BenchmarkProgress lastLog = null;
      // Round 0 warms the JIT and Spark's code caches up for both pipelines and is not counted.
      for (int r = 0; r <= options.repeat(); r++) {
        double appendSeconds = plainAppend(spark, configFor.apply("bench_append_" + r));
        BenchmarkProgress log =
            new BenchmarkProgress(new PrintStream(OutputStream.nullOutputStream()));
        spark.streams().addListener(log);
        long start = System.nanoTime();
        AttributionJob.start(
                spark,
                configFor.apply("bench_attribution_" + r),
                EventSource.from(base),
                Trigger.AvailableNow(),
                log)
            .awaitTermination();
        double attributionSeconds = (System.nanoTime() - start) / 1e9;
        spark.streams().removeListener(log);
        List<BatchCommit> merged = log.commits().stream().filter(c -> c.rows() > 0).toList();
        out.printf(
            "  round %d%s: plain append %,.0f ev/s (%.1f s), attribution %,.0f ev/s (%.1f s, %d batches, "
                + "%d MERGEs, %,d ms in MERGE)%n",
            r,
            r == 0 ? " (warm-up)" : "",
            events / appendSeconds,
            appendSeconds,
            events / attributionSeconds,
            attributionSeconds,
            log.progresses().size(),
            merged.size(),
            merged.stream().mapToLong(BatchCommit::mergeMillis).sum());
        if (r > 0) {
          append.add(events / appendSeconds);
          attribution.add(events / attributionSeconds);
          lastAttributionCommits = merged;
          lastLog = log;
        }
      }
      double appendMedian = median(append);
      double attributionMedian = median(attribution);
      out.printf(
          "%n== Throughput, %,d events (impressions + clicks), %,d records/topic/batch, median of %d%n",
          events, options.maxOffsetsPerTrigger(), options.repeat());
      out.printf("  plain Kafka -> Iceberg append : %,10.0f events/s%n", appendMedian);
      out.printf("  attribution (join + MERGE)    : %,10.0f events/s%n", attributionMedian);
      out.printf(
          "  ratio attribution / append    : %10.2f   (target >= 0.60)%n",
          attributionMedian / appendMedian);
      if (!lastAttributionCommits.isEmpty()) {
        BatchCommit first = lastAttributionCommits.get(0);
        BatchCommit last = lastAttributionCommits.get(lastAttributionCommits.size() - 1);
        out.printf(
            "  MERGE ms per micro-batch      : first batch %,d ms (%,d rows), last batch %,d ms (%,d rows)%n",
            first.mergeMillis(), first.rows(), last.mergeMillis(), last.rows());
      }
      if (lastLog != null) {
        out.println(
            "  where the last attribution run spent its time (ms, summed over batches): "
                + lastLog.durationTotals());
        for (var p : lastLog.progresses()) {
          out.printf(
              "    batch %d: %,d rows, addBatch %,d ms, triggerExecution %,d ms%n",
              p.batchId(),
              p.numInputRows(),
              p.durationMs().get("addBatch"),
              p.durationMs().get("triggerExecution"));
        }
      }
      if (options.ingestEvents() > 0) {
        ingest(spark, broker, configFor, options);
      }
      if (options.conversionEvents() > 0) {
        conversions(spark, broker, configFor, options);
      }
      spark.stop();
      if (options.prefillRows() > 0) {
        // A fresh Spark context: the throughput rounds' join state must not crowd the pre-fill's
        // heap.
        SparkSession mergeSpark = SparkSessions.create(base);
        mergeScaling(mergeSpark, configFor.apply("bench_merge"), options);
        mergeSpark.stop();
      }
    }
  }

  /**
   * Ingest of the whole funnel (five topics) against a plain append of the same five topics, parsed
   * the same way, alternated; the first round warms up.
   */
  private void ingest(
      SparkSession spark, EmbeddedKafkaBroker broker, ConfigFor configFor, Options options)
      throws Exception {
    ConfigFor ingestConfigFor =
        (namespace, overrides) ->
            configFor.apply(
                namespace,
                Stream.concat(streams("full.", ""), Arrays.stream(overrides))
                    .toArray(String[]::new));
    AdlakeConfig base = ingestConfigFor.apply("bench_ingest");
    out.printf(
        "%nGenerating %,d funnel events (five topics) for the ingest case%n",
        options.ingestEvents());
    List<EventType> all = List.of(EventType.values());
    broker.createTopics(all.stream().map(t -> t.streamName(base.streams())).toList(), 2);
    FunnelGenerator.Run events =
        FunnelGenerator.Run.count(
            options.ingestEvents(),
            base.generator().eventRate(),
            Instant.parse("2026-11-20T09:00:00Z"));
    long total = generateFunnel(broker, base, events, null);
    // The same events once more, as Avro, on their own five topics, for the Avro ingest beside the
    // JSON one.
    try (LocalSchemaRegistry registry =
        LocalSchemaRegistry.start(Path.of("target", "bench-schema-registry.log"))) {
      Function<String, AdlakeConfig> avroConfigFor =
          namespace ->
              configFor.apply(
                  namespace,
                  Stream.concat(
                          streams("full.", "-avro"),
                          Stream.of(
                              "adlake.source.format=avro",
                              "adlake.source.schema-registry.url=" + registry.url()))
                      .toArray(String[]::new));
      out.printf("Generating the same events as Avro (schemas in %s)%n", registry);
      generateFunnel(broker, avroConfigFor.apply("bench_ingest_avro"), events, quietStream());
      ingestRounds(spark, ingestConfigFor, avroConfigFor, options, total, all);
    }
  }

  private long generateFunnel(
      EmbeddedKafkaBroker broker, AdlakeConfig config, FunnelGenerator.Run run, PrintStream avroLog)
      throws InterruptedException {
    broker.createTopics(
        List.of(EventType.values()).stream().map(t -> t.streamName(config.streams())).toList(), 2);
    EventSink sink =
        new KafkaEventSink(
            broker.bootstrapServers(), config.streams(), config.source().kafka().options());
    if (avroLog != null) {
      sink = AvroGeneration.sink(sink, config, Map.of(), avroLog);
    }
    try (EventSink target = sink) {
      return new FunnelGenerator(config)
          .generate(run, target, new GenerationProgress(out, run.count()))
          .total();
    }
  }

  /** Runs the five ingest queries to the end (available-now) and returns the seconds taken. */
  private static double ingestSeconds(SparkSession spark, AdlakeConfig config, PrintStream log)
      throws Exception {
    long start = System.nanoTime();
    for (StreamingQuery query :
        IngestJob.start(spark, config, EventSource.from(config), Trigger.AvailableNow(), log)) {
      query.awaitTermination();
    }
    return (System.nanoTime() - start) / 1e9;
  }

  private static PrintStream quietStream() {
    return new PrintStream(OutputStream.nullOutputStream());
  }

  /** The five stream settings, each stream named {@code prefix + its key + suffix}. */
  private static Stream<String> streams(String prefix, String suffix) {
    return Stream.of("bid-requests", "bid-responses", "impressions", "clicks", "conversions")
        .map(key -> "adlake.streams." + key + "=" + prefix + key + suffix);
  }

  /**
   * Conversion attribution: impressions, clicks and conversions of a market whose users see many
   * ads and convert often, ingested once; then the conversions job over the bronze tables, in one
   * micro-batch (available-now) and in micro-batches of about {@code max-offsets-per-trigger / 10}
   * bronze rows, each into tables of its own: conversions per second, the time per micro-batch, and
   * what the job holds as state when it is done.
   */
  private void conversions(
      SparkSession spark, EmbeddedKafkaBroker broker, ConfigFor configFor, Options options)
      throws Exception {
    String[] market = {
      "adlake.generator.event-rate=20",
      "adlake.generator.win-rate=0.5",
      "adlake.generator.click-rate=0.1",
      "adlake.generator.users=5000",
      "adlake.generator.conversions.click-rate=0.3",
      "adlake.generator.conversions.view-rate=0.01",
      "adlake.generator.conversions.organic-rate=0.001"
    };
    ConfigFor conversionConfigFor =
        (namespace, overrides) ->
            configFor.apply(
                namespace,
                Stream.of(streams("conv.", ""), Arrays.stream(market), Arrays.stream(overrides))
                    .flatMap(Function.identity())
                    .toArray(String[]::new));
    AdlakeConfig bronze = conversionConfigFor.apply("bench_conversions");
    out.printf(
        "%nGenerating %,d impression, click and conversion events for the conversions case%n",
        options.conversionEvents());
    broker.createTopics(
        List.of(EventType.values()).stream().map(t -> t.streamName(bronze.streams())).toList(), 2);
    Summary sent;
    try (KafkaEventSink sink =
        new KafkaEventSink(
            broker.bootstrapServers(), bronze.streams(), bronze.source().kafka().options())) {
      sent =
          new FunnelGenerator(bronze)
              .generate(
                  FunnelGenerator.Run.count(
                          options.conversionEvents(),
                          bronze.generator().eventRate(),
                          Instant.parse("2026-11-19T09:00:00Z"))
                      .onlyStreams(
                          Set.of(EventType.IMPRESSION, EventType.CLICK, EventType.CONVERSION)),
                  sink,
                  new GenerationProgress(out, options.conversionEvents()));
    }
    double ingestSeconds = ingestSeconds(spark, bronze, quietStream());
    long conversions = sent.conversions().size();
    out.printf(
        "  ingested in %.1f s: %,d impressions, %,d clicks, %,d conversions (%,d attributed by the ground truth)%n",
        ingestSeconds,
        sent.sent(EventType.IMPRESSION),
        sent.sent(EventType.CLICK),
        conversions,
        sent.conversions().stream().filter(c -> !c.attribution().equals("unattributed")).count());

    // The outputs in tables of their own per run, over the one bronze copy: each run's namespace
    // holds its conversion tables, and reads bronze from the shared one by name.
    long rowsPerBatch = Math.max(1, options.maxOffsetsPerTrigger() / 10);
    for (String run : List.of("available-now", "micro-batches")) {
      String namespace = "bench_conversions_" + run.replace('-', '_');
      AdlakeConfig config =
          conversionConfigFor.apply(
              namespace,
              "adlake.conversions.lateness=7 days",
              "adlake.conversions.max-rows-per-trigger="
                  + (run.equals("available-now") ? 0 : rowsPerBatch));
      copyBronze(spark, bronze, config);
      BenchmarkProgress log = new BenchmarkProgress(quietStream());
      long start = System.nanoTime();
      StreamingQuery query =
          ConversionJob.start(
              spark,
              config,
              run.equals("available-now") ? Trigger.AvailableNow() : Trigger.ProcessingTime(0),
              log,
              quietStream());
      if (run.equals("available-now")) {
        query.awaitTermination();
      } else {
        query.processAllAvailable();
        query.stop();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      long batches =
          log.commits().stream()
              .filter(c -> c.table().equals(AdlakeTables.ATTRIBUTED_CONVERSIONS))
              .map(BatchCommit::batchId)
              .distinct()
              .count();
      out.printf(
          "  %-14s: %,d conversions in %.1f s = %,.0f conversions/s (%d micro-batches writing, %,.1f s each)%n",
          run,
          conversions,
          seconds,
          conversions / seconds,
          batches,
          seconds / Math.max(1, batches));
      if (run.equals("micro-batches")) {
        conversionState(spark, config);
      }
    }
  }

  /** Copies the bronze impressions, clicks and conversions of {@code from} into {@code to}. */
  private static void copyBronze(SparkSession spark, AdlakeConfig from, AdlakeConfig to)
      throws Exception {
    for (TableSpec spec :
        List.of(AdlakeTables.impressions(), AdlakeTables.clicks(), AdlakeTables.conversions())) {
      // One file per ingest commit of the source table, in commit order: the streaming read sees
      // the same snapshots, so a row limit cuts it into micro-batches.
      String target = TableSetup.ensure(spark, to.catalog(), spec);
      String source = from.catalog().qualified(spec.name());
      for (Snapshot snapshot : TableSetup.load(spark, source).snapshots()) {
        DataFrameReader added = spark.read().format("iceberg");
        added =
            snapshot.parentId() == null
                ? added.option("versionAsOf", snapshot.snapshotId())
                : added
                    .option("start-snapshot-id", snapshot.parentId())
                    .option("end-snapshot-id", snapshot.snapshotId());
        added.load(source).writeTo(target).append();
      }
    }
  }

  /**
   * What the conversions job holds when it is done: its checkpoint (offsets, commits and the
   * event-time log; no state store), and, for comparison, what a stateful design would have to
   * keep: the touches of the last re-open window, per active user.
   */
  private void conversionState(SparkSession spark, AdlakeConfig config) throws Exception {
    Path checkpoint = Path.of(URI.create(Checkpoints.location(config, ConversionJob.QUERY_NAME)));
    long checkpointBytes = bytesUnder(checkpoint);
    boolean stateStore = Files.exists(checkpoint.resolve("state"));
    long eventTimeBytes = bytesUnder(checkpoint.resolve("event-time"));
    String touches =
        "SELECT user_id, event_timestamp FROM "
            + config.catalog().qualified(AdlakeTables.IMPRESSIONS)
            + " UNION ALL SELECT user_id, event_timestamp FROM "
            + config.catalog().qualified(AdlakeTables.CLICKS);
    Row window =
        spark
            .sql(
                "WITH t AS ("
                    + touches
                    + ") SELECT count(*), count(DISTINCT user_id) FROM t WHERE event_timestamp >= "
                    + "(SELECT max(event_timestamp) FROM t) - INTERVAL "
                    + config.conversions().reopenWindow().toSeconds()
                    + " SECONDS")
            .first();
    double bytesPerTouch = 0;
    long touchRows = 0;
    for (String table : List.of(AdlakeTables.IMPRESSIONS, AdlakeTables.CLICKS)) {
      Row files =
          spark
              .sql(
                  "SELECT sum(file_size_in_bytes), sum(record_count) FROM "
                      + config.catalog().qualified(table)
                      + ".files")
              .first();
      bytesPerTouch += files.getLong(0);
      touchRows += files.getLong(1);
    }
    bytesPerTouch /= Math.max(1, touchRows);
    long rows = window.getLong(0);
    long users = Math.max(1, window.getLong(1));
    out.printf(
        "%n== Conversion state after the run%n"
            + "  checkpoint of the conversions query : %,d bytes (offsets, commits; event-time log %,d bytes); "
            + "state store: %s%n"
            + "  touches in the last re-open window  : %,d of %,d users = %.1f touches per active user, "
            + "%.0f bytes each in bronze Parquet (re-read per affected user, never held)%n",
        checkpointBytes,
        eventTimeBytes,
        stateStore ? "present" : "none",
        rows,
        users,
        (double) rows / users,
        bytesPerTouch);
  }

  private void ingestRounds(
      SparkSession spark,
      ConfigFor ingestConfigFor,
      Function<String, AdlakeConfig> avroConfigFor,
      Options options,
      long events,
      List<EventType> all)
      throws Exception {
    List<Double> append = new ArrayList<>();
    List<Double> ingest = new ArrayList<>();
    List<Double> aggregate = new ArrayList<>();
    List<Double> avroIngest = new ArrayList<>();
    long bronzeRows = 0;
    AdlakeConfig lastRound = null;
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    for (int r = 0; r <= options.repeat(); r++) {
      double appendSeconds =
          plainAppend(spark, ingestConfigFor.apply("bench_ingest_append_" + r), all);
      AdlakeConfig config = ingestConfigFor.apply("bench_ingest_" + r);
      double ingestSeconds = ingestSeconds(spark, config, quiet);
      double avroSeconds =
          ingestSeconds(spark, avroConfigFor.apply("bench_ingest_avro_" + r), quiet);
      // The metrics read all four bronze tables (the funnel joins them; the others read
      // impressions, clicks).
      bronzeRows = 0;
      for (String table :
          List.of(
              AdlakeTables.BID_REQUESTS,
              AdlakeTables.BID_RESPONSES,
              AdlakeTables.IMPRESSIONS,
              AdlakeTables.CLICKS)) {
        bronzeRows += spark.table(config.catalog().qualified(table)).count();
      }
      long aggregateStart = System.nanoTime();
      StreamingJobs.runAll(
          spark,
          config,
          List.of(StreamingJobs.AGGREGATE),
          Trigger.AvailableNow(),
          new ProgressLog(quiet));
      double aggregateSeconds = (System.nanoTime() - aggregateStart) / 1e9;
      out.printf(
          "  round %d%s: plain append %,.0f ev/s (%.1f s), ingest %,.0f ev/s (%.1f s), Avro ingest %,.0f "
              + "ev/s (%.1f s), aggregate %,.0f bronze rows/s (%.1f s)%n",
          r,
          r == 0 ? " (warm-up)" : "",
          events / appendSeconds,
          appendSeconds,
          events / ingestSeconds,
          ingestSeconds,
          events / avroSeconds,
          avroSeconds,
          bronzeRows / aggregateSeconds,
          aggregateSeconds);
      lastRound = config;
      if (r > 0) {
        append.add(events / appendSeconds);
        ingest.add(events / ingestSeconds);
        avroIngest.add(events / avroSeconds);
        aggregate.add(bronzeRows / aggregateSeconds);
      }
    }
    out.printf(
        "%n== Ingest and aggregate, %,d events on five topics, %,d records/topic/batch, median of %d%n",
        events, options.maxOffsetsPerTrigger(), options.repeat());
    out.printf("  plain Kafka -> Iceberg append (5 topics)   : %,10.0f events/s%n", median(append));
    out.printf(
        "  ingest (bronze + quarantine + enriched)     : %,10.0f events/s%n", median(ingest));
    out.printf(
        "  ratio ingest / append                       : %10.2f%n",
        median(ingest) / median(append));
    out.printf(
        "  ingest, same events as Avro (registry)      : %,10.0f events/s%n", median(avroIngest));
    out.printf(
        "  ratio Avro ingest / JSON ingest             : %10.2f%n",
        median(avroIngest) / median(ingest));
    out.printf(
        "  aggregate (4 metrics tables, available-now) : %,10.0f bronze rows/s (%,d rows in 4 tables)%n",
        median(aggregate), bronzeRows);
    out.printf(
        "  ratio aggregate / append                    : %10.2f (bronze rows/s vs Kafka events/s)%n",
        median(aggregate) / median(append));
    enrichmentCost(spark, lastRound, options.repeat());
    metricsGrowth(spark, ingestConfigFor, lastRound, options.aggregateBatches());
  }

  /**
   * What the bid-request enrichment of the ingest costs per micro-batch, without and with the IP
   * geography: the last round's bronze requests, cached, as one batch through {@code
   * RequestEnrichment.enrich} (rates join, device category, filter reason; plus the City database
   * look-up of every device IP) into Spark's noop sink, which evaluates every column. Alternated;
   * the first round warms up.
   */
  private void enrichmentCost(SparkSession spark, AdlakeConfig config, int repeat) {
    String file = System.getProperty(Demo.GEOLITE2_FILE);
    Optional<String> configured =
        config.enrichment().geoip().path().or(() -> Optional.ofNullable(file));
    if (configured.isEmpty()) {
      out.printf(
          "%n(no enrichment cost: neither adlake.enrichment.geoip.path nor %s is set)%n",
          Demo.GEOLITE2_FILE);
      return;
    }
    Optional<GeoIpFile> geo = GeoIpFile.ship(spark, new GeoIpSettings(configured));
    Dataset<Row> requests =
        spark.table(config.catalog().qualified(AdlakeTables.BID_REQUESTS)).persist();
    long rows = requests.count();
    Dataset<Row> rates = ReferenceData.constantRates(spark, config.ingest().usdRates()).persist();
    rates.count();
    List<Double> without = new ArrayList<>();
    List<Double> with = new ArrayList<>();
    for (int r = 0; r <= repeat; r++) {
      double plainMs = noopWriteMillis(RequestEnrichment.enrich(requests, rates, Optional.empty()));
      double geoMs = noopWriteMillis(RequestEnrichment.enrich(requests, rates, geo));
      out.printf(
          "  enrichment round %d%s: without geography %,.0f ms, with %,.0f ms%n",
          r, r == 0 ? " (warm-up)" : "", plainMs, geoMs);
      if (r > 0) {
        without.add(plainMs);
        with.add(geoMs);
      }
    }
    requests.unpersist();
    rates.unpersist();
    double plain = median(without);
    double located = median(with);
    out.printf(
        "%n== Bid-request enrichment, one batch of %,d bronze rows (cached), median of %d; %s%n",
        rows, repeat, geo.get());
    out.printf(
        "  without geography                           : %,8.0f ms  %,10.0f rows/s%n",
        plain, rows / (plain / 1000));
    out.printf(
        "  with geography (City database look-up)      : %,8.0f ms  %,10.0f rows/s%n",
        located, rows / (located / 1000));
    out.printf(
        "  geography look-up per row                   : %,8.2f us%n",
        (located - plain) * 1000 / rows);
  }

  private static double noopWriteMillis(Dataset<Row> rows) {
    long start = System.nanoTime();
    rows.write().format("noop").mode("overwrite").save();
    return (System.nanoTime() - start) / 1e6;
  }

  /**
   * The three impression metrics once more, into empty tables, over a copy of the last round's
   * impressions appended in {@code batches} time-ordered slices (one file each, so a row limit can
   * cut them into micro-batches): the MERGE time of each micro-batch as the tables grow.
   */
  private void metricsGrowth(
      SparkSession spark, ConfigFor ingestConfigFor, AdlakeConfig round, int batches)
      throws Exception {
    String growth = round.catalog().namespace() + "_growth";
    String checkpoints =
        "adlake.streaming.checkpoint-root=" + round.streaming().checkpointRoot() + "-growth";
    AdlakeConfig copy =
        ingestConfigFor.apply(growth, checkpoints, "adlake.aggregate.max-rows-per-trigger=0");
    String impressions = TableSetup.ensure(spark, copy.catalog(), AdlakeTables.impressions());
    for (String table : List.of(AdlakeTables.BID_REQUESTS, AdlakeTables.CLICKS)) {
      TableSpec spec =
          table.equals(AdlakeTables.CLICKS) ? AdlakeTables.clicks() : AdlakeTables.bidRequests();
      spark
          .table(round.catalog().qualified(table))
          .writeTo(TableSetup.ensure(spark, copy.catalog(), spec))
          .append();
    }
    Dataset<Row> source =
        spark
            .table(round.catalog().qualified(AdlakeTables.IMPRESSIONS))
            .withColumn(
                "_slice", ntile(batches).over(Window.orderBy("event_timestamp", "impression_id")))
            .persist();
    long total = source.count();
    for (int slice = 1; slice <= batches; slice++) {
      source
          .filter(col("_slice").equalTo(slice))
          .drop("_slice")
          .coalesce(1)
          .writeTo(impressions)
          .append();
    }
    source.unpersist();
    AdlakeConfig config =
        ingestConfigFor.apply(
            growth,
            checkpoints,
            "adlake.aggregate.max-rows-per-trigger=" + Math.max(1, total / batches));
    BenchmarkProgress log = new BenchmarkProgress(new PrintStream(OutputStream.nullOutputStream()));
    spark.streams().addListener(log);
    try {
      List<StreamingQuery> queries =
          AggregateJob.startFirstStage(spark, config, Trigger.ProcessingTime(0), log, false);
      for (StreamingQuery query : queries) {
        query.processAllAvailable();
      }
      for (StreamingQuery query : queries) {
        query.stop();
      }
      spark.sparkContext().listenerBus().waitUntilEmpty(60_000);
    } finally {
      spark.streams().removeListener(log);
    }
    out.printf(
        "%n== MERGE ms per micro-batch as the metrics tables grow (%,d impressions appended in %d slices, "
            + "read ~%,d rows per micro-batch)%n",
        total, batches, config.aggregate().maxRowsPerTrigger());
    Map<String, List<BatchCommit>> byTable = new TreeMap<>();
    log.commits().stream()
        .filter(c -> c.rows() > 0)
        .forEach(c -> byTable.computeIfAbsent(c.table(), t -> new ArrayList<>()).add(c));
    byTable.forEach(
        (table, commits) ->
            out.printf(
                "  %-27s %2d batches, rows merged %s; MERGE ms %s%n",
                table,
                commits.size(),
                commits.stream().map(c -> Long.toString(c.rows())).collect(Collectors.joining(" ")),
                commits.stream()
                    .map(c -> Long.toString(c.mergeMillis()))
                    .collect(Collectors.joining(" "))));
  }

  private long generate(EmbeddedKafkaBroker broker, AdlakeConfig config, long events)
      throws InterruptedException {
    out.printf("Generating %,d impression and click events into the embedded broker%n", events);
    broker.createTopics(List.of(config.streams().impressions(), config.streams().clicks()), 2);
    FunnelGenerator generator = new FunnelGenerator(config);
    Summary summary;
    try (KafkaEventSink sink =
        new KafkaEventSink(
            broker.bootstrapServers(), config.streams(), config.source().kafka().options())) {
      summary =
          generator.generate(
              FunnelGenerator.Run.count(
                      events, config.generator().eventRate(), Instant.parse("2026-11-21T09:00:00Z"))
                  .onlyStreams(Set.of(EventType.IMPRESSION, EventType.CLICK)),
              sink,
              new GenerationProgress(out, events));
    }
    return summary.total();
  }

  /**
   * The same sources, parsing and trigger as the pipeline measured, appended as parsed to Iceberg
   * tables.
   */
  private double plainAppend(SparkSession spark, AdlakeConfig config) throws Exception {
    return plainAppend(spark, config, List.of(EventType.IMPRESSION, EventType.CLICK));
  }

  private double plainAppend(SparkSession spark, AdlakeConfig config, List<EventType> types)
      throws Exception {
    spark.sql(
        "CREATE NAMESPACE IF NOT EXISTS "
            + config.catalog().name()
            + "."
            + config.catalog().namespace());
    EventSource source = EventSource.from(config);
    long start = System.nanoTime();
    List<StreamingQuery> queries = new ArrayList<>();
    for (EventType type : types) {
      String name = "append_" + AttributionJob.metricName(type);
      queries.add(
          EventParser.valid(EventParser.parse(source.readStream(spark, type), type))
              .writeStream()
              .format("iceberg")
              .outputMode("append")
              .trigger(Trigger.AvailableNow())
              .option("checkpointLocation", Checkpoints.location(config, name))
              .toTable(config.catalog().qualified(name)));
    }
    for (StreamingQuery query : queries) {
      query.awaitTermination();
    }
    return (System.nanoTime() - start) / 1e9;
  }

  /**
   * MERGE of {@code mergeRows} new attributions into a table that starts empty and into one
   * pre-filled by a batch write with older impressions, alternating; the first pair warms up and is
   * not counted.
   */
  private void mergeScaling(SparkSession spark, AdlakeConfig config, Options options)
      throws Exception {
    MergeMode mode = MergeMode.resolve(config.attribution().mergeMode(), IcebergBuild.version());
    out.printf("%nMERGE scaling, table write mode %s%n", mode.property());
    TableSpec emptySpec = AdlakeTables.enrichedAdData("merge_into_empty", mode);
    TableSpec bigSpec = AdlakeTables.enrichedAdData("merge_into_prefilled", mode);
    String empty = TableSetup.ensure(spark, config.catalog(), emptySpec);
    String big = TableSetup.ensure(spark, config.catalog(), bigSpec);
    Instant now = Instant.parse("2026-11-21T12:00:00Z");
    out.printf(
        "%nPre-filling %s with %,d rows (batch write, 14 days before the merged batches)%n",
        big, options.prefillRows());
    long fillStart = System.nanoTime();
    long chunk = 1_000_000;
    for (long done = 0; done < options.prefillRows(); done += chunk) {
      long n = Math.min(chunk, options.prefillRows() - done);
      rows(spark, bigSpec, n, "old" + done, now.minus(14, ChronoUnit.DAYS), 14 * 86_400L)
          .writeTo(big)
          .append();
      out.printf(
          "  %,d of %,d rows written (%.0f s)%n",
          done + n, options.prefillRows(), (System.nanoTime() - fillStart) / 1e9);
    }

    // foreachBatch supplies the query id; here a fixed writer id stands in for one.
    spark.sparkContext().setLocalProperty(CommitLedger.QUERY_ID_KEY, UUID.randomUUID().toString());
    List<Long> intoEmpty = new ArrayList<>();
    List<Long> intoBig = new ArrayList<>();
    List<BatchCommit> commits = Collections.synchronizedList(new ArrayList<>());
    ExactlyOnceMerge emptySink = AttributionJob.mergeSink(empty, emptySpec, commits::add);
    ExactlyOnceMerge bigSink = AttributionJob.mergeSink(big, bigSpec, commits::add);
    int rounds = 4;
    for (long batch = 0; batch < rounds; batch++) {
      Instant batchStart = now.plus(batch * 5, ChronoUnit.MINUTES);
      Dataset<Row> rows =
          rows(spark, bigSpec, options.mergeRows(), "b" + batch, batchStart, 300).cache();
      rows.count();
      emptySink.call(rows, batch);
      long emptyMillis = commits.get(commits.size() - 1).mergeMillis();
      bigSink.call(rows, batch);
      long bigMillis = commits.get(commits.size() - 1).mergeMillis();
      rows.unpersist();
      out.printf(
          "  batch %d (%,d rows): into empty-start table %,d ms, into %,d-row table %,d ms%s%n",
          batch,
          options.mergeRows(),
          emptyMillis,
          options.prefillRows(),
          bigMillis,
          batch == 0 ? " (warm-up)" : "");
      if (batch > 0) {
        intoEmpty.add(emptyMillis);
        intoBig.add(bigMillis);
      }
    }
    spark.sparkContext().setLocalProperty(CommitLedger.QUERY_ID_KEY, null);
    double e = median(intoEmpty.stream().map(Long::doubleValue).toList());
    double b = median(intoBig.stream().map(Long::doubleValue).toList());
    out.printf("%n== MERGE of %,d rows, median of %d%n", options.mergeRows(), intoEmpty.size());
    out.printf("  into a %-26s: %,8.0f ms%n", "table that started empty", e);
    out.printf(
        "  into a %-26s: %,8.0f ms%n", String.format("%,d-row table", options.prefillRows()), b);
    out.printf("  ratio pre-filled / empty          : %8.2f   (target <= 1.30)%n", b / e);
  }

  /**
   * Synthetic attributed rows with the columns of {@code spec}, impression times spread over {@code
   * spanSeconds}.
   */
  private static Dataset<Row> rows(
      SparkSession spark,
      TableSpec spec,
      long count,
      String prefix,
      Instant from,
      long spanSeconds) {
    Column impressionTime =
        expr(
            "timestamp_seconds(" + from.getEpochSecond() + " + (id * 7919) % " + spanSeconds + ")");
    Dataset<Row> base =
        spark
            .range(count)
            .select(
                format_string("ad-%04d-1", expr("id % 40 + 1")).as("ad_id"),
                concat(lit(prefix + "-imp-"), col("id").cast("string")).as("impression_id"),
                concat(lit(prefix + "-clk-"), col("id").cast("string")).as("click_id"),
                format_string("cmp-%04d", expr("id % 40 + 1")).as("campaign_id"),
                format_string("pub-%04d", expr("id % 200 + 1")).as("publisher_id"),
                impressionTime.as(Attribution.IMPRESSION_TIME),
                (impressionTime.plus(expr("INTERVAL 5 SECONDS"))).as(Attribution.CLICK_TIME),
                lit("USA").as("geo_location"),
                lit("web").as("platform"),
                expr("cast(id % 7 + 1 as int)").as("device_type"),
                expr("cast(id % 100 as double)").as("bid_price"),
                lit(0.5).as("click_price"));
    return spec.selectFrom(
        base.withColumn("is_premium_ad", expr("CASE WHEN bid_price > 50 THEN 'Yes' ELSE 'No' END"))
            .withColumn("engagement_duration", lit(5L))
            .withColumn("platform_category", Attribution.platformCategory(col("device_type")))
            .withColumn("click_revenue", lit(0.6))
            .withColumn("is_suspected_fraud", lit(false))
            .withColumn("processed_time", current_timestamp()));
  }

  private static long bytesUnder(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      long bytes = 0;
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        bytes += Files.size(file);
      }
      return bytes;
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
