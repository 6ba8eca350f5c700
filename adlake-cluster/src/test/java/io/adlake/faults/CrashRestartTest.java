package io.adlake.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.adlake.TestServices;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code adlake run} (ingest, attribution, aggregate) in a child JVM, killed again and again:
 * halted at an exactly-once write's hardest points ({@link CrashPoint}) and SIGKILLed at random
 * moments, each time restarted from its checkpoints with a new chunk of events waiting; at the end
 * an available-now run drains the rest. Every table must then hold exactly its expected rows
 * ({@link LakeAudit}).
 *
 * <p>{@code make test}: three kills (one of each kind). {@code make faults} ({@code
 * -Dadlake.faults.long=true}): every crash point on several tables and {@value #LONG_RANDOM_KILLS}
 * random kills. {@code -Dadlake.faults.seed=N} replays a random schedule.
 */
class CrashRestartTest {
  private static final Instant START = Instant.parse("2026-11-19T08:00:00Z");
  private static final long CHUNK_EVENTS = FaultScenario.LONG ? 2_500 : 1_200;
  private static final int LONG_RANDOM_KILLS = 20;

  /** A random kill lands within this long after the run's first micro-batch line. */
  private static final Duration RANDOM_WINDOW = Duration.ofSeconds(FaultScenario.LONG ? 20 : 10);

  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(4);

  /**
   * The last run drains what the killed runs left: after 27 kills, over 20 micro-batches of each
   * stream.
   */
  private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(FaultScenario.LONG ? 12 : 8);

  private static final Pattern HALTED =
      Pattern.compile(
          CrashPoint.PROPERTY + ": halting the JVM at (\\S+) of \\S+\\.(\\w+) batch (\\d+)");

  /** Tables whose progress line says when a replayed batch was skipped. */
  private static final List<String> REPORTS_SKIPS =
      List.of(
          "enriched_ad_data",
          "funnel_events",
          "hourly_impressions_by_geo",
          "rolling_metrics_by_bidder",
          "campaign_metrics_5m",
          "hourly_funnel_by_publisher");

  /** Where one run ends: at a crash point, or by SIGKILL at a random moment. */
  private record Kill(Optional<String> crashPoint) {
    static Kill at(String point) {
      return new Kill(Optional.of(point));
    }

    static Kill random() {
      return new Kill(Optional.empty());
    }

    @Override
    public String toString() {
      return crashPoint.orElse("SIGKILL at a random moment");
    }
  }

  @Test
  void killedAtAnyPointTheJobRestartsFromItsCheckpointsAndLosesAndDoublesNothing()
      throws Exception {
    long started = System.nanoTime();
    long seed = Long.getLong("adlake.faults.seed", System.nanoTime() % 100_000);
    Random random = new Random(seed);
    List<Kill> kills = plan(random);
    System.out.printf(
        "crash-restart: %d kills, seed %d (-Dadlake.faults.seed=%d replays the schedule)%n",
        kills.size(), seed, seed);
    FaultScenario scenario =
        FaultScenario.create(
            "crash",
            TestServices.broker().bootstrapServers(),
            START,
            "adlake.source.kafka.max-offsets-per-trigger=" + (FaultScenario.LONG ? 400 : 600));

    List<String> replaysToSkip = new ArrayList<>();
    for (Kill kill : kills) {
      scenario.sendChunk(CHUNK_EVENTS);
      long runStarted = System.nanoTime();
      JobProcess job = scenario.startJob("2s", kill.crashPoint());
      if (kill.crashPoint().isPresent()) {
        assertTrue(
            job.awaitExit(RUN_TIMEOUT),
            job.label()
                + ": crash point "
                + kill
                + " not reached within "
                + RUN_TIMEOUT.toSeconds()
                + " s:\n"
                + job.tail());
        assertEquals(
            CrashPoint.EXIT_STATUS,
            job.exitValue(),
            job.label() + " died otherwise:\n" + job.tail());
      } else {
        assertTrue(
            job.awaitLines(FaultScenario::isBatchLine, 1, RUN_TIMEOUT),
            job.label() + " ended early:\n" + job.tail());
        long delay = (long) (random.nextDouble() * RANDOM_WINDOW.toMillis());
        Thread.sleep(delay);
        assertTrue(job.isAlive(), job.label() + " died before its kill:\n" + job.tail());
        job.kill();
        scenario.note("SIGKILL");
        System.out.printf(
            "  %s: SIGKILL %.1f s after its first micro-batch, %d s after its start%n",
            job.label(), delay / 1000.0, (System.nanoTime() - runStarted) / 1_000_000_000);
      }
      for (String line : job.lines()) {
        Matcher halted = HALTED.matcher(line);
        if (halted.find()) {
          System.out.printf(
              "  %s: halted at %s of %s batch %s, %d s after its start%n",
              job.label(),
              halted.group(1),
              halted.group(2),
              halted.group(3),
              (System.nanoTime() - runStarted) / 1_000_000_000);
          if (halted.group(1).equals("after-commit-before-checkpoint")
              && REPORTS_SKIPS.contains(halted.group(2))) {
            replaysToSkip.add(halted.group(2) + " batch " + halted.group(3));
          }
          break; // Two tasks of one MERGE can both reach the point before the JVM is gone.
        }
      }
    }
    scenario.drain(DRAIN_TIMEOUT);
    assertReplaysSkipped(scenario, replaysToSkip);
    List<LakeAudit.TableAudit> audits = scenario.audit();

    FaultResults.record(
        "crash-restart",
        kills.size() + " kills",
        scenario.runs(),
        audits,
        (System.nanoTime() - started) / 1_000_000_000);
    assertTrue(
        audits.stream().allMatch(LakeAudit.TableAudit::clean),
        "every table exact (late rows: "
            + new LakeAudit(TestServices.spark(), scenario.config()).lateRows()
            + "): "
            + audits
            + "\nlog: "
            + scenario.log());
  }

  /**
   * Short: one crash between commit and checkpoint, one inside a MERGE, one random. Long: both
   * crash points on a bronze append, the attribution MERGE, a metrics MERGE and the funnel append,
   * among the random kills.
   */
  private static List<Kill> plan(Random random) {
    if (!FaultScenario.LONG) {
      return List.of(
          Kill.at("after-commit-before-checkpoint:enriched_ad_data:0"),
          Kill.at("during-merge:campaign_metrics_5m:0"),
          Kill.random());
    }
    List<Kill> kills = new ArrayList<>();
    for (int i = 0; i < LONG_RANDOM_KILLS; i++) {
      kills.add(Kill.random());
    }
    List<Kill> points =
        List.of(
            Kill.at("after-commit-before-checkpoint:bid_requests:0"),
            Kill.at("after-commit-before-checkpoint:enriched_ad_data:0"),
            Kill.at("after-commit-before-checkpoint:funnel_events:0"),
            Kill.at("after-commit-before-checkpoint:hourly_funnel_by_publisher:0"),
            Kill.at("during-merge:enriched_ad_data:0"),
            Kill.at("during-merge:hourly_impressions_by_geo:0"),
            Kill.at("during-merge:rolling_metrics_by_bidder:0"));
    for (Kill point : points) {
      kills.add(random.nextInt(kills.size() + 1), point);
    }
    return kills;
  }

  /**
   * Each batch halted between its commit and its checkpoint was replayed by a later run and skipped
   * there, as the ledger in the snapshot summary says it is committed.
   */
  private static void assertReplaysSkipped(FaultScenario scenario, List<String> replays)
      throws IOException {
    String log = Files.readString(scenario.log());
    for (String replay : replays) {
      assertTrue(
          log.contains(replay + ": already committed, replay skipped"),
          "the replay of " + replay + " was not skipped; log: " + scenario.log());
    }
    if (!replays.isEmpty()) {
      System.out.printf(
          "  replays skipped by the ledger after a restart: %s%n", String.join(", ", replays));
    }
  }
}
