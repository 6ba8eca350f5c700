package io.adlake.lake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.adlake.TestServices;
import io.adlake.config.AdlakeConfig;
import io.adlake.config.AdlakeConfig.MaintenanceSettings;
import io.adlake.config.ConfigLoader;
import io.adlake.config.ConfigurationException;
import io.adlake.job.Checkpoints;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Test;

/**
 * maintain on a merge-on-read metrics table written by the exactly-once MERGE: closed days
 * compacted and their deletes folded, the open day untouched, rows unchanged, snapshots expired
 * without losing the ledger, old orphans removed and fresh ones kept.
 */
class TableMaintenanceTest {
  private static final Instant NOW = Instant.now();
  private static final Instant CLOSED_DAY =
      NOW.truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(3));

  @Test
  void closedPartitionsAreCompactedAndTheLedgerSurvivesExpiry() throws Exception {
    SparkSession spark = TestServices.spark();
    AdlakeConfig config = TestServices.config("maintain");
    TableSpec spec = AdlakeTables.hourlyImpressionsByGeo(MergeMode.MERGE_ON_READ);
    String table = TableSetup.ensure(spark, config.catalog(), spec);
    ExactlyOnceMerge sink =
        new ExactlyOnceMerge(table, spec, "true", UnaryOperator.identity(), c -> {});
    String writer = UUID.randomUUID().toString();
    spark.sparkContext().setLocalProperty(CommitLedger.QUERY_ID_KEY, writer);
    try {
      // Six batches into the closed day (the later three correct earlier rows: delete files), two
      // into today.
      for (int batch = 0; batch < 6; batch++) {
        sink.call(rows(spark, spec, CLOSED_DAY, batch % 3, 10 + batch), (long) batch);
      }
      Instant openHour = NOW.truncatedTo(ChronoUnit.HOURS);
      sink.call(rows(spark, spec, openHour, 0, 1), 6L);
      sink.call(rows(spark, spec, openHour, 1, 2), 7L);
    } finally {
      spark.sparkContext().setLocalProperty(CommitLedger.QUERY_ID_KEY, null);
    }
    List<Row> contentsBefore = contents(spark, table);
    long openFilesBefore = filesOn(spark, table, NOW);
    assertTrue(filesOn(spark, table, CLOSED_DAY) >= 6, "one file per closed-day batch at least");
    assertTrue(
        spark.sql("SELECT * FROM " + table + ".delete_files").count() > 0,
        "corrections left delete files");

    Path dataDir = Path.of(URI.create(TableSetup.load(spark, table).location())).resolve("data");
    Path oldOrphan =
        Files.writeString(dataDir.resolve("old-orphan.parquet"), "left by a crashed writer");
    Files.setLastModifiedTime(oldOrphan, FileTime.from(NOW.minus(Duration.ofDays(5))));
    Path freshOrphan =
        Files.writeString(dataDir.resolve("fresh-orphan.parquet"), "being written right now");

    TableMaintenance maintenance =
        new TableMaintenance(
            spark, config.catalog(), settings("3d", false), Checkpoints.root(config));
    TableMaintenance.Report report =
        maintenance.maintain(AdlakeTables.HOURLY_IMPRESSIONS_BY_GEO, Instant.now());

    assertEquals(1, filesOn(spark, table, CLOSED_DAY), "the closed day is one file: " + report);
    assertEquals(openFilesBefore, filesOn(spark, table, NOW), "the open day is left to the stream");
    assertEquals(
        0, spark.sql("SELECT * FROM " + table + ".delete_files").count(), "deletes folded in");
    assertEquals(contentsBefore, contents(spark, table), "maintenance changes no row");
    assertTrue(report.snapshotsExpired() > 0, "old snapshots expired: " + report);
    assertEquals(1, report.ledgerSnapshotsKept());
    assertTrue(
        CommitLedger.isCommitted(spark, table, writer, 7L),
        "a replay of the last batch is still skipped");
    assertEquals(7L, CommitLedger.lastCommittedBatch(TableSetup.load(spark, table), writer));
    assertEquals(1, report.orphansRemoved());
    assertFalse(Files.exists(oldOrphan), "an orphan older than orphan-min-age is removed");
    assertTrue(Files.exists(freshOrphan), "a younger file may belong to a running write: kept");
    assertTrue(maintenance.tables().contains(AdlakeTables.HOURLY_IMPRESSIONS_BY_GEO));
  }

  /**
   * A streaming query that reads a table and is down while streams commit on: expiry with a zero
   * retention and retain-last 1 keeps the snapshot its checkpoint stands at, and the query restarts
   * and reads on (without it, Iceberg's source fails: "Cannot load current offset at snapshot …,
   * the snapshot was expired or removed").
   */
  @Test
  void theSnapshotAStoppedStreamingReaderStandsAtSurvivesExpiry() throws Exception {
    AdlakeConfig config = TestServices.config("maintain_reader");
    SparkSession spark = TestServices.spark();
    String table = sourceWithOneRow(spark, config, "reader_source");
    String checkpoint = Checkpoints.location(config, "reader_of_source");
    String sink = emptyCopy(spark, config, "reader_copy");
    readAvailable(spark, table, checkpoint, sink);
    long standsAt = TableSetup.load(spark, table).currentSnapshot().snapshotId();
    for (long id = 2; id <= 4; id++) {
      spark.sql("INSERT INTO " + table + " VALUES (" + id + ")");
    }

    TableMaintenance.Report report =
        new TableMaintenance(
                spark, config.catalog(), settings("3d", false), Checkpoints.root(config))
            .maintain("reader_source", Instant.now());

    assertEquals(1, report.readerSnapshotsKept(), report.toString());
    assertTrue(
        TableSetup.load(spark, table).snapshot(standsAt) != null, "the reader's snapshot is kept");
    readAvailable(spark, table, checkpoint, sink);
    assertEquals(
        List.of(1L, 2L, 3L, 4L),
        ids(spark, sink),
        "the restarted reader read on from its checkpoint, once each");
  }

  /**
   * Iceberg computes an available-now run's end from the query's initial offset
   * (apache/iceberg#18000). The query reads {@code others} in two places and then {@code
   * initial_source}, like the funnel query reads bronze, so the offsets log has three lines for two
   * sources; {@code others} was empty on the first start (initial offset -1, which needs no
   * snapshot).
   */
  @Test
  void anAvailableNowReaderRestartsAfterItsInitialSnapshotWasExpired() throws Exception {
    AdlakeConfig config = TestServices.config("maintain_initial");
    SparkSession spark = TestServices.spark();
    String table = sourceWithOneRow(spark, config, "initial_source");
    String others = emptyCopy(spark, config, "initial_others");
    long initialSnapshot = TableSetup.load(spark, table).currentSnapshot().snapshotId();
    String checkpoint = Checkpoints.location(config, "reader_of_initial");
    String sink = emptyCopy(spark, config, "initial_copy");
    readOthersTwiceThen(spark, others, table, checkpoint, sink);
    spark.sql("INSERT INTO " + table + " VALUES (2)");
    spark.sql("INSERT INTO " + others + " VALUES (10)");
    readOthersTwiceThen(spark, others, table, checkpoint, sink);
    long committedSnapshot = TableSetup.load(spark, table).currentSnapshot().snapshotId();
    spark.sql("INSERT INTO " + table + " VALUES (3)");
    spark.sql("INSERT INTO " + others + " VALUES (11)");
    TableMaintenance maintenance =
        new TableMaintenance(
            spark, config.catalog(), settings("3d", false), Checkpoints.root(config));
    maintenance.maintain("initial_source", Instant.now());
    maintenance.maintain("initial_others", Instant.now());
    assertTrue(
        TableSetup.load(spark, table).snapshot(initialSnapshot) == null,
        "the first snapshot was expired");

    List<String> moved =
        StreamingReaders.moveExpiredInitialOffsets(
            spark, config.catalog(), Checkpoints.root(config));

    assertEquals(
        List.of(
            "reader_of_initial: source 1 initial offset moved from expired snapshot "
                + initialSnapshot
                + " to snapshot "
                + committedSnapshot
                + " of its last committed batch 1"),
        moved);
    readOthersTwiceThen(spark, others, table, checkpoint, sink);
    assertEquals(
        List.of(1L, 2L, 3L, 10L, 10L, 11L, 11L),
        ids(spark, sink),
        "the restarted reader read on from its checkpoint, once for each place it reads a table");
    assertEquals(
        List.of(),
        StreamingReaders.moveExpiredInitialOffsets(
            spark, config.catalog(), Checkpoints.root(config)),
        "an initial offset whose snapshot exists is left alone");
  }

  @Test
  void sourcesAreToldApartByTheFirstPlaceTheirOffsetStands() {
    assertEquals(
        Optional.of(List.of("b", "a")),
        StreamingReaders.offsetsBySource(List.of("b", "b", "a"), 2));
    assertEquals(
        Optional.of(List.of("b", "a", "c")),
        StreamingReaders.offsetsBySource(List.of("b", "a", "b", "c"), 3));
    assertEquals(
        Optional.empty(),
        StreamingReaders.offsetsBySource(List.of("b", "b", "a"), 3),
        "two sources at the same offset cannot be told apart");
  }

  private static void readOthersTwiceThen(
      SparkSession spark, String others, String table, String checkpoint, String sink)
      throws Exception {
    Dataset<Row> twice = spark.readStream().format("iceberg").load(others);
    twice
        .union(twice)
        .union(spark.readStream().format("iceberg").load(table))
        .writeStream()
        .format("iceberg")
        .outputMode("append")
        .option("checkpointLocation", checkpoint)
        .trigger(Trigger.AvailableNow())
        .toTable(sink)
        .awaitTermination();
  }

  /** A table of ids holding the id 1, in the test's namespace; returns its qualified name. */
  private static String sourceWithOneRow(SparkSession spark, AdlakeConfig config, String name) {
    String table = emptyCopy(spark, config, name);
    spark.sql("INSERT INTO " + table + " VALUES (1)");
    return table;
  }

  private static String emptyCopy(SparkSession spark, AdlakeConfig config, String name) {
    String table = config.catalog().qualified(name);
    spark.sql(
        "CREATE NAMESPACE IF NOT EXISTS "
            + config.catalog().name()
            + "."
            + config.catalog().namespace());
    spark.sql("CREATE TABLE " + table + " (id BIGINT) USING iceberg");
    return table;
  }

  private static List<Long> ids(SparkSession spark, String table) {
    return spark.sql("SELECT id FROM " + table + " ORDER BY id").collectAsList().stream()
        .map(row -> row.getLong(0))
        .toList();
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

  @Test
  void anOrphanAgeUnder24HoursIsRefusedUnlessAllowed() {
    AdlakeConfig config = TestServices.config("maintain_orphans");
    ConfigurationException refused =
        assertThrows(ConfigurationException.class, () -> settings("1h", false));
    assertTrue(
        refused.getMessage().contains("adlake.maintenance.orphan-min-age")
            && refused.getMessage().contains("allow-short-orphan-age"),
        refused.getMessage());
    new TableMaintenance(
        TestServices.spark(), config.catalog(), settings("1h", true), Checkpoints.root(config));
  }

  /** Compaction from two files on, expiry of every snapshot but the newest (and the ledger's). */
  private static MaintenanceSettings settings(String orphanMinAge, boolean allowShort) {
    return ConfigLoader.load(
            "local",
            List.of(
                "adlake.maintenance.closed-after=2h",
                "adlake.maintenance.target-file-size-bytes=0",
                "adlake.maintenance.min-input-files=2",
                "adlake.maintenance.snapshot-retention=0s",
                "adlake.maintenance.retain-last=1",
                "adlake.maintenance.ledger-retention=30d",
                "adlake.maintenance.orphan-min-age=" + orphanMinAge,
                "adlake.maintenance.allow-short-orphan-age=" + allowShort))
        .maintenance();
  }

  /**
   * Rows for countries c0..c3 in the hour starting at {@code hour}; {@code variant} picks which.
   */
  private static Dataset<Row> rows(
      SparkSession spark, TableSpec spec, Instant hour, int variant, long count) {
    Timestamp start = Timestamp.from(hour);
    Timestamp end = Timestamp.from(hour.plus(Duration.ofHours(1)));
    List<Row> rows =
        List.of(
            RowFactory.create(start, "C" + variant, end, count, count * 0.002, 2.0, end),
            RowFactory.create(start, "D" + variant, end, count + 1, (count + 1) * 0.002, 2.0, end));
    return spark.createDataFrame(rows, spec.sparkSchema());
  }

  private static List<Row> contents(SparkSession spark, String table) {
    return spark
        .sql(
            "SELECT window_start, device_geo_country, impression_count FROM "
                + table
                + " ORDER BY window_start, device_geo_country")
        .collectAsList();
  }

  private static long filesOn(SparkSession spark, String table, Instant day) {
    return spark
        .sql(
            "SELECT * FROM "
                + table
                + ".data_files WHERE partition.window_start_day = DATE '"
                + day.toString().substring(0, 10)
                + "'")
        .count();
  }
}
