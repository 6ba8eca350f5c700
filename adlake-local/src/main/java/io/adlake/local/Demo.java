package io.adlake.local;

import io.adlake.avro.AvroGeneration;
import io.adlake.config.AdlakeConfig;
import io.adlake.embedded.EmbeddedKafkaBroker;
import io.adlake.embedded.LocalSchemaRegistry;
import io.adlake.event.EventSink;
import io.adlake.event.EventType;
import io.adlake.event.FunnelGenerator;
import io.adlake.event.FunnelGenerator.Summary;
import io.adlake.event.GeneratedReferenceData;
import io.adlake.event.GenerationProgress;
import io.adlake.event.KafkaEventSink;
import io.adlake.job.AttributionReport;
import io.adlake.job.ConversionReport;
import io.adlake.job.DimensionReport;
import io.adlake.job.FunnelReport;
import io.adlake.job.GeoReport;
import io.adlake.job.IngestReport;
import io.adlake.job.MetricsReport;
import io.adlake.job.ProgressLog;
import io.adlake.job.ResultFormat;
import io.adlake.job.SparkSessions;
import io.adlake.job.StreamingJobs;
import io.adlake.lake.AdlakeTables;
import io.adlake.lake.Dimension;
import io.adlake.lake.DimensionLoad;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.Trigger;

/**
 * The whole loop on one machine: a real KRaft broker on loopback, the generator into its five
 * topics, the streaming jobs with an available-now trigger into a local Iceberg warehouse, then the
 * report.
 */
public final class Demo {
  /**
   * @param keep keep the previous run's broker log, checkpoints and tables instead of starting
   *     clean
   * @param avro write and read Avro with a schema registry: {@code schemaRegistry}, or one the demo
   *     starts when null
   */
  public record Options(
      long events,
      long maxOffsetsPerTrigger,
      boolean keep,
      Path dataDir,
      boolean avro,
      String schemaRegistry) {
    public Options(long events, long maxOffsetsPerTrigger, boolean keep, Path dataDir) {
      this(events, maxOffsetsPerTrigger, keep, dataDir, false, null);
    }
  }

  /** Where bin/adlake names the GeoLite2-City file the build unpacked. */
  static final String GEOLITE2_FILE = "adlake.geolite2.file";

  private final PrintStream out;

  public Demo(PrintStream out) {
    this.out = out;
  }

  /**
   * @param loadConfig loads the configuration with extra {@code key=value} overrides
   */
  public void run(Options options, Function<String[], AdlakeConfig> loadConfig) throws Exception {
    long started = System.nanoTime();
    try (HeapSampler heap = HeapSampler.start(HEAP_SAMPLE_EVERY)) {
      run(options, loadConfig, started);
      out.printf(
          "%nDemo finished in %.1f s; peak heap in use %,d MB (sampled every %d ms) of %,d MB.%n",
          seconds(started),
          heap.peakMegabytes(),
          HEAP_SAMPLE_EVERY.toMillis(),
          Runtime.getRuntime().maxMemory() / (1024 * 1024));
    }
    out.printf(
        "Every funnel row: bin/adlake report funnel. Any SQL: bin/adlake report --sql \"SELECT * FROM %s "
            + "LIMIT 10\"%n",
        loadConfig.apply(new String[0]).attribution().table());
  }

  private static final Duration HEAP_SAMPLE_EVERY = Duration.ofMillis(100);

  private void run(Options options, Function<String[], AdlakeConfig> loadConfig, long started)
      throws Exception {
    if (!options.keep()) {
      out.printf(
          "Resetting %s (broker log, checkpoints, warehouse); --keep keeps them%n",
          options.dataDir().toAbsolutePath());
      deleteRecursively(options.dataDir());
    }
    step(1, "Starting a Kafka broker (KRaft mode) on loopback");
    try (EmbeddedKafkaBroker broker =
            EmbeddedKafkaBroker.start(options.dataDir().resolve("kafka"));
        LocalSchemaRegistry registry =
            options.avro() && options.schemaRegistry() == null
                ? LocalSchemaRegistry.start(options.dataDir().resolve("schema-registry.log"))
                : null) {
      out.printf("  broker ready at %s in %.1f s%n", broker.bootstrapServers(), seconds(started));
      List<String> overrides =
          new ArrayList<>(
              List.of(
                  "adlake.source.type=kafka",
                  "adlake.source.kafka.bootstrap-servers=" + broker.bootstrapServers(),
                  "adlake.source.kafka.max-offsets-per-trigger=" + options.maxOffsetsPerTrigger()));
      if (options.avro()) {
        String url = registry != null ? registry.url() : options.schemaRegistry();
        out.printf(
            "  schema registry at %s%s%n",
            url, registry != null ? " (Apicurio, started on loopback)" : "");
        overrides.addAll(
            List.of("adlake.source.format=avro", "adlake.source.schema-registry.url=" + url));
      }
      AdlakeConfig config = withDemoGeography(loadConfig, overrides);

      step(
          2,
          String.format(
              "Generating %,d funnel events and the conversions that follow into five topics",
              options.events()));
      List<String> topics =
          Arrays.stream(EventType.values()).map(t -> t.streamName(config.streams())).toList();
      broker.createTopics(topics, 2);
      Summary summary;
      GenerationProgress progress = new GenerationProgress(out, options.events());
      EventSink kafka =
          new KafkaEventSink(
              broker.bootstrapServers(), config.streams(), config.source().kafka().options());
      try (EventSink sink =
          options.avro() ? AvroGeneration.sink(kafka, config, Map.of(), out) : kafka) {
        FunnelGenerator generator = new FunnelGenerator(config);
        summary =
            generator.generate(
                FunnelGenerator.Run.count(
                    options.events(),
                    config.generator().eventRate(),
                    // Two days back: conversions follow their clicks by up to a day and more, and
                    // the ingest quarantines events stamped over a day after their arrival.
                    Instant.now().minus(2, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS)),
                sink,
                progress);
      }
      progress.finish(summary);

      step(
          3,
          "Running ingest + attribution, then conversions, then aggregate, in one Spark application "
              + "(local mode, available-now)");
      long jobStart = System.nanoTime();
      SparkSession spark = SparkSessions.create(config);
      // The campaigns and advertisers the events name, loaded before the jobs join them.
      loadGeneratedDimensions(
          spark,
          config,
          options.dataDir().resolve("dims"),
          LocalDate.now(ZoneOffset.UTC).minusDays(2),
          out);
      ProgressLog log = new ProgressLog(out);
      StreamingJobs.runAll(spark, config, StreamingJobs.all(), Trigger.AvailableNow(), log);
      out.printf("  streaming jobs done in %.1f s%n", seconds(jobStart));

      step(4, "Report");
      IngestReport.print(spark, config, ResultFormat.TABLE, out);
      AttributionReport.print(spark, config, ResultFormat.TABLE, out);
      FunnelReport.print(spark, config, ResultFormat.TABLE, 10, out);
      MetricsReport.print(spark, config, ResultFormat.TABLE, 10, out);
      ConversionReport.print(spark, config, ResultFormat.TABLE, 10, out);
      DimensionReport.print(spark, config, DimensionReport.QUERIES, ResultFormat.TABLE, 10, out);
      GeoReport.print(spark, config, ResultFormat.TABLE, 10, out);
      out.printf(
          "%nThe generator placed %,d clicks inside the attribution window, and sent %,d conversions, "
              + "%,d of them attributable to a touch (its ground truth; the table has %,d attributed).%n",
          summary.expected().size(),
          summary.conversions().size(),
          summary.conversions().stream()
              .filter(c -> !c.attribution().equals("unattributed"))
              .count(),
          spark
              .table(config.catalog().qualified(AdlakeTables.ATTRIBUTED_CONVERSIONS))
              .filter("attribution <> 'unattributed'")
              .count());
      spark.stop();
    }
  }

  /**
   * Writes the campaigns, advertisers and rates the generator's events name into {@code dir} and
   * loads them (dims load), printing one line per table: the demo and the soak join them.
   */
  public static void loadGeneratedDimensions(
      SparkSession spark, AdlakeConfig config, Path dir, LocalDate firstDay, PrintStream out)
      throws IOException {
    DimensionLoad load = new DimensionLoad(spark, config.catalog());
    load.ensureTables(config.ingest().usdRates());
    for (Map.Entry<String, Path> file :
        new GeneratedReferenceData(config).write(dir, firstDay).entrySet()) {
      out.println(
          "  dims load "
              + file.getKey()
              + " "
              + file.getValue()
              + ": "
              + load.load(Dimension.named(file.getKey()), file.getValue().toString())
                  .describe()
                  .lines()
                  .findFirst()
                  .orElse(""));
    }
  }

  private void step(int n, String what) {
    out.printf("%n[%d/4] %s%n", n, what);
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
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

  /**
   * The configuration, with the build's GeoLite2-City file (2019-11) as the City database unless
   * the user configured one: the demo's report then shows the cities of the generator's device IPs.
   */
  private AdlakeConfig withDemoGeography(
      Function<String[], AdlakeConfig> loadConfig, List<String> overrides) {
    AdlakeConfig config = loadConfig.apply(overrides.toArray(String[]::new));
    String demoFile = System.getProperty(GEOLITE2_FILE);
    if (config.enrichment().geoip().path().isPresent()) {
      out.println("  geography from " + config.enrichment().geoip().path().get());
      return config;
    }
    if (demoFile == null || !Files.isRegularFile(Path.of(demoFile))) {
      out.println(
          "  no GeoLite2-City file at "
              + demoFile
              + " (mvn package unpacks it): geo_* columns stay NULL");
      return config;
    }
    out.println(
        "  geography from "
            + demoFile
            + " (GeoLite2 data created by MaxMind, 2019-11, CC BY-SA 4.0)");
    List<String> withGeo = new ArrayList<>(overrides);
    withGeo.add("adlake.enrichment.geoip.path=" + demoFile);
    return loadConfig.apply(withGeo.toArray(String[]::new));
  }
}
