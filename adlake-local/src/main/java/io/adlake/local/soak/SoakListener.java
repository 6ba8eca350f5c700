package io.adlake.local.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.streaming.SourceProgress;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.StreamingQueryProgress;

/**
 * The soak's own view of every query, per sample window: batch durations, rows, state, the Kafka
 * offsets reached and how fresh the output is. Holds a bounded amount whatever the run's length
 * (unlike a log of every progress).
 *
 * <p>Freshness: a batch that ends at V and moves the query's frontier (the newest send time it has
 * made visible) from F0 to F1 made the records sent in (F0, F1] visible at V, each after V − s.
 * Queries with an event-time watermark report the newest event time they read: the ingest's is the
 * Kafka record timestamp (the producer's send time); the attribution and metrics queries read event
 * times, which the paced generator stamps at send. A query over bronze tables without a watermark
 * (conversions) gets its frontier through the Iceberg snapshots it read: each carries the ingest
 * query and batch that wrote it, whose frontier is known.
 */
final class SoakListener extends StreamingQueryListener {
  /** Spacing of the send times whose delay is counted: 10 per second, whatever the rate. */
  private static final long STEP_MILLIS = 100;

  /** A gap longer than this (a stall) is counted from its end only. */
  private static final long MAX_SPAN_MILLIS = Duration.ofHours(1).toMillis();

  /** Batches remembered for the snapshot chain; a sample resolves them within minutes. */
  private static final int REMEMBERED_BATCHES = 4_000;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, QueryWindow> windows = new TreeMap<>();
  private final Map<String, Instant> frontiers = new TreeMap<>();
  private final Map<String, Instant> batchFrontiers =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Instant> eldest) {
          return size() > REMEMBERED_BATCHES;
        }
      };
  private final Map<String, String> names = new TreeMap<>();
  private String failure;

  @Override
  public synchronized void onQueryStarted(QueryStartedEvent event) {
    names.put(event.id().toString(), event.name());
  }

  @Override
  public void onQueryProgress(QueryProgressEvent event) {
    try {
      record(event.progress());
    } catch (RuntimeException e) {
      // A figure the soak cannot read must not stop the pipeline it watches: reported, skipped.
      System.err.printf(
          "soak: progress of %s batch %d not counted: %s%n",
          event.progress().name(), event.progress().batchId(), e);
    }
  }

  private void record(StreamingQueryProgress p) {
    Long total = p.durationMs().get("triggerExecution");
    // Progress events also come while a query idles; only those with addBatch ran a batch.
    if (total == null || !p.durationMs().containsKey("addBatch")) {
      return;
    }
    Instant visible = Instant.parse(p.timestamp()).plusMillis(total);
    synchronized (this) {
      QueryWindow w = windows.computeIfAbsent(p.name(), QueryWindow::new);
      w.batches++;
      w.inputRows += p.numInputRows();
      w.busyMillis += total;
      w.batchMillis.add(total);
      w.state = p.stateOperators();
      List<Long> snapshots = new ArrayList<>();
      for (SourceProgress source : p.sources()) {
        readEndOffset(source, w, snapshots);
      }
      String max = p.eventTime().get("max");
      if (max != null) {
        Instant frontier = Instant.parse(max);
        batchFrontiers.put(p.id() + "/" + p.batchId(), frontier);
        advance(w, frontier, visible);
      } else if (!snapshots.isEmpty() && w.pending.size() < QueryWindow.MAX_PENDING) {
        w.pending.add(
            new QueryWindow.PendingBatch(
                p.id().toString(), p.batchId(), visible, List.copyOf(snapshots)));
      }
    }
  }

  @Override
  public void onQueryTerminated(QueryTerminatedEvent event) {
    if (event.exception().isDefined()) {
      synchronized (this) {
        String error = event.exception().get();
        failure =
            "query "
                + names.getOrDefault(event.id().toString(), event.id().toString())
                + " failed: "
                + error.lines().findFirst().orElse(error);
      }
    }
  }

  /** The first query failure seen, if any. */
  synchronized String failure() {
    return failure;
  }

  /** The frontier the query {@code queryId} reached with batch {@code batchId}, or null. */
  synchronized Instant frontier(String queryId, long batchId) {
    return batchFrontiers.get(queryId + "/" + batchId);
  }

  /** Remembers a frontier found through the snapshots a batch read (for queries downstream). */
  synchronized void recordFrontier(String queryId, long batchId, Instant frontier) {
    batchFrontiers.put(queryId + "/" + batchId, frontier);
  }

  /** Counts the records newly made visible by a batch of {@code w}'s query. */
  synchronized void advance(QueryWindow w, Instant frontier, Instant visible) {
    Instant before = frontiers.get(w.name);
    if (before == null || frontier.isAfter(before)) {
      frontiers.put(w.name, frontier);
    }
    if (before == null || !frontier.isAfter(before)) {
      return;
    }
    long to = frontier.toEpochMilli();
    long from = Math.max(before.toEpochMilli(), to - MAX_SPAN_MILLIS);
    long at = visible.toEpochMilli();
    for (long sent = to; sent > from; sent -= STEP_MILLIS) {
      w.freshness.add(at - sent);
    }
  }

  /** Ends the window: returns what each query did in it and starts the next. */
  synchronized Map<String, QueryWindow> drain() {
    Map<String, QueryWindow> done = new TreeMap<>(windows);
    for (Iterator<Map.Entry<String, QueryWindow>> it = windows.entrySet().iterator();
        it.hasNext(); ) {
      Map.Entry<String, QueryWindow> e = it.next();
      e.setValue(e.getValue().next());
    }
    return done;
  }

  private static void readEndOffset(SourceProgress source, QueryWindow w, List<Long> snapshots) {
    String end = source.endOffset();
    if (end == null || end.isBlank()) {
      return;
    }
    JsonNode node;
    try {
      node = JSON.readTree(end);
    } catch (java.io.IOException e) {
      return; // Not JSON: a source this soak does not read offsets from.
    }
    if (node.has("snapshot_id")) {
      snapshots.add(node.get("snapshot_id").asLong());
    } else if (source.description().startsWith("Kafka")) {
      node.fields()
          .forEachRemaining(
              topic ->
                  topic
                      .getValue()
                      .fields()
                      .forEachRemaining(
                          partition ->
                              w.kafkaEndOffsets.put(
                                  topic.getKey() + "/" + partition.getKey(),
                                  partition.getValue().asLong())));
    }
  }
}
