package io.adlake.job;

import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;

import io.adlake.config.AdlakeConfig.KinesisSinkSettings;
import io.adlake.config.AdlakeConfig.PutRetry;
import io.adlake.event.KinesisRecordWriter;
import io.adlake.lake.ExactlyOnceMerge;
import io.adlake.source.KinesisStreams;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * The attributed rows to a Kinesis stream when {@code adlake.attribution.kinesis-sink} is on, one
 * JSON object per row, partition key {@code impression_id}: it follows the attribution MERGE
 * ({@link ExactlyOnceMerge#andThen}), which hands it the batch's rows as merged (first click per
 * key, computed once, persisted).
 *
 * <p>At least once. The rows go out only after the MERGE committed (or was found committed on a
 * replay), so the stream never carries a row the table lacks; if sending fails after the retries,
 * the micro-batch fails and the restarted query replays it: the MERGE is skipped by the ledger and
 * the rows are sent again, so consumers de-duplicate on {@code impression_id} + {@code click_id}. A
 * later batch can carry an earlier click for an impression (out-of-order clicks); like the table,
 * consumers keep the earliest click per {@code (ad_id, impression_id)}.
 */
public final class AttributedStreamSink {
  static final String PARTITION_KEY = "impression_id";

  private final KinesisSinkSettings settings;
  private final PutRetry retry;

  public AttributedStreamSink(KinesisSinkSettings settings, PutRetry retry) {
    this.settings = requireNonNull(settings, "settings");
    this.retry = requireNonNull(retry, "retry");
  }

  /**
   * Fails at start, naming the setting, when the stream does not exist or Kinesis does not answer.
   */
  public void requireStream() {
    try (KinesisClient client = KinesisStreams.connect(settings.connection())) {
      KinesisStreams.requireStreams(
          client,
          settings.connection(),
          List.of(settings.stream()),
          "adlake.attribution.kinesis-sink.stream");
    }
  }

  /** Sends the rows as JSON from the driver: attributed clicks are a small share of the events. */
  void publish(Dataset<Row> rows) {
    Column json =
        to_json(struct(Arrays.stream(rows.columns()).map(c -> col(c)).toArray(Column[]::new)));
    Iterator<Row> keyed = rows.select(col(PARTITION_KEY), json).toLocalIterator();
    // A client per batch: nothing is left open when the query stops, and batches are minutes apart.
    try (KinesisRecordWriter writer =
        new KinesisRecordWriter(KinesisStreams.connect(settings.connection()), retry)) {
      while (keyed.hasNext()) {
        Row row = keyed.next();
        writer.put(
            settings.stream(), row.getString(0), row.getString(1).getBytes(StandardCharsets.UTF_8));
      }
      writer.flush();
    }
  }
}
