package io.adlake.local.soak;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.streaming.StateOperatorProgress;

/**
 * What one streaming query did during one sample window. Its size does not depend on the window's
 * length: histograms of fixed bins, the latest state and offsets, and a capped list of batches
 * whose freshness is resolved later.
 */
final class QueryWindow {
  /** Batch durations: 50 ms resolution up to 4 min. */
  static LatencyHistogram batchHistogram() {
    return new LatencyHistogram(50, 4_800);
  }

  /** Send-to-visible delays: 250 ms resolution up to 20 min. */
  static LatencyHistogram freshnessHistogram() {
    return new LatencyHistogram(250, 4_800);
  }

  /** Batches waiting for their freshness (bounded; a window rarely has more than a dozen). */
  static final int MAX_PENDING = 1_000;

  /** A finished batch of a query that reads Iceberg tables and reports no event time. */
  record PendingBatch(String queryId, long batchId, Instant visible, List<Long> snapshotIds) {}

  final String name;
  final LatencyHistogram batchMillis = batchHistogram();
  final LatencyHistogram freshness = freshnessHistogram();
  final List<PendingBatch> pending = new ArrayList<>();
  long batches;
  long inputRows;
  long busyMillis;
  StateOperatorProgress[] state = new StateOperatorProgress[0];

  /** Kafka topic-partition ("topic/0") -> the newest end offset the query has processed. */
  final Map<String, Long> kafkaEndOffsets = new HashMap<>();

  QueryWindow(String name) {
    this.name = name;
  }

  /** A new window that carries over what is a level, not a sum: state and offsets. */
  QueryWindow next() {
    QueryWindow next = new QueryWindow(name);
    next.state = state;
    next.kafkaEndOffsets.putAll(kafkaEndOffsets);
    return next;
  }

  long stateRows() {
    long rows = 0;
    for (StateOperatorProgress op : state) {
      rows += op.numRowsTotal();
    }
    return rows;
  }

  long stateBytes() {
    long bytes = 0;
    for (StateOperatorProgress op : state) {
      bytes += op.memoryUsedBytes();
    }
    return bytes;
  }
}
