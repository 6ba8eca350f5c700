package io.adlake.event;

import io.adlake.config.AdlakeConfig.StreamNames;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.EnumMap;
import java.util.Map;

/**
 * Writes JSON lines, one directory per stream. Each file is written under a hidden name and renamed
 * when complete, so Spark's file source never reads half a file.
 */
public final class FileEventSink implements EventSink {
  private final Path root;
  private final StreamNames streams;
  private final int linesPerFile;
  private final String runId;
  private final Map<EventType, OpenFile> open = new EnumMap<>(EventType.class);
  private final Map<EventType, Integer> fileCounter = new EnumMap<>(EventType.class);

  private record OpenFile(Path hidden, Path visible, OutputStream out, int[] lines) {}

  /**
   * @param runId part of each file name, so several runs can write into the same directories
   */
  public FileEventSink(Path root, StreamNames streams, int linesPerFile, String runId) {
    this.root = root;
    this.streams = streams;
    this.linesPerFile = linesPerFile;
    this.runId = runId;
  }

  @Override
  public void send(EventType type, String key, byte[] value) {
    try {
      OpenFile file = open.get(type);
      if (file == null) {
        file = openFile(type);
        open.put(type, file);
      }
      file.out().write(value);
      file.out().write('\n');
      if (++file.lines()[0] >= linesPerFile) {
        publish(type);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write events under " + root, e);
    }
  }

  private OpenFile openFile(EventType type) throws IOException {
    Path dir = root.resolve(type.streamName(streams));
    Files.createDirectories(dir);
    int n = fileCounter.merge(type, 1, Integer::sum);
    String name = String.format("part-%s-%05d.jsonl", runId, n);
    Path hidden = dir.resolve("." + name + ".tmp");
    return new OpenFile(hidden, dir.resolve(name), Files.newOutputStream(hidden), new int[] {0});
  }

  private void publish(EventType type) throws IOException {
    OpenFile file = open.remove(type);
    if (file != null) {
      file.out().close();
      Files.move(file.hidden(), file.visible(), StandardCopyOption.ATOMIC_MOVE);
    }
  }

  /** Publishes every open file: what was sent so far becomes visible to readers. */
  @Override
  public void flush() {
    try {
      for (EventType type : EventType.values()) {
        publish(type);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot publish event files under " + root, e);
    }
  }

  @Override
  public void close() {
    flush();
  }
}
