package io.adlake.cli;

import io.adlake.config.AdlakeConfig;
import io.adlake.job.ProgressLog;
import io.adlake.job.SparkSessions;
import io.adlake.job.StreamingJobs;
import io.adlake.job.Triggers;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Mixin;

/** A command that runs streaming jobs in one Spark application until they end (or fail). */
abstract class StreamingCommand implements Callable<Integer> {
  @Mixin EnvOptions env;

  @Mixin StreamingOptions streaming;

  abstract List<StreamingJobs> jobs();

  @Override
  public Integer call() throws Exception {
    AdlakeConfig config = env.load(streaming.overrides());
    List<StreamingJobs> jobs = jobs();
    SparkSession spark = SparkSessions.create(config);
    StreamingJobs.runAll(
        spark,
        config,
        jobs,
        Triggers.parse(streaming.trigger, config.streaming().triggerInterval()),
        new ProgressLog(System.out));
    return 0;
  }
}
