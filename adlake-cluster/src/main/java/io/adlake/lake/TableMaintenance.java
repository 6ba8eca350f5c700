package io.adlake.lake;

import static java.time.Instant.EPOCH;
import static java.util.Objects.requireNonNull;

import io.adlake.config.AdlakeConfig.CatalogSettings;
import io.adlake.config.AdlakeConfig.MaintenanceSettings;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.actions.RewriteDataFiles;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.spark.actions.SparkActions;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one Iceberg table healthy while streams commit to it, with Iceberg's Spark actions:
 * compaction of closed partitions, position-delete and manifest rewrites, snapshot expiry that
 * keeps the exactly-once ledger, and orphan-file removal with a safe minimum age.
 *
 * <p>Why the streams and compaction do not collide: a streaming MERGE only touches rows inside its
 * watermark (its ON clause carries time bounds), and compaction only rewrites files of day
 * partitions that ended before {@code now - closed-after}. Appends never conflict with a rewrite.
 * What remains (two commits racing on the metadata pointer) is retried by {@code
 * commit.retry.num-retries} on every table.
 */
public final class TableMaintenance {
  private static final Logger LOG = LoggerFactory.getLogger(TableMaintenance.class);

  /** What one run did to one table. */
  public record Report(
      String table,
      Files before,
      Files after,
      long rewrittenDataFiles,
      long addedDataFiles,
      long rewrittenDeleteFiles,
      int snapshotsExpired,
      int ledgerSnapshotsKept,
      int readerSnapshotsKept,
      long orphansRemoved,
      Optional<Instant> compactedBefore) {}

  /** Live data and delete files of the current snapshot. */
  public record Files(long dataFiles, long dataBytes, long deleteFiles) {}

  private final SparkSession spark;
  private final CatalogSettings catalog;
  private final MaintenanceSettings settings;
  private final String checkpointRoot;

  /**
   * @param checkpointRoot where the streaming queries keep their checkpoints ({@code
   *     adlake.streaming. checkpoint-root}, resolved): the snapshots their Iceberg sources stand at
   *     survive expiry
   */
  public TableMaintenance(
      SparkSession spark,
      CatalogSettings catalog,
      MaintenanceSettings settings,
      String checkpointRoot) {
    this.spark = spark;
    this.catalog = catalog;
    this.settings = settings;
    this.checkpointRoot = requireNonNull(checkpointRoot, "checkpointRoot");
  }

  /** The adlake tables that exist in the configured namespace, by name. */
  public List<String> tables() {
    return TableSetup.tablesIn(spark, catalog);
  }

  /**
   * Every cut-off is an instant (epoch millis or micros handed to Iceberg's actions), never a
   * timestamp printed into SQL: {@code java.sql.Timestamp} prints the JVM's local time, which Spark
   * then reads in its session time zone.
   */
  public Report maintain(String name, Instant now) {
    String qualified = catalog.qualified(name);
    Table table = TableSetup.load(spark, qualified);
    SparkActions actions = SparkActions.get(spark);
    Files before = files(qualified);

    Optional<String> timeColumn = timeColumn(table);
    Optional<Instant> cutoff =
        timeColumn.map(
            c ->
                now.minus(settings.closedAfter())
                    .atZone(ZoneOffset.UTC)
                    .truncatedTo(ChronoUnit.DAYS)
                    .toInstant());
    // Both rewrites take closed partitions only. A streaming merge-on-read MERGE also replaces the
    // delete file of each data file it deletes from; rewriting that delete file meanwhile fails the
    // MERGE ("Missing required files to delete"), and with it the job (seen by
    // MaintenanceUnderLoadTest).
    Expression closedOnly =
        cutoff.isPresent()
            ? Expressions.lessThan(timeColumn.get(), ChronoUnit.MICROS.between(EPOCH, cutoff.get()))
            : Expressions.alwaysTrue();
    long targetSize =
        settings.targetFileSizeBytes() > 0
            ? settings.targetFileSizeBytes()
            : Long.parseLong(
                table
                    .properties()
                    .getOrDefault(
                        "write.target-file-size-bytes",
                        Long.toString(AdlakeTables.TARGET_FILE_SIZE_BYTES)));
    RewriteDataFiles.Result rewritten =
        actions
            .rewriteDataFiles(table)
            .binPack()
            .filter(closedOnly)
            .option(RewriteDataFiles.PARTIAL_PROGRESS_ENABLED, "true")
            .option("target-file-size-bytes", Long.toString(targetSize))
            .option("min-input-files", Integer.toString(settings.minInputFiles()))
            .option("rewrite-job-order", "files-desc")
            .option(RewriteDataFiles.REMOVE_DANGLING_DELETES, "true")
            .execute();

    long rewrittenDeletes = 0;
    if ("merge-on-read".equals(table.properties().get("write.merge.mode"))
        && before.deleteFiles() > 0) {
      rewrittenDeletes =
          actions
              .rewritePositionDeletes(table)
              .filter(closedOnly)
              .option("partial-progress.enabled", "true")
              .option("min-input-files", Integer.toString(settings.minInputFiles()))
              .execute()
              .rewrittenDeleteFilesCount();
    }
    rewriteManifests(actions, table, qualified);

    table.refresh();
    Set<Long> snapshotsBefore = snapshotIds(table);
    Map<String, Snapshot> ledger =
        newestLedgerSnapshots(table, now.minus(settings.ledgerRetention()));
    Instant expireBefore = now.minus(settings.snapshotRetention());
    List<Snapshot> keep = new ArrayList<>(ledger.values());
    Set<Long> readerPositions = StreamingReaders.snapshotIds(spark, checkpointRoot);
    int readerSnapshots = 0;
    for (Snapshot snapshot : table.snapshots()) {
      if (readerPositions.contains(snapshot.snapshotId())) {
        keep.add(snapshot);
        readerSnapshots++;
      }
    }
    for (Snapshot kept : keep) {
      Instant committed = Instant.ofEpochMilli(kept.timestampMillis());
      if (committed.isBefore(expireBefore)) {
        expireBefore = committed;
      }
    }
    actions
        .expireSnapshots(table)
        .expireOlderThan(expireBefore.toEpochMilli())
        .retainLast(settings.retainLast())
        .execute();
    table.refresh();
    // Streams commit while this runs: count the snapshots that went, not the change in their
    // number.
    snapshotsBefore.removeAll(snapshotIds(table));
    int snapshotsExpired = snapshotsBefore.size();

    long orphans = 0;
    for (String ignored :
        actions
            .deleteOrphanFiles(table)
            .olderThan(now.minus(settings.orphanMinAge()).toEpochMilli())
            .execute()
            .orphanFileLocations()) {
      orphans++;
    }

    return new Report(
        name,
        before,
        files(qualified),
        rewritten.rewrittenDataFilesCount(),
        rewritten.addedDataFilesCount(),
        rewrittenDeletes,
        snapshotsExpired,
        ledger.size(),
        readerSnapshots,
        orphans,
        cutoff);
  }

  /**
   * A streaming commit that merges manifests while the rewrite runs removes manifests the rewrite
   * was replacing, and Iceberg refuses the rewrite ("Deleted manifest … could not be found");
   * nothing is lost and the next run rewrites them, so this run goes on with the table (seen by
   * MaintenanceUnderLoadTest).
   */
  private static void rewriteManifests(SparkActions actions, Table table, String qualified) {
    try {
      actions.rewriteManifests(table).execute();
    } catch (ValidationException e) {
      LOG.warn(
          "{}: manifests left for the next run, a concurrent commit changed them: {}",
          qualified,
          e.getMessage());
    }
  }

  /** The newest snapshot of each streaming writer that committed after {@code since}. */
  static Map<String, Snapshot> newestLedgerSnapshots(Table table, Instant since) {
    Map<String, Snapshot> newest = new HashMap<>();
    for (Snapshot snapshot : table.snapshots()) {
      String writer = snapshot.summary().get(CommitLedger.WRITER_PROPERTY);
      if (writer == null || snapshot.timestampMillis() < since.toEpochMilli()) {
        continue;
      }
      Snapshot known = newest.get(writer);
      if (known == null || known.timestampMillis() < snapshot.timestampMillis()) {
        newest.put(writer, snapshot);
      }
    }
    return newest;
  }

  /** The column of the table's day or hour partition, if it has one. */
  static Optional<String> timeColumn(Table table) {
    for (PartitionField field : table.spec().fields()) {
      String transform = field.transform().toString();
      if (transform.equals("day") || transform.equals("hour")) {
        return Optional.of(table.schema().findColumnName(field.sourceId()));
      }
    }
    return Optional.empty();
  }

  private Files files(String qualified) {
    Row data =
        spark
            .sql(
                "SELECT count(*), coalesce(sum(file_size_in_bytes), 0) FROM "
                    + qualified
                    + ".data_files")
            .first();
    long deletes =
        spark.sql("SELECT count(*) FROM " + qualified + ".delete_files").first().getLong(0);
    return new Files(data.getLong(0), data.getLong(1), deletes);
  }

  private static Set<Long> snapshotIds(Table table) {
    Set<Long> ids = new HashSet<>();
    table.snapshots().forEach(snapshot -> ids.add(snapshot.snapshotId()));
    return ids;
  }
}
