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
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run several streaming jobs in one Spark application (one Glue job, one EMR run).")
final class RunCommand implements Callable<Integer> {
  @Mixin
  EnvOptions env;

  @Mixin
  StreamingOptions streaming;

  @Option(names = "--jobs", split = ",", defaultValue = "ingest,attribution", paramLabel = "JOB[,JOB]",
      description = "Jobs to run (default: ${DEFAULT-VALUE}). Available: ingest, attribution.")
  List<String> jobs;

  @Override
  public Integer call() throws Exception {
    AdlakeConfig config = env.load(streaming.overrides());
    List<StreamingJobs> selected = StreamingJobs.parse(jobs);
    SparkSession spark = SparkSessions.create(config);
    StreamingJobs.runAll(spark, config, selected,
        Triggers.parse(streaming.trigger, config.streaming().triggerInterval()), new ProgressLog(System.out));
    return 0;
  }
}
