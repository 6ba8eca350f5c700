package io.adlake.source;

import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.posexplode;
import static org.apache.spark.sql.functions.split;

import io.adlake.config.AdlakeConfig.FileSettings;
import io.adlake.config.AdlakeConfig.StreamNames;
import io.adlake.event.EventType;
import io.adlake.event.RawRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.DataStreamReader;

/**
 * JSON-lines files, one directory per stream ({@code <path>/<stream>/*.jsonl}), read with Spark's
 * file stream source: new files are picked up as they appear. A record's position is its file
 * ({@code record_source}) and its 1-based line number ({@code source_offset}). Writers must create
 * files atomically (write a hidden file, then rename), as the generator does.
 */
public final class FileEventSource implements EventSource {
  private final FileSettings settings;
  private final StreamNames streams;

  public FileEventSource(FileSettings settings, StreamNames streams) {
    this.settings = requireNonNull(settings, "settings");
    this.streams = requireNonNull(streams, "streams");
  }

  @Override
  public Dataset<Row> readStream(SparkSession spark, EventType type) {
    // Whole files, split here, so each record keeps its line number (Spark's line reader has none).
    DataStreamReader reader = spark.readStream().format("text").option("wholetext", true);
    if (settings.maxFilesPerTrigger() > 0) {
      reader = reader.option("maxFilesPerTrigger", settings.maxFilesPerTrigger());
    }
    return reader
        .load(directory(type))
        .select(
            col("_metadata.file_path").as(RawRecord.SOURCE),
            posexplode(split(col("value"), "\\r?\\n")).as(new String[] {"_line_index", "_line"}))
        // The newline that ends the last line leaves one empty element; blank lines are no records.
        .filter(length(col("_line")).gt(0))
        .select(
            col("_line").cast("binary").as(RawRecord.RAW),
            col(RawRecord.SOURCE),
            lit(null).cast("int").as(RawRecord.PARTITION),
            col("_line_index").plus(1).cast("long").as(RawRecord.OFFSET),
            current_timestamp().as(RawRecord.RECEIVED_AT));
  }

  public String directory(EventType type) {
    return settings.path() + "/" + type.streamName(streams);
  }

  @Override
  public void requireStreams(Collection<EventType> types) {
    if (settings.path().contains("://")) {
      return; // an object store: Spark reports a missing prefix itself
    }
    for (EventType type : types) {
      Path dir = Path.of(directory(type));
      if (Files.isDirectory(dir)) {
        continue;
      }
      throw new IllegalStateException(
          "No directory "
              + dir.toAbsolutePath()
              + " for stream "
              + type.streamName(streams)
              + ". Write events there (adlake generate --to files) or fix adlake.source.files.path");
    }
  }

  @Override
  public String describe() {
    return "files " + settings.path();
  }
}
