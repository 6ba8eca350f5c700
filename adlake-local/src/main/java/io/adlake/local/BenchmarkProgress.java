package io.adlake.local;

import io.adlake.job.ProgressLog;
import io.adlake.lake.ExactlyOnceMerge.BatchCommit;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.streaming.StreamingQueryProgress;

/**
 * The benchmark's own progress listener: the commits and progress reports of one measured run,
 * which it prints afterwards. A run is a few dozen batches; the jobs' {@link ProgressLog} keeps
 * none.
 */
final class BenchmarkProgress extends ProgressLog {
  private final List<BatchCommit> commits = new ArrayList<>();
  private final List<StreamingQueryProgress> progresses = new ArrayList<>();

  BenchmarkProgress(PrintStream out) {
    super(out);
  }

  @Override
  public void accept(BatchCommit commit) {
    synchronized (this) {
      commits.add(commit);
    }
    super.accept(commit);
  }

  @Override
  public void onQueryProgress(QueryProgressEvent event) {
    synchronized (this) {
      progresses.add(event.progress());
    }
    super.onQueryProgress(event);
  }

  synchronized List<BatchCommit> commits() {
    return List.copyOf(commits);
  }

  synchronized List<StreamingQueryProgress> progresses() {
    return List.copyOf(progresses);
  }

  /**
   * Spark's per-phase durations (addBatch, queryPlanning, walCommit, …) summed over every batch
   * seen.
   */
  synchronized Map<String, Long> durationTotals() {
    Map<String, Long> totals = new TreeMap<>();
    for (StreamingQueryProgress p : progresses) {
      p.durationMs().forEach((phase, ms) -> totals.merge(phase, ms, Long::sum));
    }
    return totals;
  }
}
