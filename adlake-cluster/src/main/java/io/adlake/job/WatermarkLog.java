package io.adlake.job;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The newest event time a {@code foreachBatch} query has read, per micro-batch, in a directory of
 * its checkpoint ({@code <checkpoint>/event-time/<batch id>}): a query without a stateful operator
 * gets no watermark from Spark, and this is its own. Batch N reads the file of the newest batch
 * before N and writes its own after its commits, so a replayed batch decides what is late exactly
 * as its first attempt did, and a restarted query goes on from where it stood.
 */
final class WatermarkLog {
  /** Files kept: the newest batches' only, the older ones are never read again. */
  private static final int KEEP = 20;

  private final Path dir;
  private final Configuration hadoop;

  WatermarkLog(String checkpoint, Configuration hadoop) {
    this.dir = new Path(checkpoint, "event-time");
    this.hadoop = hadoop;
  }

  /** The newest event time read by the batches before {@code batchId}; empty before any. */
  Optional<Instant> before(long batchId) {
    try {
      FileSystem fs = dir.getFileSystem(hadoop);
      Long newest = batches(fs).lower(batchId);
      if (newest == null) {
        return Optional.empty();
      }
      try (BufferedReader in =
          new BufferedReader(
              new InputStreamReader(
                  fs.open(new Path(dir, Long.toString(newest))), StandardCharsets.UTF_8))) {
        return Optional.of(Instant.parse(in.readLine().strip()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the event-time log under " + dir, e);
    }
  }

  /** Records the newest event time read through {@code batchId}; drops files no batch needs. */
  void record(long batchId, Instant newest) {
    try {
      FileSystem fs = dir.getFileSystem(hadoop);
      try (OutputStream out = fs.create(new Path(dir, Long.toString(batchId)), true)) {
        out.write((newest + "\n").getBytes(StandardCharsets.UTF_8));
      }
      TreeSet<Long> batches = batches(fs);
      while (batches.size() > KEEP) {
        fs.delete(new Path(dir, Long.toString(batches.pollFirst())), false);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the event-time log under " + dir, e);
    }
  }

  private TreeSet<Long> batches(FileSystem fs) throws IOException {
    TreeSet<Long> batches = new TreeSet<>();
    if (fs.exists(dir)) {
      for (FileStatus file : fs.listStatus(dir)) {
        if (file.getPath().getName().matches("\\d+")) {
          batches.add(Long.parseLong(file.getPath().getName()));
        }
      }
    }
    return batches;
  }
}
