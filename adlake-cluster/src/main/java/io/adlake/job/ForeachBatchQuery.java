package io.adlake.job;

import io.adlake.config.AdlakeConfig;
import java.util.concurrent.TimeoutException;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.streaming.OutputMode;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;

/**
 * Starts a streaming query that hands each micro-batch to a {@code foreachBatch} sink, checkpointed
 * in the query's own directory ({@link Checkpoints}): how every adlake query writes, so that the
 * exactly-once sinks see each batch id once per checkpoint.
 */
final class ForeachBatchQuery {
  private ForeachBatchQuery() {}

  /**
   * @param name the query's name, which also names its checkpoint directory
   * @param mode {@link OutputMode#Update()} for aggregations whose rows a MERGE corrects, else
   *     append
   */
  static StreamingQuery start(
      Dataset<Row> stream,
      String name,
      OutputMode mode,
      AdlakeConfig config,
      Trigger trigger,
      VoidFunction2<Dataset<Row>, Long> sink) {
    try {
      return stream
          .writeStream()
          .queryName(name)
          .outputMode(mode)
          .option("checkpointLocation", Checkpoints.location(config, name))
          .trigger(trigger)
          .foreachBatch(sink)
          .start();
    } catch (TimeoutException e) {
      throw new IllegalStateException("Query " + name + " did not start", e);
    }
  }
}
