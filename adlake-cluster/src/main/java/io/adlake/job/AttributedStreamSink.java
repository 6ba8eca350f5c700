package io.adlake.job;

import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;

import io.adlake.config.AdlakeConfig.KinesisSinkSettings;
import io.adlake.config.AdlakeConfig.PutRetry;
import io.adlake.event.KinesisRecordWriter;
import io.adlake.source.KinesisStreams;
import io.adlake.transform.Attribution;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * {@code foreachBatch} sink of the attribution query when {@code adlake.attribution.kinesis-sink} is on: the
 * MERGE into the table first, then the batch's attributed rows (first click per key, as merged) to the
 * Kinesis stream, one JSON object per row, partition key {@code impression_id}.
 *
 * <p>At least once. The rows go out only after the MERGE committed (or was found committed on a replay), so
 * the stream never carries a row the table lacks; if sending fails after the retries, the micro-batch fails
 * and the restarted query replays it: the MERGE is skipped by the ledger and the rows are sent again, so
 * consumers de-duplicate on {@code impression_id} + {@code click_id}. A later batch can carry an earlier
 * click for an impression (out-of-order clicks); like the table, consumers keep the earliest click per
 * {@code (ad_id, impression_id)}.
 */
public final class AttributedStreamSink implements VoidFunction2<Dataset<Row>, Long> {
  private static final long serialVersionUID = 1L;
  static final String PARTITION_KEY = "impression_id";

  private final VoidFunction2<Dataset<Row>, Long> merge;
  private final KinesisSinkSettings settings;
  private final PutRetry retry;

  public AttributedStreamSink(VoidFunction2<Dataset<Row>, Long> merge, KinesisSinkSettings settings, PutRetry retry) {
    this.merge = requireNonNull(merge, "merge");
    this.settings = requireNonNull(settings, "settings");
    this.retry = requireNonNull(retry, "retry");
  }

  /** Fails at start, naming the setting, when the stream does not exist or Kinesis does not answer. */
  public void requireStream() {
    try (KinesisClient client = KinesisStreams.connect(settings.connection())) {
      KinesisStreams.requireStreams(client, settings.connection(), List.of(settings.stream()),
          "adlake.attribution.kinesis-sink.stream");
    }
  }

  @Override
  public void call(Dataset<Row> batch, Long batchId) throws Exception {
    // Persisted: merged and sent, the same rows (processed_time included) must not be computed twice.
    Dataset<Row> rows = Attribution.firstClickWins(batch).persist();
    try {
      merge.call(rows, batchId);
      publish(rows);
    } finally {
      rows.unpersist();
    }
  }

  /** Sends the rows as JSON from the driver: attributed clicks are a small share of the events. */
  void publish(Dataset<Row> rows) {
    Column json = to_json(struct(Arrays.stream(rows.columns()).map(c -> col(c)).toArray(Column[]::new)));
    Iterator<Row> keyed = rows.select(col(PARTITION_KEY), json).toLocalIterator();
    // A client per batch: nothing is left open when the query stops, and batches are minutes apart.
    try (KinesisRecordWriter writer = new KinesisRecordWriter(KinesisStreams.connect(settings.connection()), retry)) {
      while (keyed.hasNext()) {
        Row row = keyed.next();
        writer.put(settings.stream(), row.getString(0), row.getString(1).getBytes(StandardCharsets.UTF_8));
      }
      writer.flush();
    }
  }
}
