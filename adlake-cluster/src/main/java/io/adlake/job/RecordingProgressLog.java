package io.adlake.job;

import io.adlake.lake.ExactlyOnceMerge.BatchCommit;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.streaming.StreamingQueryProgress;

/**
 * A {@link ProgressLog} that also keeps every commit and progress report, for runs of bounded
 * length that look at them afterwards: tests and benchmarks. The streaming jobs never register one,
 * so a continuous run holds none of these.
 */
public class RecordingProgressLog extends ProgressLog {
  private final List<BatchCommit> commits = new ArrayList<>();
  private final List<StreamingQueryProgress> progresses = new ArrayList<>();

  public RecordingProgressLog(PrintStream out) {
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

  public synchronized List<BatchCommit> commits() {
    return List.copyOf(commits);
  }

  public synchronized List<StreamingQueryProgress> progresses() {
    return List.copyOf(progresses);
  }
}
