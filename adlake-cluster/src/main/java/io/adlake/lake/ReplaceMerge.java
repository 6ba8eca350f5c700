package io.adlake.lake;

import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;

import io.adlake.lake.ExactlyOnceMerge.BatchCommit;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.iceberg.relocated.com.google.common.base.Preconditions;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A MERGE that makes what a table holds for some owners (the conversions a micro-batch brought or
 * re-opened) equal to their recomputed rows, exactly once per writer and batch ({@link
 * CommitLedger}): a changed row is updated, a new one inserted, and a row marked {@link #GONE}
 * deleted (a campaign no longer credited). A row whose compared columns are unchanged is left
 * alone, so a re-opened conversion whose result stays the same writes nothing. The ON clause bounds
 * the table's time column to the range the caller gives, the predicate that lets Iceberg skip
 * files.
 */
public final class ReplaceMerge {
  /** Boolean source column: the table's row with this key is to be deleted. */
  public static final String GONE = "_gone";

  private final String qualifiedTable;
  private final TableSpec spec;
  private final Map<String, String> updateSet;
  private final List<String> compared;
  private final String insertWhen;

  private ReplaceMerge(
      String qualifiedTable,
      TableSpec spec,
      Map<String, String> updateSet,
      List<String> compared,
      String insertWhen) {
    this.qualifiedTable = qualifiedTable;
    this.spec = spec;
    this.updateSet = updateSet;
    this.compared = List.copyOf(compared);
    this.insertWhen = insertWhen;
  }

  /**
   * Replaces whole rows: every non-key column is updated from the source when one of them other
   * than {@code ignored} (processing times) differs.
   */
  public static ReplaceMerge rows(String qualifiedTable, TableSpec spec, List<String> ignored) {
    Map<String, String> set = new LinkedHashMap<>();
    List<String> compared = new ArrayList<>();
    for (String column : spec.columnNames()) {
      if (!spec.key().contains(column)) {
        set.put(column, "s." + column);
        if (!ignored.contains(column)) {
          compared.add(column);
        }
      }
    }
    return new ReplaceMerge(
        requireNonNull(qualifiedTable, "qualifiedTable"), spec, set, compared, "");
  }

  /**
   * Updates only {@code assignments} (column → SQL over {@code s.*} and {@code t.*}) when one of
   * {@code compared} differs, and inserts a new row (all of the source's columns) only when {@code
   * insertWhen} holds: for a table whose other columns another job keeps.
   */
  public static ReplaceMerge columns(
      String qualifiedTable,
      TableSpec spec,
      Map<String, String> assignments,
      List<String> compared,
      String insertWhen) {
    assignments.keySet().forEach(spec::column);
    compared.forEach(spec::column);
    Preconditions.checkArgument(!compared.isEmpty(), "Nothing to compare in %s", spec.name());
    return new ReplaceMerge(
        requireNonNull(qualifiedTable, "qualifiedTable"),
        spec,
        new LinkedHashMap<>(assignments),
        compared,
        " AND (" + insertWhen + ")");
  }

  private static String differs(List<String> columns) {
    return columns.stream()
        .map(c -> "NOT (t." + c + " <=> s." + c + ")")
        .collect(Collectors.joining(" OR "));
  }

  /**
   * Merges {@code changes} ({@link #changes}) unless this writer committed this batch to the table
   * already; commits nothing when there are none.
   *
   * @param low the earliest value of the spec's time column any source row's table row can have
   * @param high the latest
   * @param summary further snapshot summary properties, committed with the ledger entry
   * @return what was done, for progress output
   */
  public BatchCommit write(
      SparkSession spark,
      String writerId,
      long batchId,
      Dataset<Row> changes,
      Instant low,
      Instant high,
      Map<String, String> summary) {
    if (CommitLedger.isCommitted(spark, qualifiedTable, writerId, batchId)) {
      return new BatchCommit(spec.name(), batchId, 0, 0, true);
    }
    long count = changes.count();
    if (count == 0) {
      return new BatchCommit(spec.name(), batchId, 0, 0, false);
    }
    return merge(spark, writerId, batchId, changes, count, low, high, summary);
  }

  /**
   * The rows of {@code source} (the spec's columns, and optionally {@link #GONE}) that change the
   * table: deletions, and rows whose compared columns differ from (or are missing in) the table's
   * rows within [low, high]. A re-opened conversion whose result is the same needs no MERGE, and a
   * batch that changes nothing commits nothing. Lazy; a caller that uses it after the MERGE
   * materializes it with {@code localCheckpoint()}, not {@code persist()}: Spark recomputes a
   * cached plan that reads a table after a write to that table, and after the MERGE there are no
   * changes.
   */
  public Dataset<Row> changes(SparkSession spark, Dataset<Row> rows, Instant low, Instant high) {
    Dataset<Row> source =
        List.of(rows.columns()).contains(GONE) ? rows : rows.withColumn(GONE, lit(false));
    String time = spec.timeColumn().orElseThrow();
    List<String> columns = new ArrayList<>(spec.key());
    columns.addAll(compared);
    Dataset<Row> held =
        spark
            .table(qualifiedTable)
            .filter(
                col(time)
                    .geq(lit(Timestamp.from(low)))
                    .and(col(time).leq(lit(Timestamp.from(high)))))
            .select(columns.stream().map(c -> col(c).as("_held_" + c)).toArray(Column[]::new));
    Column same = lit(true);
    for (String c : columns) {
      same = same.and(col(c).eqNullSafe(col("_held_" + c)));
    }
    return source
        .filter(col(GONE))
        .unionByName(source.filter(not(col(GONE))).join(held, same, "left_anti"));
  }

  private BatchCommit merge(
      SparkSession spark,
      String writerId,
      long batchId,
      Dataset<Row> rows,
      long count,
      Instant low,
      Instant high,
      Map<String, String> summary) {
    String view = "adlake_replace_" + spec.name();
    rows.createOrReplaceTempView(view);
    try {
      String sql = sql(view, low, high);
      long start = System.nanoTime();
      CommitLedger.commit(qualifiedTable, writerId, batchId, summary, () -> spark.sql(sql));
      long millis = (System.nanoTime() - start) / 1_000_000;
      WriteFaults.INSTALLED.afterCommit(qualifiedTable, batchId);
      return new BatchCommit(spec.name(), batchId, count, millis, false);
    } finally {
      spark.catalog().dropTempView(view);
    }
  }

  String sql(String view, Instant low, Instant high) {
    String time =
        spec.timeColumn()
            .orElseThrow(
                () -> new IllegalArgumentException(spec.name() + " has no time column to bound"));
    return SqlTemplate.render(
        "sql/replace.sql",
        Map.of(
            "target",
            qualifiedTable,
            "source",
            view,
            "key_match",
            spec.key().stream()
                .map(k -> "t." + k + " = s." + k)
                .collect(Collectors.joining(" AND ")),
            "prune",
            "\n   AND t."
                + time
                + " >= TIMESTAMP '"
                + low
                + "'\n   AND t."
                + time
                + " <= TIMESTAMP '"
                + high
                + "'",
            "changed",
            differs(compared),
            "update_set",
            updateSet.entrySet().stream()
                .map(a -> a.getKey() + " = " + a.getValue())
                .collect(Collectors.joining(", ")),
            "insert_when",
            insertWhen,
            "columns",
            String.join(", ", spec.columnNames()),
            "values",
            spec.columnNames().stream().map(c -> "s." + c).collect(Collectors.joining(", "))));
  }
}
