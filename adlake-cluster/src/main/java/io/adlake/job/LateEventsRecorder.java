package io.adlake.job;

import io.adlake.lake.AdlakeTables;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.NoSuchTableException;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.StreamingQueryProgress;

/**
 * Appends one {@code late_events} row for each micro-batch of a metrics query in which Spark
 * dropped rows behind the watermark. Spark reports that count only in the query progress, after the
 * batch: this listener turns it into a table analysts can query beside the metrics. It removes
 * itself once its queries ended.
 *
 * <p>A process killed between a batch and its progress event loses that batch's count (the rows
 * themselves are still in bronze: nothing is lost but the tally).
 */
final class LateEventsRecorder extends StreamingQueryListener {
  private final SparkSession spark;
  private final String table;

  /** Query name → metrics table, for the queries not terminated yet. */
  private final Map<String, String> metricsTables = new ConcurrentHashMap<>();

  /**
   * Registers itself with the session; {@code queryToTable} maps the name of each query about to
   * start to the table it writes.
   */
  LateEventsRecorder(SparkSession spark, String table, Map<String, String> queryToTable) {
    this.spark = spark;
    this.table = table;
    this.metricsTables.putAll(queryToTable);
    spark.streams().addListener(this);
  }

  /**
   * Rows dropped by the watermark in one progress report, over all stateful operators of the query.
   */
  static long lateRows(StreamingQueryProgress progress) {
    return Arrays.stream(progress.stateOperators())
        .mapToLong(o -> o.numRowsDroppedByWatermark())
        .sum();
  }

  /**
   * Query id → name of the queries of ours that started; a terminated event carries only the id.
   */
  private final Map<UUID, String> started = new ConcurrentHashMap<>();

  @Override
  public void onQueryStarted(QueryStartedEvent event) {
    if (event.name() != null && metricsTables.containsKey(event.name())) {
      started.put(event.id(), event.name());
    }
  }

  @Override
  public void onQueryProgress(QueryProgressEvent event) {
    StreamingQueryProgress p = event.progress();
    String metricsTable = p.name() == null ? null : metricsTables.get(p.name());
    long late = lateRows(p);
    if (metricsTable == null || late == 0) {
      return;
    }
    String watermark = p.eventTime().get("watermark");
    Row row =
        RowFactory.create(
            metricsTable,
            p.id().toString(),
            p.batchId(),
            Timestamp.from(Instant.parse(p.timestamp())),
            watermark == null ? null : Timestamp.from(Instant.parse(watermark)),
            late);
    try {
      spark
          .createDataFrame(List.of(row), AdlakeTables.lateEvents().sparkSchema())
          .writeTo(table)
          .append();
    } catch (NoSuchTableException | RuntimeException e) {
      // The count must not vanish silently: it is at least in the job's output.
      System.err.printf(
          "Could not record %,d late rows of %s batch %d in %s: %s%n",
          late, metricsTable, p.batchId(), table, e.getMessage());
    }
  }

  @Override
  public void onQueryTerminated(QueryTerminatedEvent event) {
    String name = started.remove(event.id());
    if (name != null && metricsTables.remove(name) != null && metricsTables.isEmpty()) {
      spark.streams().removeListener(this);
    }
  }
}
