package io.adlake.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.adlake.ClusterModule;
import io.adlake.TestServices;
import io.adlake.config.AdlakeConfig;
import io.adlake.config.ConfigLoader;
import io.adlake.event.EventType;
import io.adlake.job.Checkpoints;
import io.adlake.lake.TableMaintenance;
import io.adlake.lake.TableSetup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Test;

/**
 * An available-now {@code adlake run} moves the initial offset of a streaming reader whose first
 * snapshot was expired (apache/iceberg#18000). Killed in the middle of that move, the next run must
 * still find the checkpoint whole, finish the move, and the reader must read on.
 */
class CheckpointMoveCrashTest {
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(4);

  @Test
  void aRunKilledWhileMovingAnInitialOffsetRestartsCleanly() throws Exception {
    SparkSession spark = TestServices.spark();
    AdlakeConfig config = TestServices.config("offset_move");
    spark.sql(
        "CREATE NAMESPACE IF NOT EXISTS "
            + config.catalog().name()
            + "."
            + config.catalog().namespace());
    String source = config.catalog().qualified("moved_source");
    String sink = config.catalog().qualified("moved_copy");
    spark.sql("CREATE TABLE " + source + " (id BIGINT) USING iceberg");
    spark.sql("CREATE TABLE " + sink + " (id BIGINT) USING iceberg");
    String checkpoint = Checkpoints.location(config, "reader_of_moved");
    spark.sql("INSERT INTO " + source + " VALUES (1)");
    readAvailable(spark, source, checkpoint, sink);
    spark.sql("INSERT INTO " + source + " VALUES (2)");
    readAvailable(spark, source, checkpoint, sink);
    long committedSnapshot = TableSetup.load(spark, source).currentSnapshot().snapshotId();
    spark.sql("INSERT INTO " + source + " VALUES (3)");
    expireAllButTheNewest(spark, config);

    Path log = ClusterModule.path("target", "faults", config.catalog().namespace() + ".log");
    JobProcess crashed =
        JobProcess.launch(
            "run 1",
            log,
            List.of("-D" + CrashPoint.PROPERTY + "=during-checkpoint-file-replace:*:0"),
            availableNowRun(config));
    assertTrue(crashed.awaitExit(RUN_TIMEOUT), crashed.tail());
    assertEquals(
        CrashPoint.EXIT_STATUS,
        crashed.exitValue(),
        "halted in the middle of the move:\n" + crashed.tail());

    JobProcess restarted = JobProcess.launch("run 2", log, List.of(), availableNowRun(config));
    assertTrue(restarted.awaitExit(RUN_TIMEOUT), restarted.tail());
    assertEquals(0, restarted.exitValue(), restarted.tail());
    assertTrue(
        restarted.lines().stream()
            .anyMatch(
                line ->
                    line.contains(
                            "reader_of_moved: source 0 initial offset moved from expired snapshot")
                        && line.contains(
                            "to snapshot " + committedSnapshot + " of its last committed batch 1")),
        "the restart finds the initial offset whole and moves it:\n" + restarted.tail());

    readAvailable(spark, source, checkpoint, sink);
    assertEquals(
        List.of(1L, 2L, 3L),
        spark.sql("SELECT id FROM " + sink + " ORDER BY id").collectAsList().stream()
            .map(row -> row.getLong(0))
            .toList(),
        "the reader read on from its checkpoint, each row once");
  }

  /** {@code run --jobs ingest} from empty directories: the move, then nothing to read. */
  private static List<String> availableNowRun(AdlakeConfig config) throws Exception {
    for (EventType type : EventType.values()) {
      Files.createDirectories(
          Path.of(config.source().files().path(), type.streamName(config.streams())));
    }
    return JobProcess.filesIngestArguments(config, config.source().files().path());
  }

  /** Expiry with zero retention: the reader's first snapshot goes, the one it stands at stays. */
  private static void expireAllButTheNewest(SparkSession spark, AdlakeConfig config) {
    new TableMaintenance(
            spark,
            config.catalog(),
            ConfigLoader.load(
                    "local",
                    List.of(
                        "adlake.maintenance.snapshot-retention=0s",
                        "adlake.maintenance.retain-last=1"))
                .maintenance(),
            Checkpoints.root(config))
        .maintain("moved_source", Instant.now());
  }

  private static void readAvailable(
      SparkSession spark, String table, String checkpoint, String sink) throws Exception {
    spark
        .readStream()
        .format("iceberg")
        .load(table)
        .writeStream()
        .format("iceberg")
        .outputMode("append")
        .option("checkpointLocation", checkpoint)
        .trigger(Trigger.AvailableNow())
        .toTable(sink)
        .awaitTermination();
  }
}
