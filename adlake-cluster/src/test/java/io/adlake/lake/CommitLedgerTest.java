package io.adlake.lake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.adlake.TestServices;
import io.adlake.config.AdlakeConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Commits of two writers to the same rows of one table (as the aggregate and the conversions job
 * keep campaign_metrics_5m): within one application they take turns and never conflict; a conflict
 * with another application is written again after a growing backoff, and only a conflict that
 * outlasts every attempt, or another failure, reaches the caller.
 */
class CommitLedgerTest {
  private final SparkSession spark = TestServices.spark();
  private final AdlakeConfig config = TestServices.config("ledger");
  private final List<Duration> waits = Collections.synchronizedList(new ArrayList<>());
  private String table;

  @BeforeEach
  void table() {
    spark.sql(
        "CREATE NAMESPACE IF NOT EXISTS "
            + config.catalog().name()
            + "."
            + config.catalog().namespace());
    table = config.catalog().qualified("two_writers_" + System.nanoTime());
    spark.sql(
        "CREATE TABLE "
            + table
            + " (id INT, delivery INT, conversions INT) USING iceberg TBLPROPERTIES"
            + " ('format-version'='2', 'write.merge.mode'='merge-on-read',"
            + " 'write.update.mode'='merge-on-read', 'write.delete.mode'='merge-on-read')");
    spark.sql("INSERT INTO " + table + " VALUES (1, 0, 0), (2, 0, 0), (3, 0, 0)");
  }

  @Test
  void twoWritersOfOneApplicationUpdatingTheSameRowsNeverConflict() throws Exception {
    int batches = 6;
    ExecutorService writers = Executors.newFixedThreadPool(2);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (String column : List.of("delivery", "conversions")) {
        done.add(
            writers.submit(
                () -> {
                  for (int batch = 0; batch < batches; batch++) {
                    String sql =
                        "MERGE INTO "
                            + table
                            + " t USING (SELECT id FROM "
                            + table
                            + ") s ON t.id = s.id WHEN MATCHED THEN UPDATE SET "
                            + column
                            + " = t."
                            + column
                            + " + 1";
                    CommitLedger.commit(
                        table, column, batch, Map.of(), () -> spark.sql(sql), waits::add);
                  }
                }));
      }
      for (Future<?> writer : done) {
        writer.get(5, TimeUnit.MINUTES);
      }
    } finally {
      writers.shutdownNow();
    }

    assertEquals(List.of(), waits, "no write had to be run again");
    List<Row> rows = spark.sql("SELECT * FROM " + table + " ORDER BY id").collectAsList();
    assertEquals("[[1,6,6], [2,6,6], [3,6,6]]", rows.toString());
  }

  @Test
  void aConflictIsWrittenAgainAfterAGrowingBackoffWithTheLedgerEntry() {
    AtomicInteger attempts = new AtomicInteger();
    int conflicts = CommitLedger.CONFLICT_ATTEMPTS - 1;
    CommitLedger.commit(
        table,
        "writer-a",
        7,
        Map.of("adlake.extra", "x"),
        () -> {
          if (attempts.incrementAndGet() <= conflicts) {
            throw new ValidationException("Found new conflicting delete files: test");
          }
          spark.sql("INSERT INTO " + table + " VALUES (4, 1, 1)");
        },
        waits::add);

    assertEquals(conflicts + 1, attempts.get());
    assertEquals(conflicts, waits.size());
    for (int i = 0; i < waits.size(); i++) {
      long cap =
          Math.min(
              CommitLedger.CONFLICT_BACKOFF.toMillis() << i,
              CommitLedger.CONFLICT_MAX_BACKOFF.toMillis());
      long wait = waits.get(i).toMillis();
      assertTrue(wait >= cap / 2 && wait <= cap, "wait " + i + ": " + wait + " ms, cap " + cap);
    }
    Snapshot committed = TableSetup.load(spark, table).currentSnapshot();
    assertEquals("writer-a", committed.summary().get(CommitLedger.WRITER_PROPERTY));
    assertEquals("7", committed.summary().get(CommitLedger.BATCH_PROPERTY));
    assertEquals("x", committed.summary().get("adlake.extra"));
  }

  @Test
  void aConflictOnEveryAttemptReachesTheCaller() {
    AtomicInteger attempts = new AtomicInteger();
    ValidationException conflict = new ValidationException("Found new conflicting data files");
    RuntimeException thrown =
        assertThrows(
            RuntimeException.class,
            () ->
                CommitLedger.commit(
                    table,
                    "writer-a",
                    0,
                    Map.of(),
                    () -> {
                      attempts.incrementAndGet();
                      throw conflict;
                    },
                    waits::add));
    assertSame(conflict, thrown);
    assertEquals(CommitLedger.CONFLICT_ATTEMPTS, attempts.get());
    assertEquals(CommitLedger.CONFLICT_ATTEMPTS - 1, waits.size());
  }

  @Test
  void anotherFailureIsNotWrittenAgain() {
    AtomicInteger attempts = new AtomicInteger();
    assertThrows(
        IllegalStateException.class,
        () ->
            CommitLedger.commit(
                table,
                "writer-a",
                0,
                Map.of(),
                () -> {
                  attempts.incrementAndGet();
                  throw new IllegalStateException("disk full");
                },
                waits::add));
    assertEquals(1, attempts.get());
    assertEquals(List.of(), waits);
  }

  @Test
  void theBackoffDoublesFromHalfASecondUpToThirtySecondsWithJitter() {
    assertEquals(Duration.ofMillis(250), CommitLedger.backoff(1, 0.0));
    assertEquals(Duration.ofMillis(999), CommitLedger.backoff(2, 0.999));
    assertEquals(Duration.ofSeconds(4), CommitLedger.backoff(5, 0.0));
    assertEquals(Duration.ofSeconds(15), CommitLedger.backoff(7, 0.0));
    assertEquals(Duration.ofSeconds(15), CommitLedger.backoff(40, 0.0));
  }
}
