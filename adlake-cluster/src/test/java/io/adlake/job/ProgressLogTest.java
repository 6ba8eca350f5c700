package io.adlake.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.adlake.lake.ExactlyOnceMerge.BatchCommit;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.streaming.SinkProgress;
import org.apache.spark.sql.streaming.SourceProgress;
import org.apache.spark.sql.streaming.StateOperatorProgress;
import org.apache.spark.sql.streaming.StreamingQueryListener.QueryProgressEvent;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.junit.jupiter.api.Test;

/** The listener every run registers lives as long as the driver: it must not grow with it. */
class ProgressLogTest {
  private static final int BATCHES = 5_000;

  @Test
  void theProgressLogKeepsNoProgressOrCommitAfterThousandsOfBatches() throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    ProgressLog log = new ProgressLog(new PrintStream(printed, true, StandardCharsets.UTF_8));
    List<WeakReference<Object>> handedOver = new ArrayList<>();
    for (int batch = 0; batch < BATCHES; batch++) {
      StreamingQueryProgress progress = progress(batch);
      BatchCommit commit = new BatchCommit("enriched_ad_data", batch, 10, 5, false);
      log.onQueryProgress(new QueryProgressEvent(progress));
      log.accept(commit);
      handedOver.add(new WeakReference<>(progress));
      handedOver.add(new WeakReference<>(commit));
    }

    long retained = retainedAfterCollection(handedOver);

    assertEquals(
        0,
        retained,
        "progress events and commits still reachable after "
            + BATCHES
            + " batches: the log would grow for as long as a continuous run lasts");
    String lines = printed.toString(StandardCharsets.UTF_8);
    assertTrue(
        lines.contains("attribution batch 4999: read 100 records")
            && lines.contains("enriched_ad_data batch 4999: merged 10 rows"),
        "every batch is still printed");
  }

  /** How many of {@code references} still point somewhere once the collector has run. */
  private static long retainedAfterCollection(List<WeakReference<Object>> references)
      throws InterruptedException {
    long retained = references.size();
    for (int attempt = 0; attempt < 10 && retained > 0; attempt++) {
      System.gc();
      Thread.sleep(50);
      retained = references.stream().filter(r -> r.get() != null).count();
    }
    return retained;
  }

  /** A progress report of the shape Spark posts for one attribution micro-batch. */
  private static StreamingQueryProgress progress(long batchId) {
    SourceProgress source =
        new SourceProgress(
            "KafkaV2[Subscribe[impressions]]",
            "{\"impressions\":{\"0\":" + batchId * 100 + "}}",
            "{\"impressions\":{\"0\":" + (batchId + 1) * 100 + "}}",
            "{\"impressions\":{\"0\":" + (batchId + 1) * 100 + "}}",
            100,
            50.0,
            100.0,
            Map.of());
    return new StreamingQueryProgress(
        UUID.randomUUID(),
        UUID.randomUUID(),
        "attribution",
        "2026-11-21T09:00:00.000Z",
        batchId,
        1_000,
        Map.of("addBatch", 800L, "triggerExecution", 1_000L),
        Map.of(),
        new StateOperatorProgress[0],
        new SourceProgress[] {source},
        new SinkProgress("foreachBatch", 100, Map.of()),
        Map.<String, Row>of());
  }
}
