package io.adlake.lake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.adlake.ClusterModule;
import io.adlake.TestServices;
import io.adlake.config.AdlakeConfig;
import io.adlake.faults.JobProcess;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Table;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every cut-off of {@code maintain} is an instant, whatever the JVM's default time zone: {@code
 * maintain} runs in child JVMs started with {@code -Duser.timezone} east and west of UTC, on a
 * table with a snapshot just before and just after the expiry cut-off, files on each side of the
 * day that compaction closes, and orphan files just older and just younger than the 24 h minimum
 * age.
 */
class MaintenanceTimeZoneTest {
  private static final Duration SNAPSHOT_RETENTION = Duration.ofSeconds(10);
  private static final Duration ORPHAN_MIN_AGE = Duration.ofHours(24);

  /** Between the snapshots the cut-off falls between: more than a second, in any clock. */
  private static final Duration BETWEEN = Duration.ofMillis(1_500);

  @ParameterizedTest
  @ValueSource(strings = {"Asia/Tokyo", "America/Los_Angeles"})
  void cutOffsAreInstantsInAnyJvmTimeZone(String zone) throws Exception {
    SparkSession spark = TestServices.spark();
    AdlakeConfig config = TestServices.config("maintain_tz");
    spark.sql(
        "CREATE NAMESPACE IF NOT EXISTS "
            + config.catalog().name()
            + "."
            + config.catalog().namespace());
    String table = config.catalog().qualified("events");
    spark.sql(
        "CREATE TABLE "
            + table
            + " (ts TIMESTAMP, v BIGINT) USING iceberg PARTITIONED BY (days(ts))");

    // closed-after is chosen so that the day it closes is yesterday's, whatever the time of day:
    // the closed day's rows are late on the day before it ends, the open day's early after.
    Instant roughlyNow = Instant.now().plus(SNAPSHOT_RETENTION);
    Instant noonBefore = roughlyNow.truncatedTo(ChronoUnit.DAYS).minus(Duration.ofHours(12));
    Duration closedAfter = Duration.between(noonBefore, roughlyNow);
    Instant openDay = noonBefore.truncatedTo(ChronoUnit.DAYS);
    Instant closedRows = openDay.minus(Duration.ofHours(2));
    Instant openRows = openDay.plus(Duration.ofHours(1));

    long s1 = insert(spark, table, closedRows, 1);
    long s2 = insert(spark, table, openRows, 2);
    Thread.sleep(BETWEEN.toMillis());
    long s3 = insert(spark, table, closedRows, 3);
    long s4 = insert(spark, table, openRows, 4);
    Table loaded = TableSetup.load(spark, table);
    Instant expiryCutOff =
        Instant.ofEpochMilli(loaded.snapshot(s2).timestampMillis()).plus(BETWEEN.dividedBy(2));
    Instant now = expiryCutOff.plus(SNAPSHOT_RETENTION);

    Path data = Path.of(URI.create(loaded.location())).resolve("data");
    Path oldOrphan = orphan(data, "old-orphan.parquet", now.minus(ORPHAN_MIN_AGE).minusSeconds(60));
    Path youngOrphan =
        orphan(data, "young-orphan.parquet", now.minus(ORPHAN_MIN_AGE).plusSeconds(60));

    List<String> args =
        new ArrayList<>(
            List.of(
                now.toString(),
                "events",
                "adlake.spark.shuffle-partitions=2",
                "adlake.catalog.warehouse=" + config.catalog().warehouse(),
                "adlake.catalog.namespace=" + config.catalog().namespace(),
                "adlake.streaming.checkpoint-root=" + config.streaming().checkpointRoot(),
                "adlake.maintenance.closed-after=" + closedAfter.toSeconds() + "s",
                "adlake.maintenance.target-file-size-bytes=0",
                "adlake.maintenance.min-input-files=2",
                "adlake.maintenance.snapshot-retention=" + SNAPSHOT_RETENTION.toSeconds() + "s",
                "adlake.maintenance.retain-last=1",
                "adlake.maintenance.orphan-min-age=" + ORPHAN_MIN_AGE.toHours() + "h"));
    JobProcess maintain =
        JobProcess.launchMain(
            "maintain in " + zone,
            ClusterModule.path("target", "maintain-tz", config.catalog().namespace() + ".log"),
            List.of("-Duser.timezone=" + zone),
            MaintainAt.class,
            args);
    assertTrue(maintain.awaitExit(Duration.ofMinutes(4)), maintain.tail());
    assertEquals(0, maintain.exitValue(), maintain.tail());

    String context = " (" + zone + ", cut-off " + expiryCutOff + ")\n" + maintain.tail();
    loaded = TableSetup.load(spark, table);
    assertTrue(
        loaded.snapshot(s1) == null && loaded.snapshot(s2) == null,
        "the snapshots older than the expiry cut-off are expired" + context);
    assertTrue(
        loaded.snapshot(s3) != null && loaded.snapshot(s4) != null,
        "the snapshots younger than the expiry cut-off are kept" + context);
    assertEquals(
        1,
        filesOn(spark, table, closedRows),
        "the closed day is compacted into one file" + context);
    assertEquals(
        2, filesOn(spark, table, openRows), "the open day is left to the streams" + context);
    assertFalse(
        Files.exists(oldOrphan), "an orphan older than orphan-min-age is removed" + context);
    assertTrue(
        Files.exists(youngOrphan), "an orphan younger than orphan-min-age is kept" + context);
  }

  /** Appends one row as one file and one snapshot; returns the snapshot's id. */
  private static long insert(SparkSession spark, String table, Instant ts, long v) {
    spark.sql(
        "INSERT INTO "
            + table
            + " VALUES (timestamp_millis("
            + ts.toEpochMilli()
            + "L), "
            + v
            + ")");
    return TableSetup.load(spark, table).currentSnapshot().snapshotId();
  }

  private static Path orphan(Path dir, String name, Instant modified) throws Exception {
    Files.createDirectories(dir);
    Path file = Files.writeString(dir.resolve(name), "left by a crashed writer");
    Files.setLastModifiedTime(file, FileTime.from(modified));
    return file;
  }

  private static long filesOn(SparkSession spark, String table, Instant day) {
    return spark
        .sql(
            "SELECT * FROM "
                + table
                + ".data_files WHERE partition.ts_day = DATE '"
                + day.toString().substring(0, 10)
                + "'")
        .count();
  }
}
