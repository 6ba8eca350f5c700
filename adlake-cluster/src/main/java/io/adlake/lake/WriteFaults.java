package io.adlake.lake;

import java.util.Iterator;
import java.util.ServiceLoader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The places where a write is hardest to restart: while the MERGE's tasks read the batch, between
 * the Iceberg commit and Spark's checkpoint, and in the middle of replacing a checkpoint file. A
 * fault suite supplies an implementation (through {@link ServiceLoader}, from its own classpath)
 * that crashes the JVM there; the cluster jar has none, so {@link #INSTALLED} does nothing.
 */
public interface WriteFaults {
  /** The one found on the classpath, or one that never interferes. */
  WriteFaults INSTALLED = load();

  /**
   * The source of the MERGE into {@code qualifiedTable} for {@code batchId}; {@code rows} unless a
   * fault is due.
   */
  default Dataset<Row> mergeSource(Dataset<Row> rows, String qualifiedTable, long batchId) {
    return rows;
  }

  /**
   * Called right after the commit of {@code batchId} to {@code qualifiedTable}, before the
   * checkpoint.
   */
  default void afterCommit(String qualifiedTable, long batchId) {}

  /**
   * The micro-batch of {@code stream} that the ingest sink is about to count and write; {@code
   * batch} unless a fault is due.
   */
  default Dataset<Row> ingestBatch(Dataset<Row> batch, String stream, long batchId) {
    return batch;
  }

  /**
   * Called while the checkpoint file {@code file} of query {@code query} is being replaced: the new
   * content is being written, the replacement is not complete.
   */
  default void duringCheckpointFileReplace(String query, String file) {}

  private static WriteFaults load() {
    Iterator<WriteFaults> found = ServiceLoader.load(WriteFaults.class).iterator();
    return found.hasNext() ? found.next() : new WriteFaults() {};
  }
}
