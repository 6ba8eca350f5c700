package io.adlake.job;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * What one streaming query's checkpoint directory says about it, read without starting the query:
 * its last committed batch ({@code commits/<batch>}), when that commit was written (the file's
 * modification time), the end offsets of that batch per source ({@code offsets/<batch>}: a version
 * line, a metadata line, then one line per source) and, for file sources, the files read so far
 * ({@code sources/<n>/<batch>} and its compactions: a version line, then one JSON entry per file).
 *
 * @param name the directory's name, which is the query's name
 * @param lastBatch empty before the first commit
 * @param endOffsets one line per source, in the order of the query's plan; empty before the first
 *     commit
 * @param filesRead paths of the files a file source has read, over all batches
 */
public record QueryCheckpoint(
    String name,
    String location,
    OptionalLong lastBatch,
    Optional<Instant> committedAt,
    List<String> endOffsets,
    Set<String> filesRead) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public QueryCheckpoint {
    requireNonNull(name, "name");
    requireNonNull(location, "location");
    endOffsets = List.copyOf(endOffsets);
    filesRead = Set.copyOf(filesRead);
  }

  /**
   * Every query checkpoint (a directory with an {@code offsets} log) directly under {@code root},
   * sorted by name.
   */
  public static List<QueryCheckpoint> readAll(FileSystem fs, Path root) throws IOException {
    List<QueryCheckpoint> queries = new ArrayList<>();
    List<FileStatus> dirs = new ArrayList<>(List.of(fs.listStatus(root)));
    dirs.sort((a, b) -> a.getPath().getName().compareTo(b.getPath().getName()));
    for (FileStatus dir : dirs) {
      if (dir.isDirectory() && fs.exists(new Path(dir.getPath(), "offsets"))) {
        queries.add(read(fs, dir.getPath()));
      }
    }
    return queries;
  }

  static QueryCheckpoint read(FileSystem fs, Path query) throws IOException {
    Path commits = new Path(query, "commits");
    OptionalLong last = batches(fs, commits).stream().mapToLong(Long::longValue).max();
    Optional<Instant> committedAt = Optional.empty();
    List<String> offsets = List.of();
    if (last.isPresent()) {
      Path commit = new Path(commits, Long.toString(last.getAsLong()));
      committedAt =
          Optional.of(Instant.ofEpochMilli(fs.getFileStatus(commit).getModificationTime()));
      Path offsetFile = new Path(query, "offsets/" + last.getAsLong());
      if (fs.exists(offsetFile)) {
        List<String> lines = lines(fs, offsetFile);
        offsets = lines.size() > 2 ? lines.subList(2, lines.size()) : List.of();
      }
    }
    return new QueryCheckpoint(
        query.getName(), query.toString(), last, committedAt, offsets, filesRead(fs, query));
  }

  /** The file entries of every file-source log under {@code sources/}. */
  private static Set<String> filesRead(FileSystem fs, Path query) throws IOException {
    Set<String> files = new LinkedHashSet<>();
    Path sources = new Path(query, "sources");
    if (!fs.exists(sources)) {
      return files;
    }
    for (FileStatus source : fs.listStatus(sources)) {
      if (!source.isDirectory()) {
        continue;
      }
      for (FileStatus log : fs.listStatus(source.getPath())) {
        // Batch files (N) and their compactions (N.compact); Kafka and Iceberg sources keep their
        // initial offset under offsets/ instead.
        if (!log.isFile() || !log.getPath().getName().matches("\\d+(\\.compact)?")) {
          continue;
        }
        for (String line : lines(fs, log.getPath())) {
          if (line.startsWith("{")) {
            JsonNode entry = JSON.readTree(line);
            if (entry.hasNonNull("path")) {
              files.add(entry.get("path").asText());
            }
          }
        }
      }
    }
    return files;
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

  private static List<String> lines(FileSystem fs, Path file) throws IOException {
    List<String> lines = new ArrayList<>();
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(fs.open(file), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        lines.add(line);
      }
    }
    return lines;
  }
}
