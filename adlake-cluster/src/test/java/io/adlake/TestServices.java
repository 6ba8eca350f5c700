package io.adlake;

import io.adlake.config.AdlakeConfig;
import io.adlake.config.ConfigLoader;
import io.adlake.embedded.EmbeddedKafkaBroker;
import io.adlake.event.EventType;
import io.adlake.event.FunnelGenerator;
import io.adlake.event.GeneratedReferenceData;
import io.adlake.event.KafkaEventSink;
import io.adlake.job.ProgressLog;
import io.adlake.job.SparkSessions;
import io.adlake.job.StreamingJobs;
import io.adlake.lake.Dimension;
import io.adlake.lake.DimensionLoad;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.Trigger;

/**
 * The embedded services the suite shares, started once per test JVM on first use and stopped at its
 * end: a real KRaft broker on loopback and one local Spark session with a Hadoop-catalog warehouse.
 * Each test isolates itself with its own namespace and topic names ({@link #config}).
 */
public final class TestServices {
  private static final String SPARK_HADOOP = "spark.hadoop.";

  /**
   * The small demo's settings: high win and click rates give every table rows; the batch bound
   * splits the impressions, so that enriched_ad_data gets more than one snapshot.
   */
  private static final List<String> DEMO_SETTINGS =
      List.of(
          "adlake.generator.event-rate=0.5",
          "adlake.generator.win-rate=0.9",
          "adlake.generator.click-rate=0.3",
          "adlake.generator.conversions.click-rate=0.3",
          "adlake.generator.conversions.view-rate=0.03",
          "adlake.source.kafka.max-offsets-per-trigger=200");

  /**
   * 1.5 k events over 50 minutes of event time across midnight: two day partitions, one of them
   * closed.
   */
  private static final FunnelGenerator.Run DEMO_RUN =
      FunnelGenerator.Run.count(1_500, 0.5, Instant.parse("2026-11-20T23:35:00Z"));

  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static Path root;
  private static EmbeddedKafkaBroker broker;
  private static SparkSession spark;

  private TestServices() {}

  /**
   * The GeoLite2-City file (2019-11) the build unpacks from org.elasticsearch:geolite2-databases
   * into adlake-embedded/target/geolite2; Surefire names it in adlake.geolite2.file.
   */
  public static Path geoLite2City() {
    String file = System.getProperty("adlake.geolite2.file");
    if (file == null) {
      throw new IllegalStateException(
          "adlake.geolite2.file is not set: run the tests through Maven, which unpacks the GeoLite2 "
              + "file into adlake-embedded/target/geolite2 and sets it");
    }
    return Path.of(file);
  }

  public static synchronized Path root() {
    if (root == null) {
      try {
        root = Files.createTempDirectory("adlake-test-");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return root;
  }

  public static synchronized EmbeddedKafkaBroker broker() {
    if (broker == null) {
      try {
        broker = EmbeddedKafkaBroker.start(root().resolve("kafka"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(broker::close));
    }
    return broker;
  }

  public static synchronized SparkSession spark() {
    if (spark == null) {
      spark = SparkSessions.create(config("shared"));
      Runtime.getRuntime().addShutdownHook(new Thread(spark::stop));
    }
    return spark;
  }

  /**
   * Creates the five topics of {@code config} (two partitions each) on the shared broker and sends
   * the generator's events of {@code run} to them.
   */
  public static FunnelGenerator.Summary generateToBroker(
      AdlakeConfig config, FunnelGenerator.Run run) throws InterruptedException {
    broker()
        .createTopics(
            Arrays.stream(EventType.values()).map(t -> t.streamName(config.streams())).toList(), 2);
    try (KafkaEventSink sink =
        new KafkaEventSink(broker().bootstrapServers(), config.streams(), Map.of())) {
      return new FunnelGenerator(config).generate(run, sink, summary -> {});
    }
  }

  /**
   * Local config with a test-specific namespace, topic names and checkpoint root under the shared
   * warehouse; {@code overrides} are further {@code key=value} settings.
   */
  public static AdlakeConfig config(String name, String... overrides) {
    return ConfigLoader.load("local", settings(name, overrides));
  }

  /**
   * The {@code key=value} settings {@link #config} loads: for a command line that takes them as
   * {@code --conf}.
   */
  public static List<String> settings(String name, String... overrides) {
    String unique = name + "_" + COUNTER.incrementAndGet();
    List<String> all =
        new ArrayList<>(
            List.of(
                "adlake.spark.shuffle-partitions=2",
                "adlake.catalog.warehouse=" + root().resolve("warehouse"),
                "adlake.catalog.namespace=" + unique,
                "adlake.streaming.checkpoint-root=" + root().resolve("checkpoints").resolve(unique),
                "adlake.source.files.path=" + root().resolve("events").resolve(unique),
                "adlake.streams.bid-requests=" + unique + ".bid-requests",
                "adlake.streams.bid-responses=" + unique + ".bid-responses",
                "adlake.streams.impressions=" + unique + ".impressions",
                "adlake.streams.clicks=" + unique + ".clicks",
                "adlake.streams.conversions=" + unique + ".conversions"));
    if (broker != null) {
      all.add("adlake.source.kafka.bootstrap-servers=" + broker.bootstrapServers());
    }
    all.addAll(List.of(overrides));
    return all;
  }

  /**
   * A small demo run that fills every table: the {@link #DEMO_RUN} events through the broker, then
   * ingest, attribution, conversions and aggregation, available-now, into the catalog of {@code
   * name}'s config with {@code overrides} (a REST catalog, for example).
   */
  public static AdlakeConfig smallDemo(String name, String... overrides) throws Exception {
    broker(); // before config(), which takes the broker's address
    List<String> settings = new ArrayList<>(DEMO_SETTINGS);
    // As make demo: the generator's device IPs placed by the GeoLite2-City file of the build.
    settings.add("adlake.enrichment.geoip.path=" + geoLite2City());
    settings.addAll(List.of(overrides));
    AdlakeConfig demo = config(name, settings.toArray(String[]::new));
    useCatalogOf(demo);
    generateToBroker(demo, DEMO_RUN);
    loadGeneratedDims(demo, DEMO_RUN);
    StreamingJobs.runAll(
        spark(),
        demo,
        List.of(
            StreamingJobs.INGEST,
            StreamingJobs.ATTRIBUTION,
            StreamingJobs.CONVERSIONS,
            StreamingJobs.AGGREGATE),
        Trigger.AvailableNow(),
        new ProgressLog(System.out));
    return demo;
  }

  /** Loads the campaigns, advertisers and rates the generator's events of {@code run} name. */
  public static void loadGeneratedDims(AdlakeConfig config, FunnelGenerator.Run run) {
    try {
      Path dir = root().resolve("dims").resolve(config.catalog().namespace());
      DimensionLoad load = new DimensionLoad(spark(), config.catalog());
      load.ensureTables(config.ingest().usdRates());
      new GeneratedReferenceData(config)
          .write(dir, run.start().atZone(ZoneOffset.UTC).toLocalDate())
          .forEach(
              (table, file) ->
                  System.out.println(
                      load.load(Dimension.named(table), file.toString()).describe()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The shared session predates {@code config}: add its catalog (Spark loads catalogs on first use)
   * with the properties {@link SparkSessions#create} would set, and its {@code spark.hadoop.*}
   * settings to the Hadoop configuration, as a new SparkContext would.
   */
  public static void useCatalogOf(AdlakeConfig config) {
    SparkSession session = spark();
    SparkSessions.catalogProperties(config.catalog()).forEach(session.conf()::set);
    config
        .spark()
        .extra()
        .forEach(
            (key, value) -> {
              if (key.startsWith(SPARK_HADOOP)) {
                session
                    .sparkContext()
                    .hadoopConfiguration()
                    .set(key.substring(SPARK_HADOOP.length()), value);
              }
            });
  }
}
