package io.adlake.faults;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.adlake.TestServices;
import io.adlake.embedded.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The Kafka broker goes away while {@code adlake run} reads from it, and comes back on the same
 * port with the same log dir (topics, offsets and records intact). A broker of its own, not the
 * suite's. After each outage the test sends more events and watches the job: it either carries on
 * by itself, or it fails and is started again from its checkpoints, as a scheduler (Glue, EMR's
 * retry policy) would. Either way, at the end every table must hold exactly its expected rows.
 *
 * <p>{@code make test}: one outage. {@code make faults}: outages of growing length, up to past the
 * Kafka clients' 60 s API timeout.
 */
class BrokerRestartTest {
  private static final Instant START = Instant.parse("2026-11-19T14:00:00Z");
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(4);

  @Test
  void theBrokerRestartingMidStreamLosesAndDoublesNothing() throws Exception {
    long started = System.nanoTime();
    List<Duration> outages =
        FaultScenario.LONG
            ? List.of(
                Duration.ofSeconds(5),
                Duration.ofSeconds(20),
                Duration.ofSeconds(45),
                Duration.ofSeconds(90))
            : List.of(Duration.ofSeconds(15));
    Path logDir = TestServices.root().resolve("kafka-restarted");
    EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(logDir);
    int port = broker.port();
    try {
      FaultScenario scenario =
          FaultScenario.create(
              "broker",
              broker.bootstrapServers(),
              START,
              "adlake.source.kafka.max-offsets-per-trigger=" + (FaultScenario.LONG ? 300 : 600));
      scenario.sendChunk(FaultScenario.LONG ? 4_000 : 1_500);
      JobProcess job = scenario.startJob("2s", Optional.empty());
      List<String> outcomes = new ArrayList<>();
      for (Duration outage : outages) {
        assertTrue(
            job.awaitLines(BrokerRestartTest::isIngestLine, 1, RUN_TIMEOUT),
            job.label() + " read nothing:\n" + job.tail());
        scenario.note("broker stopping for " + outage.toSeconds() + " s");
        broker.close();
        Thread.sleep(outage.toMillis());
        broker = EmbeddedKafkaBroker.start(logDir, port);
        scenario.note("broker back on port " + port);
        long ingestedBefore = job.countLines(BrokerRestartTest::isIngestLine);
        scenario.sendChunk(FaultScenario.LONG ? 1_500 : 800);
        // Recovered: the running job ingests the new chunk. Failed: it ends, and is started again.
        job.awaitLines(BrokerRestartTest::isIngestLine, ingestedBefore + 1, RUN_TIMEOUT);
        if (job.isAlive()) {
          outcomes.add(
              String.format("%d s outage: the job recovered by itself", outage.toSeconds()));
        } else {
          outcomes.add(
              String.format(
                  "%d s outage: the job failed (exit %d; %s) and was restarted from its "
                      + "checkpoints",
                  outage.toSeconds(), job.exitValue(), failure(job.lines())));
          job = scenario.startJob("2s", Optional.empty());
        }
        System.out.printf("  broker-restart: %s%n", outcomes.get(outcomes.size() - 1));
      }
      job.kill();
      scenario.drain(RUN_TIMEOUT);
      List<LakeAudit.TableAudit> audits = scenario.audit();

      FaultResults.record(
          "broker-restart",
          outages.size() + " broker outages",
          scenario.runs(),
          audits,
          (System.nanoTime() - started) / 1_000_000_000);
      assertTrue(
          audits.stream().allMatch(LakeAudit.TableAudit::clean),
          audits + "\n" + outcomes + "\nlog: " + scenario.log());
    } finally {
      broker.close();
    }
  }

  /**
   * The exception behind the first query that failed: the last "Caused by" before its failure line.
   */
  private static String failure(List<String> lines) {
    String cause = "cause not in the log";
    for (String line : lines) {
      if (line.startsWith("Caused by: ")) {
        cause = line.substring("Caused by: ".length());
      } else if (line.matches("\\s*query \\S+ failed: .*")) {
        return cause.length() > 160 ? cause.substring(0, 160) + "..." : cause;
      }
    }
    return cause;
  }

  private static boolean isIngestLine(String line) {
    return line.trim().startsWith("ingest ") && line.contains(" batch ");
  }
}
