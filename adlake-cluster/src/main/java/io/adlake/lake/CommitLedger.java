package io.adlake.lake;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.spark.CommitMetadata;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.NoSuchTableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exactly-once bookkeeping for {@code foreachBatch} writers: the streaming query's id and the batch
 * id go into the Iceberg snapshot summary in the same commit as the data, so a batch that Spark
 * replays after a crash between the Iceberg commit and its checkpoint commit is recognised and
 * skipped.
 */
public final class CommitLedger {
  /** Snapshot summary keys. */
  public static final String WRITER_PROPERTY = "adlake.writer-id";

  public static final String BATCH_PROPERTY = "adlake.batch-id";

  /**
   * The snapshot of each table a batch read ({@code name=snapshotId,...}; -1 for a table without
   * one), so that a replay reads exactly what its first attempt read.
   */
  public static final String READ_SNAPSHOTS = "adlake.read-snapshots";

  /**
   * Local property Spark sets on the thread that runs a micro-batch (StreamExecution.QUERY_ID_KEY).
   */
  public static final String QUERY_ID_KEY = "sql.streaming.queryId";

  private static final Logger LOG = LoggerFactory.getLogger(CommitLedger.class);

  private CommitLedger() {}

  /**
   * The streaming query's id: stable across restarts from the same checkpoint, new for a new one,
   * so a fresh checkpoint (batch ids from 0 again) is never mistaken for a replay.
   */
  public static String writerId(SparkSession spark) {
    String queryId = spark.sparkContext().getLocalProperty(QUERY_ID_KEY);
    if (queryId == null) {
      throw new IllegalStateException(
          "Exactly-once writes run inside a streaming query's foreachBatch; "
              + "local property "
              + QUERY_ID_KEY
              + " is not set");
    }
    return queryId;
  }

  /**
   * The newest batch id this writer committed to the table, or -1; walks the current snapshot's
   * ancestry.
   */
  public static long lastCommittedBatch(Table table, String writerId) {
    Snapshot snapshot = table.currentSnapshot();
    while (snapshot != null) {
      Map<String, String> summary = snapshot.summary();
      if (writerId.equals(summary.get(WRITER_PROPERTY)) && summary.containsKey(BATCH_PROPERTY)) {
        return Long.parseLong(summary.get(BATCH_PROPERTY));
      }
      Long parent = snapshot.parentId();
      snapshot = parent == null ? null : table.snapshot(parent);
    }
    return -1;
  }

  public static boolean isCommitted(
      SparkSession spark, String qualifiedTable, String writerId, long batchId) {
    long last = lastCommittedBatch(TableSetup.load(spark, qualifiedTable), writerId);
    if (batchId <= last) {
      LOG.info(
          "{}: batch {} of writer {} is already committed (last {}); skipping the replay",
          qualifiedTable,
          batchId,
          writerId,
          last);
      return true;
    }
    return false;
  }

  /**
   * Attempts of a write that a concurrent commit to the same rows made Iceberg refuse: enough to
   * outlast a busy writer of another application (about 2 minutes of backoff in all).
   */
  static final int CONFLICT_ATTEMPTS = 10;

  /** The first wait before a write is run again; it doubles per attempt, up to the next. */
  static final Duration CONFLICT_BACKOFF = Duration.ofMillis(500);

  static final Duration CONFLICT_MAX_BACKOFF = Duration.ofSeconds(30);

  /** One lock per table: the writers of one application commit to a table one at a time. */
  private static final ConcurrentMap<String, ReentrantLock> TABLE_LOCKS = new ConcurrentHashMap<>();

  /** How the conflict backoff waits; tests replace it to record the waits instead. */
  interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  /**
   * Runs {@code write} (one Iceberg commit to {@code qualifiedTable}) with the ledger entry and
   * {@code properties} in its snapshot summary.
   *
   * <p>Two writers commit to the same rows of one table (the aggregate and the conversions job keep
   * different columns of campaign_metrics_5m). Within one application they take turns on a lock per
   * table, so they never conflict. Across applications (separate Glue jobs or EMR runs) Iceberg
   * refuses the later commit ({@code ValidationException}, or {@code CommitFailedException} once
   * its own retries are spent); such a write committed nothing, so it is run again against the new
   * state, after a backoff with jitter, up to {@link #CONFLICT_ATTEMPTS} times.
   */
  public static void commit(
      String qualifiedTable,
      String writerId,
      long batchId,
      Map<String, String> properties,
      Runnable write) {
    commit(qualifiedTable, writerId, batchId, properties, write, d -> Thread.sleep(d.toMillis()));
  }

  static void commit(
      String qualifiedTable,
      String writerId,
      long batchId,
      Map<String, String> properties,
      Runnable write,
      Sleeper sleeper) {
    Map<String, String> summary = new HashMap<>(properties);
    summary.put(WRITER_PROPERTY, writerId);
    summary.put(BATCH_PROPERTY, Long.toString(batchId));
    ReentrantLock lock = TABLE_LOCKS.computeIfAbsent(qualifiedTable, t -> new ReentrantLock());
    for (int attempt = 1; ; attempt++) {
      lock.lock();
      try {
        CommitMetadata.withCommitProperties(
            Map.copyOf(summary),
            () -> {
              write.run();
              return null;
            },
            RuntimeException.class);
        return;
      } catch (RuntimeException e) {
        if (attempt >= CONFLICT_ATTEMPTS || !isConflict(e)) {
          throw e;
        }
        LOG.warn(
            "{}: batch {} of writer {} conflicted with a commit of another application (attempt {}"
                + " of {}); writing it again: {}",
            qualifiedTable,
            batchId,
            writerId,
            attempt,
            CONFLICT_ATTEMPTS,
            e.getMessage());
      } finally {
        lock.unlock();
      }
      try {
        sleeper.sleep(backoff(attempt, ThreadLocalRandom.current().nextDouble()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(
            qualifiedTable + ": interrupted while waiting to write batch " + batchId + " again", e);
      }
    }
  }

  /**
   * The wait after failed attempt {@code attempt} (from 1): {@link #CONFLICT_BACKOFF} doubled per
   * attempt, capped at {@link #CONFLICT_MAX_BACKOFF}, scaled by a jitter in [0.5, 1) so that two
   * writers that conflicted once do not retry in step.
   */
  static Duration backoff(int attempt, double random) {
    long exponential =
        CONFLICT_BACKOFF.toMillis() << Math.min(attempt - 1, 20); // no overflow past 2^20
    long capped = Math.min(exponential, CONFLICT_MAX_BACKOFF.toMillis());
    return Duration.ofMillis((long) (capped * (0.5 + random / 2)));
  }

  /** Iceberg refused the commit because of another commit: nothing of it was committed. */
  static boolean isConflict(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof ValidationException || cause instanceof CommitFailedException) {
        return true;
      }
    }
    return false;
  }

  /**
   * The summary of the snapshot in which {@code writerId} committed {@code batchId}, if it did:
   * what a replay reads back (for example the snapshots of other tables the first attempt read).
   */
  public static Optional<Map<String, String>> committedSummary(
      Table table, String writerId, long batchId) {
    Snapshot snapshot = table.currentSnapshot();
    String batch = Long.toString(batchId);
    while (snapshot != null) {
      Map<String, String> summary = snapshot.summary();
      if (writerId.equals(summary.get(WRITER_PROPERTY)) && summary.containsKey(BATCH_PROPERTY)) {
        if (batch.equals(summary.get(BATCH_PROPERTY))) {
          return Optional.of(summary);
        }
        if (Long.parseLong(summary.get(BATCH_PROPERTY)) < batchId) {
          return Optional.empty(); // a writer's batch ids only grow: no older snapshot has it
        }
      }
      Long parent = snapshot.parentId();
      snapshot = parent == null ? null : table.snapshot(parent);
    }
    return Optional.empty();
  }

  public static String formatSnapshots(Map<String, Long> snapshots) {
    return snapshots.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(java.util.stream.Collectors.joining(","));
  }

  public static Map<String, Long> parseSnapshots(String snapshots) {
    Map<String, Long> parsed = new java.util.LinkedHashMap<>();
    if (snapshots.isBlank()) {
      return parsed;
    }
    for (String pin : snapshots.split(",")) {
      String[] kv = pin.split("=", 2);
      parsed.put(kv[0], Long.parseLong(kv[1]));
    }
    return parsed;
  }

  /**
   * Appends {@code rows} once per (writer, batch): skipped when empty or already committed.
   *
   * @return whether it appended
   */
  public static boolean appendOnce(
      SparkSession spark,
      String qualifiedTable,
      String writerId,
      long batchId,
      Dataset<Row> rows,
      long rowCount) {
    return appendOnce(spark, qualifiedTable, writerId, batchId, rows, rowCount, Map.of());
  }

  /** As above, with further snapshot summary properties (such as {@link #READ_SNAPSHOTS}). */
  public static boolean appendOnce(
      SparkSession spark,
      String qualifiedTable,
      String writerId,
      long batchId,
      Dataset<Row> rows,
      long rowCount,
      Map<String, String> properties) {
    if (rowCount == 0 || isCommitted(spark, qualifiedTable, writerId, batchId)) {
      return false;
    }
    commit(
        qualifiedTable,
        writerId,
        batchId,
        properties,
        () -> {
          try {
            rows.writeTo(qualifiedTable).append();
          } catch (NoSuchTableException e) {
            throw new IllegalStateException(
                "Table " + qualifiedTable + " disappeared while the stream ran", e);
          }
        });
    WriteFaults.INSTALLED.afterCommit(qualifiedTable, batchId);
    return true;
  }
}
