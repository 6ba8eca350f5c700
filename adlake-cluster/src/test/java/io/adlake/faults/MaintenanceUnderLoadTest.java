package io.adlake.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.adlake.TestServices;
import io.adlake.job.Checkpoints;
import io.adlake.lake.TableMaintenance;
import io.adlake.lake.TableSetup;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code TableMaintenance.maintain} on every table, pass after pass, while {@code adlake run}
 * commits to the same tables every two seconds from another JVM (as {@code maintain --every} beside
 * {@code run}).
 *
 * <p>A first run writes yesterday's events and finishes, so yesterday's partitions are closed
 * (closed-after 1 s here, so they qualify at any hour) and hold many small files. Then the job runs
 * continuously on today's events, sent one chunk before each maintenance pass, while every pass
 * compacts yesterday, rewrites delete files and manifests, expires snapshots (retention 1 minute,
 * keeping the last 20 and the ledger) and removes orphans (an old one planted in every table; the
 * age limit stays at 3 days). The job must not fail, maintenance must really rewrite files, and at
 * the end every table holds exactly its expected rows.
 *
 * <p>Today's events start at 01:00, not midnight: a 5-minute window sliding over midnight starts
 * yesterday, and a MERGE into a partition that compaction rewrites at the same time is the conflict
 * {@code closed-after} exists to prevent (README, "Conflicts").
 */
class MaintenanceUnderLoadTest {
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(4);

  @Test
  void maintenanceRunsBesideTheStreamingJobsWhichNeitherFailNorLoseOrDoubleARow() throws Exception {
    long started = System.nanoTime();
    int passes = FaultScenario.LONG ? 6 : 1;
    Instant today = Instant.now().truncatedTo(ChronoUnit.DAYS);
    FaultScenario scenario =
        FaultScenario.create(
            "maintenance",
            TestServices.broker().bootstrapServers(),
            today.minus(Duration.ofHours(2)),
            "adlake.maintenance.closed-after=1 second",
            "adlake.maintenance.min-input-files=2",
            "adlake.maintenance.snapshot-retention=1 minute",
            "adlake.maintenance.retain-last=20");
    scenario.sendChunk(FaultScenario.LONG ? 2_000 : 1_500);
    if (FaultScenario.LONG) {
      scenario.sendChunk(2_000);
    }
    scenario.drain(RUN_TIMEOUT);

    TableMaintenance maintenance =
        new TableMaintenance(
            TestServices.spark(),
            scenario.config().catalog(),
            scenario.config().maintenance(),
            Checkpoints.root(scenario.config()));
    List<String> tables = maintenance.tables();
    List<Path> orphans = plantOldOrphans(scenario, tables);

    JobProcess job = scenario.startJob("2s", Optional.empty());
    long rewritten = 0;
    long deletesRewritten = 0;
    long expired = 0;
    long orphansRemoved = 0;
    for (int pass = 1; pass <= passes; pass++) {
      scenario.sendChunk(
          FaultScenario.LONG ? 2_000 : 1_000,
          today.plus(Duration.ofHours(1)).plus(Duration.ofMinutes(15L * pass)));
      long pausedAt = System.nanoTime();
      for (String table : tables) {
        TableMaintenance.Report report = maintenance.maintain(table, Instant.now());
        rewritten += report.rewrittenDataFiles();
        deletesRewritten += report.rewrittenDeleteFiles();
        expired += report.snapshotsExpired();
        orphansRemoved += report.orphansRemoved();
      }
      long commits = job.countLines(FaultScenario::isBatchLine);
      System.out.printf(
          "  maintenance-under-load: pass %d over %d tables in %d s; the job has %d batch lines%n",
          pass, tables.size(), (System.nanoTime() - pausedAt) / 1_000_000_000, commits);
      assertTrue(job.isAlive(), "the job failed beside maintenance:\n" + job.tail());
    }
    assertTrue(
        job.countLines(line -> line.matches("\\s*query \\S+ failed.*")) == 0,
        "a query failed:\n" + job.tail());
    job.kill();
    scenario.drain(RUN_TIMEOUT);
    List<LakeAudit.TableAudit> audits = scenario.audit();

    System.out.printf(
        "  maintenance-under-load: %d data files rewritten, %d delete files rewritten, %d snapshots "
            + "expired, %d orphans removed%n",
        rewritten, deletesRewritten, expired, orphansRemoved);
    FaultResults.record(
        "maintenance-under-load",
        passes + " maintain passes",
        scenario.runs(),
        audits,
        (System.nanoTime() - started) / 1_000_000_000);
    assertTrue(rewritten > 0, "maintenance compacted yesterday's files");
    assertEquals(orphans.size(), orphansRemoved, "every planted old orphan removed, nothing else");
    assertTrue(orphans.stream().noneMatch(Files::exists));
    assertTrue(
        audits.stream().allMatch(LakeAudit.TableAudit::clean), audits + "\nlog: " + scenario.log());
  }

  /** A file no snapshot references, five days old, in each table's data directory. */
  private static List<Path> plantOldOrphans(FaultScenario scenario, List<String> tables)
      throws Exception {
    List<Path> orphans = new ArrayList<>();
    for (String table : tables) {
      Path data =
          Path.of(
                  URI.create(
                      TableSetup.load(
                              TestServices.spark(), scenario.config().catalog().qualified(table))
                          .location()))
              .resolve("data");
      Files.createDirectories(data);
      Path orphan =
          Files.writeString(
              data.resolve("crashed-writer-orphan.parquet"), "left by a crashed writer");
      Files.setLastModifiedTime(orphan, FileTime.from(Instant.now().minus(Duration.ofDays(5))));
      orphans.add(orphan);
    }
    return orphans;
  }
}
