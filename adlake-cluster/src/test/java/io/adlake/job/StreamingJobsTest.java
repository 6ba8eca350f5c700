package io.adlake.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Test;

/** Which queries a run starts together, and which wait for the ones before. */
class StreamingJobsTest {
  @Test
  void availableNowRunsTheSourceReadersThenEachAggregationPhase() {
    List<List<StreamingJobs.Phase>> groups =
        StreamingJobs.phases(
            List.of(StreamingJobs.INGEST, StreamingJobs.ATTRIBUTION, StreamingJobs.AGGREGATE),
            Trigger.AvailableNow());
    assertEquals(
        List.of(2, 1, 1),
        groups.stream().map(List::size).toList(),
        "ingest + attribution together, then the metrics and funnel join, then the funnel rollup");
    assertEquals(
        List.of(1, 1),
        StreamingJobs.phases(List.of(StreamingJobs.AGGREGATE), Trigger.AvailableNow()).stream()
            .map(List::size)
            .toList(),
        "aggregate alone still rolls the funnel up after the funnel join");
  }

  @Test
  void aContinuousRunStartsEverythingAtOnce() {
    List<List<StreamingJobs.Phase>> groups =
        StreamingJobs.phases(
            List.of(StreamingJobs.INGEST, StreamingJobs.AGGREGATE),
            Trigger.ProcessingTime("1 minute"));
    assertEquals(List.of(2), groups.stream().map(List::size).toList());
  }
}
