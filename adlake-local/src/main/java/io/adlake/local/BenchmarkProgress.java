package io.adlake.local;

import io.adlake.job.ProgressLog;
import io.adlake.job.RecordingProgressLog;
import java.io.PrintStream;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.streaming.StreamingQueryProgress;

/**
 * The benchmark's own progress listener: the commits and progress reports of one measured run,
 * which it prints afterwards. A run is a few dozen batches; the jobs' {@link ProgressLog} keeps
 * none.
 */
final class BenchmarkProgress extends RecordingProgressLog {
  BenchmarkProgress(PrintStream out) {
    super(out);
  }

  /**
   * Spark's per-phase durations (addBatch, queryPlanning, walCommit, …) summed over every batch
   * seen.
   */
  synchronized Map<String, Long> durationTotals() {
    Map<String, Long> totals = new TreeMap<>();
    for (StreamingQueryProgress p : progresses()) {
      p.durationMs().forEach((phase, ms) -> totals.merge(phase, ms, Long::sum));
    }
    return totals;
  }
}
