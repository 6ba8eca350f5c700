package io.adlake.lake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adlake.config.AdlakeConfig.CatalogSettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.hadoop.fs.CreateFlag;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.UnsupportedFileSystemException;
import org.apache.spark.sql.SparkSession;

/**
 * Where the streaming queries that read Iceberg tables stand, from their checkpoints. A query
 * restarted from its checkpoint goes on from the end offset of its last committed batch, and
 * Iceberg's source refuses to start when that snapshot is gone ("Cannot load current offset at
 * snapshot …, the snapshot was expired or removed", seen when {@code maintain} expired a metrics
 * query's bronze snapshot while the query was down), so snapshot expiry keeps these snapshots and
 * everything after them.
 *
 * <p>Spark's offsets log ({@code <checkpoint>/offsets/<batch>}) holds a version line, a metadata
 * line and one line per source; an Iceberg source's line is its {@code StreamingOffset} JSON with a
 * {@code snapshot_id}. Snapshot ids are unique across tables, so the ids of all queries are
 * collected and each table keeps those it has.
 */
public final class StreamingReaders {
  private static final ObjectMapper JSON = new ObjectMapper();

  private StreamingReaders() {}

  /**
   * The snapshot ids in the offsets of each query's last committed batch and of the batches it
   * planned after it, for every checkpoint directly under {@code checkpointRoot}; empty when there
   * is none yet.
   */
  static Set<Long> snapshotIds(SparkSession spark, String checkpointRoot) {
    Set<Long> ids = new HashSet<>();
    try {
      FileSystem fs = fileSystem(spark, checkpointRoot);
      for (Path query : queries(fs, checkpointRoot)) {
        Path offsets = new Path(query, "offsets");
        long committed = lastCommitted(fs, query);
        for (long batch : batches(fs, offsets)) {
          if (batch >= committed) {
            addSnapshotIds(fs, new Path(offsets, Long.toString(batch)), ids);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot read the streaming checkpoints under "
              + checkpointRoot
              + " (adlake.streaming.checkpoint-root) to keep the snapshots their queries stand at: "
              + e.getMessage(),
          e);
    }
    return ids;
  }

  /**
   * Lets queries restarted with an available-now trigger survive the expiry of the snapshot they
   * first started at. Iceberg's source computes an available-now run's end offset by walking from
   * the query's <em>initial</em> offset ({@code <checkpoint>/sources/<n>/offsets/0}, written on the
   * query's very first start), so once {@code maintain} has expired that snapshot the restart fails
   * with "Cannot load current offset at snapshot …" (apache/iceberg#18000). The initial offset is
   * not used otherwise once a batch has committed (Spark resumes from the committed offsets), so
   * for each such query whose initial snapshot is gone it is moved to the source's end offset in
   * the last committed batch, a snapshot that expiry keeps ({@link #snapshotIds}). An initial
   * offset taken on an empty table (snapshot -1) needs no snapshot and is left alone.
   *
   * @return one line per offset moved, or left because its source cannot be told apart, for the log
   */
  public static List<String> moveExpiredInitialOffsets(
      SparkSession spark, CatalogSettings catalog, String checkpointRoot) {
    List<String> log = new ArrayList<>();
    Set<Long> liveSnapshots = null;
    try {
      FileSystem fs = fileSystem(spark, checkpointRoot);
      for (Path query : queries(fs, checkpointRoot)) {
        long committed = lastCommitted(fs, query);
        Path committedOffsets = new Path(query, "offsets/" + committed);
        if (committed < 0 || !fs.exists(committedOffsets)) {
          continue;
        }
        int sources = sourceCount(fs, query);
        Optional<List<String>> bySource =
            offsetsBySource(sourceOffsets(fs, committedOffsets), sources);
        for (int source = 0; source < sources; source++) {
          Path initial = new Path(query, "sources/" + source + "/offsets/0");
          finishInterruptedReplace(fs, initial);
          Long initialSnapshot =
              fs.exists(initial) ? icebergSnapshotId(firstLine(fs, initial)) : null;
          if (initialSnapshot == null || initialSnapshot < 0) {
            continue;
          }
          if (liveSnapshots == null) {
            liveSnapshots = liveSnapshotIds(spark, catalog);
          }
          if (liveSnapshots.contains(initialSnapshot)) {
            continue;
          }
          // Were the order ever different, the line would name another table's snapshot and the
          // query would fail
          // to start on it ("Cannot load current offset"), not read from a wrong place.
          Long committedSnapshot =
              bySource.isPresent() ? icebergSnapshotId(bySource.get().get(source)) : null;
          if (committedSnapshot == null) {
            log.add(
                query.getName()
                    + ": source "
                    + source
                    + " started at expired snapshot "
                    + initialSnapshot
                    + " and its committed offset cannot be told apart in the offsets log; left as is, so an "
                    + "available-now restart of this query fails until it starts from a new checkpoint "
                    + "(processing-time runs are not affected)");
            continue;
          }
          replace(
              fs,
              initial,
              bySource.get().get(source).getBytes(StandardCharsets.UTF_8),
              query.getName());
          log.add(
              query.getName()
                  + ": source "
                  + source
                  + " initial offset moved from expired snapshot "
                  + initialSnapshot
                  + " to snapshot "
                  + committedSnapshot
                  + " of its last committed batch "
                  + committed);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot read the streaming checkpoints under "
              + checkpointRoot
              + " (adlake.streaming.checkpoint-root) to prepare an available-now run: "
              + e.getMessage(),
          e);
    }
    return log;
  }

  /**
   * Replaces a checkpoint file so that a crash at any moment leaves the old content or the new,
   * never a part: Spark reads these files on every start. The new content goes to a hidden file
   * beside the original, which is renamed over it in one step (Hadoop's FileContext, as Spark's own
   * checkpoint writer does). Where the file system has no FileContext (EMRFS {@code s3://}), the
   * original is first renamed aside and kept until the new file is in place; {@link
   * #finishInterruptedReplace} puts it back if the process died in between.
   */
  static void replace(FileSystem fs, Path file, byte[] content, String query) throws IOException {
    Path temp = new Path(file.getParent(), "." + file.getName() + "." + UUID.randomUUID() + ".tmp");
    FileContext files;
    try {
      files = FileContext.getFileContext(file.toUri(), fs.getConf());
    } catch (UnsupportedFileSystemException e) {
      files = null;
    }
    if (files != null) {
      try (OutputStream out =
          files.create(temp, EnumSet.of(CreateFlag.CREATE), Options.CreateOpts.createParent())) {
        out.write(content);
      }
      WriteFaults.INSTALLED.duringCheckpointFileReplace(query, file.toString());
      files.rename(temp, file, Options.Rename.OVERWRITE);
      return;
    }
    try (OutputStream out = fs.create(temp, false)) {
      out.write(content);
    }
    WriteFaults.INSTALLED.duringCheckpointFileReplace(query, file.toString());
    Path aside = aside(file);
    if (!fs.rename(file, aside)) {
      throw new IOException("Cannot rename " + file + " to " + aside + " before replacing it");
    }
    if (!fs.rename(temp, file)) {
      throw new IOException(
          "Cannot rename "
              + temp
              + " to "
              + file
              + "; the original is at "
              + aside
              + ", and the next available-now start puts it back");
    }
    fs.delete(aside, false);
  }

  /**
   * Completes or undoes a {@link #replace} that a crash interrupted: the original put back if it
   * was renamed aside and the new file is not in place, leftover temporary files removed.
   */
  static void finishInterruptedReplace(FileSystem fs, Path file) throws IOException {
    Path aside = aside(file);
    if (fs.exists(aside)) {
      if (fs.exists(file)) {
        fs.delete(aside, false);
      } else if (!fs.rename(aside, file)) {
        throw new IOException("Cannot restore " + file + " from " + aside);
      }
    }
    FileStatus[] temps = fs.globStatus(new Path(file.getParent(), "." + file.getName() + ".*.tmp"));
    if (temps != null) {
      for (FileStatus temp : temps) {
        fs.delete(temp.getPath(), false);
      }
    }
  }

  private static Path aside(Path file) {
    return new Path(file.getParent(), "." + file.getName() + ".replaced");
  }

  /**
   * Each source's offset, in the order of its {@code sources/<n>} directory. The offsets log has a
   * line for every place the query's plan reads a source, so a table joined with itself (the funnel
   * query reads bid_requests in four places) repeats its line; Spark numbers the sources in the
   * order of their first place, the order of the lines. Two sources at equal offsets cannot be told
   * apart that way: empty when the distinct lines are not exactly one per source.
   */
  static Optional<List<String>> offsetsBySource(List<String> lines, int sources) {
    List<String> distinct = new ArrayList<>(new LinkedHashSet<>(lines));
    return distinct.size() == sources ? Optional.of(distinct) : Optional.empty();
  }

  private static int sourceCount(FileSystem fs, Path query) throws IOException {
    int count = 0;
    while (fs.exists(new Path(query, "sources/" + count))) {
      count++;
    }
    return count;
  }

  private static FileSystem fileSystem(SparkSession spark, String checkpointRoot)
      throws IOException {
    return new Path(checkpointRoot).getFileSystem(spark.sparkContext().hadoopConfiguration());
  }

  /** The checkpoint directories directly under {@code checkpointRoot} that have an offsets log. */
  private static List<Path> queries(FileSystem fs, String checkpointRoot) throws IOException {
    List<Path> queries = new ArrayList<>();
    Path root = new Path(checkpointRoot);
    if (fs.exists(root)) {
      for (FileStatus query : fs.listStatus(root)) {
        if (query.isDirectory() && fs.exists(new Path(query.getPath(), "offsets"))) {
          queries.add(query.getPath());
        }
      }
    }
    return queries;
  }

  /** The query's last committed batch, or -1 before its first commit. */
  private static long lastCommitted(FileSystem fs, Path query) throws IOException {
    return batches(fs, new Path(query, "commits")).stream()
        .mapToLong(Long::longValue)
        .max()
        .orElse(-1);
  }

  private static Set<Long> liveSnapshotIds(SparkSession spark, CatalogSettings catalog) {
    Set<Long> ids = new HashSet<>();
    for (String table : TableSetup.tablesIn(spark, catalog)) {
      TableSetup.load(spark, catalog.qualified(table))
          .snapshots()
          .forEach(snapshot -> ids.add(snapshot.snapshotId()));
    }
    return ids;
  }

  /**
   * The per-source lines of an offsets log file: after the version and the batch metadata, one per
   * source.
   */
  private static List<String> sourceOffsets(FileSystem fs, Path offsetFile) throws IOException {
    List<String> offsets = new ArrayList<>();
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(fs.open(offsetFile), StandardCharsets.UTF_8))) {
      lines.readLine(); // version
      lines.readLine(); // batch metadata
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        offsets.add(line);
      }
    }
    return offsets;
  }

  private static String firstLine(FileSystem fs, Path file) throws IOException {
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(fs.open(file), StandardCharsets.UTF_8))) {
      String line = lines.readLine();
      return line == null ? "" : line;
    }
  }

  /**
   * The snapshot id of an Iceberg {@code StreamingOffset} in JSON; null for another source's
   * offset.
   */
  private static Long icebergSnapshotId(String offset) {
    if (!offset.startsWith("{")) {
      return null;
    }
    try {
      JsonNode json = JSON.readTree(offset);
      return json.hasNonNull("snapshot_id") ? json.get("snapshot_id").asLong() : null;
    } catch (IOException e) {
      throw new UncheckedIOException("Not a streaming offset: " + offset, e);
    }
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

  private static void addSnapshotIds(FileSystem fs, Path offsetFile, Set<Long> ids)
      throws IOException {
    for (String offset : sourceOffsets(fs, offsetFile)) {
      Long snapshot = icebergSnapshotId(offset);
      if (snapshot != null) {
        ids.add(snapshot);
      }
    }
  }
}
