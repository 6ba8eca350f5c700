package io.adlake.cli;

import io.adlake.config.AdlakeConfig;
import io.adlake.job.ProgressLog;
import io.adlake.job.SparkSessions;
import io.adlake.job.StreamingJobs;
import io.adlake.job.Triggers;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "ingest", mixinStandardHelpOptions = true,
    description = "Stream all four topics into the Iceberg bronze tables (bid_requests, bid_responses, impressions, "
        + "clicks) and bid_requests_enriched; unusable records into quarantine with the reason; exactly once.")
final class IngestCommand implements Callable<Integer> {
  @Mixin
  EnvOptions env;

  @Mixin
  StreamingOptions streaming;

  @Override
  public Integer call() throws Exception {
    AdlakeConfig config = env.load(streaming.overrides());
    SparkSession spark = SparkSessions.create(config);
    StreamingJobs.runAll(spark, config, List.of(StreamingJobs.INGEST),
        Triggers.parse(streaming.trigger, config.streaming().triggerInterval()), new ProgressLog(System.out));
    return 0;
  }
}
