package io.adlake.lake;

import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code foreachBatch} sink that upserts each micro-batch into an Iceberg table with {@code MERGE
 * INTO}, exactly once ({@link CommitLedger}); what follows the table ({@link #andThen}) gets the
 * rows it merged.
 */
public final class ExactlyOnceMerge implements VoidFunction2<Dataset<Row>, Long> {
  /** Values of a group column that may be written into SQL as literals. */
  private static final Pattern SAFE_LITERAL = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  private static final int MAX_GROUPS_IN_PRUNE = 1000;
  private static final long serialVersionUID = 1L;

  private final String qualifiedTable;
  private final TableSpec spec;
  private final String replaceWhen;

  /** {@code *}, or {@code column = expression, ...} over {@code s.*} and {@code t.*}. */
  private final String updateSet;

  private final transient UnaryOperator<Dataset<Row>> prepare;

  /** The dimension tables each batch joins: table name → qualified name. */
  private final Map<String, String> dimensions;

  private final transient BatchJoin join;
  private final transient Consumer<BatchCommit> listener;
  private final transient Consumer<Dataset<Row>> merged;

  /**
   * @param replaceWhen SQL condition over {@code s.*} (batch) and {@code t.*} (table) under which a
   *     batch row replaces the table row with the same key; {@code true} to always replace
   * @param prepare applied to each batch before the MERGE; it must leave at most one row per key
   */
  public ExactlyOnceMerge(
      String qualifiedTable,
      TableSpec spec,
      String replaceWhen,
      UnaryOperator<Dataset<Row>> prepare,
      Consumer<BatchCommit> listener) {
    this(
        qualifiedTable,
        spec,
        replaceWhen,
        "*",
        prepare,
        Map.of(),
        (rows, pins) -> rows,
        listener,
        rows -> {});
  }

  /** Joins a prepared batch to the dimensions as the batch pinned them. */
  @FunctionalInterface
  public interface BatchJoin {
    Dataset<Row> apply(Dataset<Row> rows, DimensionSnapshots pins);
  }

  private ExactlyOnceMerge(
      String qualifiedTable,
      TableSpec spec,
      String replaceWhen,
      String updateSet,
      UnaryOperator<Dataset<Row>> prepare,
      Map<String, String> dimensions,
      BatchJoin join,
      Consumer<BatchCommit> listener,
      Consumer<Dataset<Row>> merged) {
    this.qualifiedTable = requireNonNull(qualifiedTable, "qualifiedTable");
    this.spec = requireNonNull(spec, "spec");
    this.replaceWhen = requireNonNull(replaceWhen, "replaceWhen");
    this.updateSet = requireNonNull(updateSet, "updateSet");
    this.prepare = requireNonNull(prepare, "prepare");
    this.dimensions = Map.copyOf(dimensions);
    this.join = requireNonNull(join, "join");
    this.listener = requireNonNull(listener, "listener");
    this.merged = requireNonNull(merged, "merged");
  }

  /**
   * This MERGE, then {@code next} with the rows it merged once they are in the table: after the
   * commit, or after finding the batch committed on a replay; never for an empty batch. {@code
   * next} gets the prepared, persisted rows themselves: the batch is prepared and computed once for
   * the table and for what follows it.
   */
  public ExactlyOnceMerge andThen(Consumer<Dataset<Row>> next) {
    requireNonNull(next, "next");
    return new ExactlyOnceMerge(
        qualifiedTable,
        spec,
        replaceWhen,
        updateSet,
        prepare,
        dimensions,
        join,
        listener,
        merged.andThen(next));
  }

  /**
   * This MERGE with each prepared batch joined to dimension tables as they are when the batch
   * starts ({@link DimensionSnapshots}); the snapshot ids go into the commit, so a replayed batch
   * joins what its first attempt joined.
   *
   * @param dimensions table name → qualified name of each dimension {@code join} reads
   */
  public ExactlyOnceMerge joining(Map<String, String> dimensions, BatchJoin join) {
    return new ExactlyOnceMerge(
        qualifiedTable, spec, replaceWhen, updateSet, prepare, dimensions, join, listener, merged);
  }

  /**
   * This MERGE, updating a matched row with {@code assignments} only (column → SQL over {@code s.*}
   * and {@code t.*}) instead of every column: for a table whose other columns another job keeps.
   * New rows are still inserted whole.
   */
  public ExactlyOnceMerge updating(Map<String, String> assignments) {
    for (String column : assignments.keySet()) {
      spec.column(column);
    }
    String set =
        assignments.entrySet().stream()
            .map(a -> a.getKey() + " = " + a.getValue())
            .collect(Collectors.joining(", "));
    return new ExactlyOnceMerge(
        qualifiedTable, spec, replaceWhen, set, prepare, dimensions, join, listener, merged);
  }

  /** What one call did, for progress output and benchmarks. */
  public record BatchCommit(
      String table, long batchId, long rows, long mergeMillis, boolean skipped) {}

  @Override
  public void call(Dataset<Row> batch, Long batchId) {
    SparkSession spark = batch.sparkSession();
    String writerId = CommitLedger.writerId(spark);
    // Persisted: a copy-on-write MERGE reads its source twice, and what follows the MERGE reads it
    // again; a
    // recomputed batch may differ (processed_time, or the source itself).
    DimensionSnapshots pins =
        dimensions.isEmpty()
            ? DimensionSnapshots.NONE
            : DimensionSnapshots.pin(spark, dimensions, qualifiedTable, writerId, batchId);
    Dataset<Row> rows = join.apply(prepare.apply(batch), pins).persist();
    String view = "adlake_batch_" + spec.name();
    try {
      BatchBounds bounds = bounds(rows);
      if (bounds.count() == 0) {
        // Nothing to write (e.g. a no-data batch that only advanced the watermark): nothing to
        // record.
        listener.accept(new BatchCommit(spec.name(), batchId, 0, 0, false));
        return;
      }
      if (CommitLedger.isCommitted(spark, qualifiedTable, writerId, batchId)) {
        listener.accept(new BatchCommit(spec.name(), batchId, 0, 0, true));
      } else {
        WriteFaults.INSTALLED
            .mergeSource(rows, qualifiedTable, batchId)
            .createOrReplaceTempView(view);
        String sql = mergeSql(view, bounds.pruneClause());
        long start = System.nanoTime();
        CommitLedger.commit(
            qualifiedTable, writerId, batchId, pins.summary(), () -> spark.sql(sql));
        long millis = (System.nanoTime() - start) / 1_000_000;
        WriteFaults.INSTALLED.afterCommit(qualifiedTable, batchId);
        listener.accept(new BatchCommit(spec.name(), batchId, bounds.count(), millis, false));
      }
      merged.accept(rows);
    } finally {
      spark.catalog().dropTempView(view);
      rows.unpersist();
    }
  }

  String mergeSql(String batchView, String prune) {
    String keyMatch =
        spec.key().stream().map(k -> "t." + k + " = s." + k).collect(Collectors.joining(" AND "));
    return SqlTemplate.render(
        "sql/merge.sql",
        Map.of(
            "target", qualifiedTable,
            "batch", batchView,
            "key_match", keyMatch,
            "prune", prune,
            "replace_when", replaceWhen,
            "update_set", updateSet,
            "insert", "*"));
  }

  /** Row count and ON-clause bounds of one batch, from one aggregation over the persisted rows. */
  private record BatchBounds(long count, String pruneClause) {}

  /**
   * Literal bounds of the batch's event time and groups. Safe because a key's time and group never
   * change: the table row that matches a batch row lies inside the batch's own bounds.
   */
  private BatchBounds bounds(Dataset<Row> rows) {
    List<Column> aggs = new ArrayList<>();
    spec.timeColumn()
        .ifPresent(
            c -> {
              aggs.add(min(col(c)));
              aggs.add(max(col(c)));
            });
    spec.groupColumn().ifPresent(c -> aggs.add(collect_set(col(c))));
    Row bounds = rows.agg(count(lit(1)), aggs.toArray(Column[]::new)).first();
    long rowCount = bounds.getLong(0);
    List<String> predicates = new ArrayList<>();
    int i = 1;
    if (spec.timeColumn().isPresent()) {
      String c = spec.timeColumn().get();
      Timestamp low = bounds.getTimestamp(i++);
      Timestamp high = bounds.getTimestamp(i++);
      if (low != null && high != null) {
        predicates.add("t." + c + " >= " + timestampLiteral(low));
        predicates.add("t." + c + " <= " + timestampLiteral(high));
      }
    }
    if (spec.groupColumn().isPresent()) {
      List<Object> groups = bounds.getList(i);
      boolean safe =
          groups.size() <= MAX_GROUPS_IN_PRUNE
              && groups.stream()
                  .allMatch(g -> g != null && SAFE_LITERAL.matcher(g.toString()).matches());
      if (safe && !groups.isEmpty()) {
        predicates.add(
            "t."
                + spec.groupColumn().get()
                + " IN ("
                + groups.stream()
                    .map(Object::toString)
                    .sorted()
                    .map(g -> "'" + g + "'")
                    .collect(Collectors.joining(", "))
                + ")");
      }
    }
    return new BatchBounds(
        rowCount, predicates.isEmpty() ? "" : "\n   AND " + String.join("\n   AND ", predicates));
  }

  private static String timestampLiteral(Timestamp ts) {
    return "TIMESTAMP '" + ts.toInstant().toString() + "'";
  }
}
