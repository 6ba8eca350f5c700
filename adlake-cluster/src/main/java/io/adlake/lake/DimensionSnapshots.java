package io.adlake.lake;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.Snapshot;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The snapshot of each dimension table one micro-batch joins. Taken at the start of the batch from
 * freshly loaded tables, not from the query's start: Iceberg's Spark catalog caches loaded tables
 * ({@code cache-enabled}, apache/iceberg#14417), so a plain stream-static join could read the
 * snapshot the query began with for ever. The ids go into the batch's commit summary ({@link
 * CommitLedger#READ_SNAPSHOTS}); a replay of the batch reads them back and joins the very snapshots
 * its first attempt joined, however the tables changed since.
 *
 * @param snapshots dimension table name → snapshot id, -1 for a table without a snapshot
 * @param replay whether the ids come from the batch's earlier commit
 */
public record DimensionSnapshots(Map<String, Long> snapshots, boolean replay) {
  public DimensionSnapshots {
    snapshots = Map.copyOf(snapshots);
  }

  /** No dimension joined. */
  public static final DimensionSnapshots NONE = new DimensionSnapshots(Map.of(), false);

  /**
   * The snapshots batch {@code batchId} of {@code writer} joins: those recorded with its commit to
   * {@code writtenTable} if it made one, else each dimension's current snapshot.
   *
   * @param dimensions the dimensions joined: table name → qualified name
   */
  public static DimensionSnapshots pin(
      SparkSession spark,
      Map<String, String> dimensions,
      String writtenTable,
      String writer,
      long batchId) {
    Optional<Map<String, String>> committed =
        CommitLedger.committedSummary(TableSetup.load(spark, writtenTable), writer, batchId);
    if (committed.isPresent() && committed.get().containsKey(CommitLedger.READ_SNAPSHOTS)) {
      Map<String, Long> recorded =
          CommitLedger.parseSnapshots(committed.get().get(CommitLedger.READ_SNAPSHOTS));
      if (recorded.keySet().containsAll(dimensions.keySet())) {
        Map<String, Long> pins = new LinkedHashMap<>();
        dimensions.keySet().forEach(name -> pins.put(name, recorded.get(name)));
        return new DimensionSnapshots(pins, true);
      }
    }
    Map<String, Long> pins = new LinkedHashMap<>();
    dimensions.forEach(
        (name, qualified) -> {
          Snapshot current = TableSetup.load(spark, qualified).currentSnapshot();
          pins.put(name, current == null ? -1L : current.snapshotId());
        });
    return new DimensionSnapshots(pins, false);
  }

  /**
   * Dimension {@code spec} as of its pinned snapshot: {@code versionAsOf} (Iceberg 1.11 on Spark 4
   * refuses the {@code snapshot-id} read option), or no rows for a table without a snapshot.
   */
  public Dataset<Row> read(SparkSession spark, TableSpec spec, String qualified) {
    Long snapshot = snapshots.get(spec.name());
    if (snapshot == null) {
      throw new IllegalStateException(
          "Dimension " + spec.name() + " was not pinned for this batch; pinned: " + snapshots);
    }
    return snapshot < 0
        ? spark.createDataFrame(List.of(), spec.sparkSchema())
        : spark.read().format("iceberg").option("versionAsOf", snapshot).load(qualified);
  }

  /** The snapshot summary properties that record the pins with the batch's commit. */
  public Map<String, String> summary() {
    return snapshots.isEmpty()
        ? Map.of()
        : Map.of(
            CommitLedger.READ_SNAPSHOTS,
            CommitLedger.formatSnapshots(new java.util.TreeMap<>(snapshots)));
  }
}
