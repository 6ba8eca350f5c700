package io.adlake.lake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * Where the streaming queries that read Iceberg tables stand, from their checkpoints. A query restarted from its
 * checkpoint goes on from the end offset of its last committed batch, and Iceberg's source refuses to start when
 * that snapshot is gone ("Cannot load current offset at snapshot …, the snapshot was expired or removed", seen
 * when {@code maintain} expired a metrics query's bronze snapshot while the query was down), so snapshot expiry
 * keeps these snapshots and everything after them.
 *
 * <p>Spark's offsets log ({@code <checkpoint>/offsets/<batch>}) holds a version line, a metadata line and one line
 * per source; an Iceberg source's line is its {@code StreamingOffset} JSON with a {@code snapshot_id}. Snapshot
 * ids are unique across tables, so the ids of all queries are collected and each table keeps those it has.
 */
final class StreamingReaders {
  private static final ObjectMapper JSON = new ObjectMapper();

  private StreamingReaders() {}

  /**
   * The snapshot ids in the offsets of each query's last committed batch and of the batches it planned after it,
   * for every checkpoint directly under {@code checkpointRoot}; empty when there is none yet.
   */
  static Set<Long> snapshotIds(SparkSession spark, String checkpointRoot) {
    Set<Long> ids = new HashSet<>();
    try {
      Path root = new Path(checkpointRoot);
      FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(root)) {
        return ids;
      }
      for (FileStatus query : fs.listStatus(root)) {
        Path offsets = new Path(query.getPath(), "offsets");
        if (!query.isDirectory() || !fs.exists(offsets)) {
          continue;
        }
        long committed = batches(fs, new Path(query.getPath(), "commits")).stream().mapToLong(Long::longValue)
            .max().orElse(-1);
        for (long batch : batches(fs, offsets)) {
          if (batch >= committed) {
            addSnapshotIds(fs, new Path(offsets, Long.toString(batch)), ids);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the streaming checkpoints under " + checkpointRoot
          + " (adlake.streaming.checkpoint-root) to keep the snapshots their queries stand at: " + e.getMessage(), e);
    }
    return ids;
  }

  private static Set<Long> batches(FileSystem fs, Path dir) throws IOException {
    Set<Long> batches = new TreeSet<>();
    if (fs.exists(dir)) {
      for (FileStatus file : fs.listStatus(dir)) {
        if (file.getPath().getName().matches("\\d+")) {
          batches.add(Long.parseLong(file.getPath().getName()));
        }
      }
    }
    return batches;
  }

  private static void addSnapshotIds(FileSystem fs, Path offsetFile, Set<Long> ids) throws IOException {
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(fs.open(offsetFile),
        StandardCharsets.UTF_8))) {
      lines.readLine(); // version
      lines.readLine(); // batch metadata
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (line.startsWith("{")) {
          JsonNode offset = JSON.readTree(line);
          if (offset.hasNonNull("snapshot_id")) {
            ids.add(offset.get("snapshot_id").asLong());
          }
        }
      }
    }
  }
}
