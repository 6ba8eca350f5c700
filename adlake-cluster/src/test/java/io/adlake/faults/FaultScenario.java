package io.adlake.faults;

import io.adlake.TestServices;
import io.adlake.config.AdlakeConfig;
import io.adlake.event.EventType;
import io.adlake.event.FunnelGenerator;
import io.adlake.event.FunnelGenerator.Summary;
import io.adlake.event.KafkaEventSink;
import io.adlake.source.KafkaTopics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One fault test's world: its topics on a broker, its namespace and checkpoints in the shared
 * warehouse, the events sent so far (in chunks, each with the generator's ground truth) and the
 * runs of {@code adlake run} in child JVMs against them.
 */
final class FaultScenario {
  /** {@code make faults} sets it: many more faults per scenario. */
  static final boolean LONG = Boolean.getBoolean("adlake.faults.long");

  /**
   * A funnel with enough impressions and clicks to attribute in every chunk, a slow event clock so
   * the metrics have many windows, re-sent and malformed records for the accounting, and small
   * micro-batches so a run goes through many commits.
   *
   * <p>No {@code adlake.aggregate.max-files-per-trigger}: with a file cap Iceberg splits one bronze
   * commit over several micro-batches, and when that commit spans more event time than the
   * watermark (here the gap between two chunks that a restart's backlog puts into one ingest
   * batch), the files read first move the watermark past the events of the files read later, which
   * are then dropped as late (counted in late_events). Seen in a long run with a cap of 4: 93 rows
   * of two metrics tables off their recomputation.
   */
  private static final List<String> FUNNEL =
      List.of(
          "adlake.generator.event-rate=20",
          "adlake.generator.win-rate=0.4",
          "adlake.generator.click-rate=0.3",
          "adlake.generator.duplicate-share=0.02",
          "adlake.generator.malformed-share=0.01",
          "adlake.source.kafka.max-offsets-per-trigger=400");

  /**
   * Chunk k's events start k times this after the first chunk's: about where chunk k-1's end (a
   * chunk spans up to ~2 minutes of event time), so event time has no gap near the metrics'
   * 10-minute watermark. With 15 minutes a long run lost 40 rolling_metrics_by_bidder rows as late:
   * after a kill the backlog is read with maxOffsetsPerTrigger, which Spark shares between
   * partitions by their lag, so one partition's next chunk reached bronze a commit before the other
   * partition's rest of the last chunk, 13 minutes of event time older.
   */
  private static final Duration CHUNK_SPACING = Duration.ofSeconds(150);

  private final AdlakeConfig config;
  private final List<String> childConf;
  private final String bootstrapServers;
  private final Instant start;
  private final Path log;
  private final List<Summary> sent = new ArrayList<>();
  private int runs;

  private FaultScenario(
      AdlakeConfig config,
      List<String> childConf,
      String bootstrapServers,
      Instant start,
      Path log) {
    this.config = config;
    this.childConf = childConf;
    this.bootstrapServers = bootstrapServers;
    this.start = start;
    this.log = log;
  }

  /**
   * @param start event time of the first chunk
   * @param overrides further settings, for the test's config and the child's {@code --conf}s alike
   */
  static FaultScenario create(
      String name, String bootstrapServers, Instant start, String... overrides) {
    List<String> settings = new ArrayList<>(FUNNEL);
    settings.add("adlake.source.kafka.bootstrap-servers=" + bootstrapServers);
    settings.addAll(List.of(overrides));
    AdlakeConfig config = TestServices.config(name, settings.toArray(String[]::new));
    List<String> childConf =
        new ArrayList<>(
            List.of(
                "adlake.spark.shuffle-partitions=" + config.spark().shufflePartitions(),
                "adlake.catalog.warehouse=" + config.catalog().warehouse(),
                "adlake.catalog.namespace=" + config.catalog().namespace(),
                "adlake.streaming.checkpoint-root=" + config.streaming().checkpointRoot(),
                "adlake.streams.bid-requests=" + config.streams().bidRequests(),
                "adlake.streams.bid-responses=" + config.streams().bidResponses(),
                "adlake.streams.impressions=" + config.streams().impressions(),
                "adlake.streams.clicks=" + config.streams().clicks(),
                "adlake.streams.conversions=" + config.streams().conversions()));
    childConf.addAll(settings);
    return new FaultScenario(
        config,
        childConf,
        bootstrapServers,
        start,
        Path.of("target", "faults", config.catalog().namespace() + ".log").toAbsolutePath());
  }

  /** Writes what the test just did into the runs' log, between the job's own lines. */
  void note(String what) throws IOException {
    Files.writeString(
        log, String.format("---- %tT: %s%n", LocalTime.now(), what), StandardOpenOption.APPEND);
  }

  /**
   * A micro-batch's progress line of the child's output: ingest accounting, query progress or a
   * MERGE.
   */
  static boolean isBatchLine(String line) {
    return line.matches("\\s+\\S.* batch \\d+: .*");
  }

  AdlakeConfig config() {
    return config;
  }

  Path log() {
    return log;
  }

  List<Summary> sent() {
    return List.copyOf(sent);
  }

  int runs() {
    return runs;
  }

  /**
   * Sends the next chunk of {@code events} generator events; each chunk's event time follows the
   * last's.
   */
  Summary sendChunk(long events) throws InterruptedException {
    return sendChunk(events, start.plus(CHUNK_SPACING.multipliedBy(sent.size())));
  }

  /**
   * Sends a chunk of {@code events} generator events whose event time starts at {@code chunkStart}.
   */
  Summary sendChunk(long events, Instant chunkStart) throws InterruptedException {
    List<String> topics =
        Arrays.stream(EventType.values()).map(t -> t.streamName(config.streams())).toList();
    KafkaTopics.ensure(bootstrapServers, topics, 2);
    try (KafkaEventSink sink = new KafkaEventSink(bootstrapServers, config.streams(), Map.of())) {
      Summary summary =
          new FunnelGenerator(config)
              .generate(
                  FunnelGenerator.Run.count(events, config.generator().eventRate(), chunkStart),
                  sink,
                  s -> {});
      sent.add(summary);
      return summary;
    }
  }

  /** Starts run number {@link #runs()} + 1 of {@code adlake run} with all three jobs. */
  JobProcess startJob(String trigger, Optional<String> crashPoint) throws IOException {
    runs++;
    return JobProcess.start("run " + runs, log, trigger, childConf, crashPoint);
  }

  /** A run with {@code --trigger available-now}, which must end by itself, successfully. */
  void drain(Duration timeout) throws IOException, InterruptedException {
    long started = System.nanoTime();
    JobProcess drain = startJob("available-now", Optional.empty());
    boolean ended = drain.awaitExit(timeout);
    System.out.printf(
        "  %s: available-now run, %d s%n",
        drain.label(), (System.nanoTime() - started) / 1_000_000_000);
    if (!ended) {
      drain.kill();
      throw new AssertionError(
          "the available-now run did not end within "
              + timeout.toSeconds()
              + " s:\n"
              + drain.tail());
    }
    if (drain.exitValue() != 0) {
      throw new AssertionError(
          "the available-now run failed (exit " + drain.exitValue() + "):\n" + drain.tail());
    }
  }

  List<LakeAudit.TableAudit> audit() {
    long started = System.nanoTime();
    List<LakeAudit.TableAudit> audits = new LakeAudit(TestServices.spark(), config).audit(sent);
    System.out.printf(
        "  audit of %d tables, %d s%n",
        audits.size(), (System.nanoTime() - started) / 1_000_000_000);
    return audits;
  }
}
