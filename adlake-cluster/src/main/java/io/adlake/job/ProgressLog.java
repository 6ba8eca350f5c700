package io.adlake.job;

import io.adlake.lake.ExactlyOnceMerge.BatchCommit;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.StreamingQueryProgress;

/**
 * One line per micro-batch for people watching a job: rows read, rows unusable, rows merged and how
 * long the MERGE took.
 *
 * <p>It keeps nothing: a continuous run registers it for as long as the driver lives. Whoever needs
 * the commits or the progress reports (a benchmark, a test) extends it and collects what it needs,
 * calling {@code super}.
 */
public class ProgressLog extends StreamingQueryListener implements Consumer<BatchCommit> {
  private final PrintStream out;

  public ProgressLog(PrintStream out) {
    this.out = out;
  }

  @Override
  public void accept(BatchCommit commit) {
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

  @Override
  public void onQueryStarted(QueryStartedEvent event) {
    out.printf("  query %s started (id %s)%n", event.name(), event.id());
  }

  @Override
  public void onQueryProgress(QueryProgressEvent event) {
    StreamingQueryProgress p = event.progress();
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
