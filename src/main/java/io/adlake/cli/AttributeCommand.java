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

@Command(name = "attribute", mixinStandardHelpOptions = true,
    description = "Attribute clicks to impressions (stream-stream join with watermarks) and upsert them into "
        + "enriched_ad_data with MERGE INTO, exactly once.")
final class AttributeCommand implements Callable<Integer> {
  @Mixin
  EnvOptions env;

  @Mixin
  StreamingOptions streaming;

  @Override
  public Integer call() throws Exception {
    AdlakeConfig config = env.load(streaming.overrides());
    SparkSession spark = SparkSessions.create(config);
    StreamingJobs.runAll(spark, config, List.of(StreamingJobs.ATTRIBUTION),
        Triggers.parse(streaming.trigger, config.streaming().triggerInterval()), new ProgressLog(System.out));
    return 0;
  }
}
