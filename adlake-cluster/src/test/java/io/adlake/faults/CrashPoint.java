package io.adlake.faults;

import static org.apache.spark.sql.functions.udf;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF0;
import org.apache.spark.sql.types.DataTypes;

/**
 * Fault injection for the fault suite ({@link CrashingWrites}): halts the JVM ({@code
 * Runtime.halt}: no shutdown hook, no {@code finally}, as abrupt as a SIGKILL) at a named point of
 * an exactly-once write, so that a crash lands exactly where a restart is hardest instead of
 * wherever a timer happens to hit.
 *
 * <p>Armed by the JVM system property {@value #PROPERTY} of a job the fault suite launches with its
 * test classes on the classpath; the cluster jar has neither. The value is {@code
 * <point>:<table>:<batch>}; the first write to {@code table} (unqualified name, or {@code *} for
 * any) of micro-batch {@code batch} or later halts:
 *
 * <ul>
 *   <li>{@code during-merge}: inside the MERGE's Spark job, as its tasks read the batch: nothing of
 *       the batch is committed, files other tasks were writing are left behind;
 *   <li>{@code after-commit-before-checkpoint}: right after the Iceberg commit that carries the
 *       batch and its ledger entry, before Spark records the batch as done in the checkpoint: the
 *       restart replays it;
 *   <li>{@code during-checkpoint-file-replace}: while a checkpoint file of query {@code table} (the
 *       checkpoint directory's name, or {@code *}) is being replaced, before the replacement is
 *       complete ({@code batch} is not used: 0).
 * </ul>
 */
public record CrashPoint(String point, String table, long fromBatch) {
  public static final String PROPERTY = "adlake.testing.crash-point";

  /** Exit status of a JVM halted here, so a test can tell it from any other death. */
  public static final int EXIT_STATUS = 86;

  private static final Pattern FORMAT =
      Pattern.compile(
          "(during-merge|after-commit-before-checkpoint|during-checkpoint-file-replace)"
              + ":([\\w*]+):(\\d+)");

  static Optional<CrashPoint> parse(String value) {
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    Matcher m = FORMAT.matcher(value.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "-D"
              + PROPERTY
              + "="
              + value
              + ": expected <point>:<table>:<batch> with "
              + "point during-merge, after-commit-before-checkpoint or during-checkpoint-file-replace, "
              + "e.g. after-commit-before-checkpoint:"
              + "enriched_ad_data:2");
    }
    return Optional.of(new CrashPoint(m.group(1), m.group(2), Long.parseLong(m.group(3))));
  }

  boolean matches(String point, String qualifiedTable, long batchId) {
    String name = qualifiedTable.substring(qualifiedTable.lastIndexOf('.') + 1);
    return this.point.equals(point)
        && (table.equals("*") || table.equals(name))
        && batchId >= fromBatch;
  }

  /** Halts if this point is {@code after-commit-before-checkpoint} of this table and batch. */
  void afterCommit(String qualifiedTable, long batchId) {
    if (matches("after-commit-before-checkpoint", qualifiedTable, batchId)) {
      halt("after-commit-before-checkpoint", qualifiedTable, batchId);
    }
  }

  /** Halts if this point is {@code during-checkpoint-file-replace} of this query. */
  void duringCheckpointFileReplace(String query, String file) {
    if (matches("during-checkpoint-file-replace", query, Long.MAX_VALUE)) {
      halt("during-checkpoint-file-replace", file, 0);
    }
  }

  /**
   * The MERGE source: {@code rows} unchanged, or, if this point is {@code during-merge} of this
   * table and batch, rows whose reading by the MERGE's tasks halts the JVM.
   */
  Dataset<Row> mergeSource(Dataset<Row> rows, String qualifiedTable, long batchId) {
    if (!matches("during-merge", qualifiedTable, batchId)) {
      return rows;
    }
    UDF0<Boolean> haltOnRead =
        () -> {
          halt("during-merge", qualifiedTable, batchId);
          return true;
        };
    return rows.filter(udf(haltOnRead, DataTypes.BooleanType).asNondeterministic().apply());
  }

  private static void halt(String point, String qualifiedTable, long batchId) {
    System.err.printf(
        "%s: halting the JVM at %s of %s batch %d (thread %s)%n",
        PROPERTY, point, qualifiedTable, batchId, Thread.currentThread().getName());
    System.err.flush();
    Runtime.getRuntime().halt(EXIT_STATUS);
  }
}
