package io.adlake.lake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.adlake.TestServices;
import io.adlake.config.AdlakeConfig;
import io.adlake.config.AdlakeConfig.MaintenanceSettings;
import io.adlake.config.ConfigurationException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * maintain on a merge-on-read metrics table written by the exactly-once MERGE: closed days compacted and their
 * deletes folded, the open day untouched, rows unchanged, snapshots expired without losing the ledger, old
 * orphans removed and fresh ones kept.
 */
class TableMaintenanceTest {
  private static final Instant NOW = Instant.now();
  private static final Instant CLOSED_DAY = NOW.truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(3));

  @Test
  void closedPartitionsAreCompactedAndTheLedgerSurvivesExpiry() throws Exception {
    SparkSession spark = TestServices.spark();
    AdlakeConfig config = TestServices.config("maintain");
    TableSpec spec = AdlakeTables.hourlyImpressionsByGeo(MergeMode.MERGE_ON_READ);
    String table = TableSetup.ensure(spark, config.catalog(), spec);
    ExactlyOnceMerge sink = new ExactlyOnceMerge(table, spec, "true", UnaryOperator.identity(), c -> { });
    String writer = UUID.randomUUID().toString();
    spark.sparkContext().setLocalProperty(CommitLedger.QUERY_ID_KEY, writer);
    try {
      // Six batches into the closed day (the later three correct earlier rows: delete files), two into today.
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
    assertTrue(spark.sql("SELECT * FROM " + table + ".delete_files").count() > 0, "corrections left delete files");

    Path dataDir = Path.of(URI.create(TableSetup.load(spark, table).location())).resolve("data");
    Path oldOrphan = Files.writeString(dataDir.resolve("old-orphan.parquet"), "left by a crashed writer");
    Files.setLastModifiedTime(oldOrphan, FileTime.from(NOW.minus(Duration.ofDays(5))));
    Path freshOrphan = Files.writeString(dataDir.resolve("fresh-orphan.parquet"), "being written right now");

    TableMaintenance maintenance = new TableMaintenance(spark, config.catalog(), settings(Duration.ofDays(3), false));
    TableMaintenance.Report report = maintenance.maintain(AdlakeTables.HOURLY_IMPRESSIONS_BY_GEO, Instant.now());

    assertEquals(1, filesOn(spark, table, CLOSED_DAY), "the closed day is one file: " + report);
    assertEquals(openFilesBefore, filesOn(spark, table, NOW), "the open day is left to the stream");
    assertEquals(0, spark.sql("SELECT * FROM " + table + ".delete_files").count(), "deletes folded in");
    assertEquals(contentsBefore, contents(spark, table), "maintenance changes no row");
    assertTrue(report.snapshotsExpired() > 0, "old snapshots expired: " + report);
    assertEquals(1, report.ledgerSnapshotsKept());
    assertTrue(CommitLedger.isCommitted(spark, table, writer, 7L), "a replay of the last batch is still skipped");
    assertEquals(7L, CommitLedger.lastCommittedBatch(TableSetup.load(spark, table), writer));
    assertEquals(1, report.orphansRemoved());
    assertFalse(Files.exists(oldOrphan), "an orphan older than orphan-min-age is removed");
    assertTrue(Files.exists(freshOrphan), "a younger file may belong to a running write: kept");
    assertTrue(maintenance.tables().contains(AdlakeTables.HOURLY_IMPRESSIONS_BY_GEO));
  }

  @Test
  void anOrphanAgeUnder24HoursIsRefusedUnlessAllowed() {
    AdlakeConfig config = TestServices.config("maintain_orphans");
    ConfigurationException refused = assertThrows(ConfigurationException.class,
        () -> new TableMaintenance(TestServices.spark(), config.catalog(), settings(Duration.ofHours(1), false)));
    assertTrue(refused.getMessage().contains("adlake.maintenance.orphan-min-age")
        && refused.getMessage().contains("allow-short-orphan-age"), refused.getMessage());
    new TableMaintenance(TestServices.spark(), config.catalog(), settings(Duration.ofHours(1), true));
  }

  private static MaintenanceSettings settings(Duration orphanMinAge, boolean allowShort) {
    return new MaintenanceSettings(Duration.ofHours(2), 0, 2, Duration.ZERO, 1, Duration.ofDays(30), orphanMinAge,
        allowShort);
  }

  /** Rows for countries c0..c3 in the hour starting at {@code hour}; {@code variant} picks which. */
  private static org.apache.spark.sql.Dataset<Row> rows(SparkSession spark, TableSpec spec, Instant hour,
      int variant, long count) {
    Timestamp start = Timestamp.from(hour);
    Timestamp end = Timestamp.from(hour.plus(Duration.ofHours(1)));
    List<Row> rows = List.of(
        RowFactory.create(start, "C" + variant, end, count, count * 0.002, 2.0, end),
        RowFactory.create(start, "D" + variant, end, count + 1, (count + 1) * 0.002, 2.0, end));
    return spark.createDataFrame(rows, spec.sparkSchema());
  }

  private static List<Row> contents(SparkSession spark, String table) {
    return spark.sql("SELECT window_start, device_geo_country, impression_count FROM " + table
        + " ORDER BY window_start, device_geo_country").collectAsList();
  }

  private static long filesOn(SparkSession spark, String table, Instant day) {
    return spark.sql("SELECT * FROM " + table + ".data_files WHERE partition.window_start_day = DATE '"
        + day.toString().substring(0, 10) + "'").count();
  }
}
