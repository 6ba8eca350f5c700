package io.adlake.job;

import io.adlake.lake.ExactlyOnceMerge.BatchCommit;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.StreamingQueryProgress;

/**
 * One line per micro-batch for people watching a job: rows read, rows unusable, rows merged and how
 * long the MERGE took. Also keeps every {@link BatchCommit} for benchmarks.
 */
public final class ProgressLog extends StreamingQueryListener implements Consumer<BatchCommit> {
  private final PrintStream out;
  private final List<BatchCommit> commits = new ArrayList<>();
  private final List<StreamingQueryProgress> progresses = new ArrayList<>();

  public ProgressLog(PrintStream out) {
    this.out = out;
  }

  @Override
  public synchronized void accept(BatchCommit commit) {
    commits.add(commit);
    if (commit.skipped()) {
      out.printf(
          "  %s batch %d: already committed, replay skipped%n", commit.table(), commit.batchId());
    } else if (commit.rows() > 0) {
      String verb =
          commit.table().equals(io.adlake.lake.AdlakeTables.FUNNEL_EVENTS) ? "appended" : "merged";
      out.printf(
          "  %s batch %d: %s %,d rows in %,d ms%n",
          commit.table(), commit.batchId(), verb, commit.rows(), commit.mergeMillis());
    }
  }

  public PrintStream out() {
    return out;
  }

  public synchronized List<BatchCommit> commits() {
    return List.copyOf(commits);
  }

  public synchronized List<StreamingQueryProgress> progresses() {
    return List.copyOf(progresses);
  }

  /**
   * Spark's per-phase durations (addBatch, queryPlanning, walCommit, …) summed over every batch
   * seen.
   */
  public synchronized Map<String, Long> durationTotals() {
    Map<String, Long> totals = new TreeMap<>();
    for (StreamingQueryProgress p : progresses) {
      p.durationMs().forEach((phase, ms) -> totals.merge(phase, ms, Long::sum));
    }
    return totals;
  }

  @Override
  public void onQueryStarted(QueryStartedEvent event) {
    out.printf("  query %s started (id %s)%n", event.name(), event.id());
  }

  @Override
  public void onQueryProgress(QueryProgressEvent event) {
    StreamingQueryProgress p = event.progress();
    synchronized (this) {
      progresses.add(p);
    }
    // Ingest and conversion queries print their own line from the sink.
    if ((p.numInputRows() == 0 && p.observedMetrics().isEmpty())
        || p.name().startsWith(IngestJob.QUERY_PREFIX)
        || p.name().equals(ConversionJob.QUERY_NAME)) {
      return;
    }
    StringBuilder line =
        new StringBuilder(
            String.format(
                "  %s batch %d: read %,d records (%.0f/s)",
                p.name(), p.batchId(), p.numInputRows(), p.processedRowsPerSecond()));
    for (Map.Entry<String, Row> metric : p.observedMetrics().entrySet()) {
      Row row = metric.getValue();
      long invalid = row.isNullAt(1) ? 0 : row.getLong(1);
      line.append(String.format(", %s %,d", metric.getKey(), row.getLong(0)));
      if (invalid > 0) {
        line.append(String.format(" (%,d unusable)", invalid));
      }
    }
    if (p.stateOperators().length > 0) {
      line.append(String.format(", state %,d rows", p.stateOperators()[0].numRowsTotal()));
      long late =
          Arrays.stream(p.stateOperators()).mapToLong(o -> o.numRowsDroppedByWatermark()).sum();
      if (late > 0) {
        line.append(
            String.format(", %,d late events beyond the watermark (dropped, counted)", late));
      }
    }
    out.println(line);
  }

  @Override
  public void onQueryTerminated(QueryTerminatedEvent event) {
    if (event.exception().isDefined()) {
      String error = event.exception().get();
      out.printf("  query %s failed: %s%n", event.id(), error.lines().findFirst().orElse(error));
    }
  }
}
