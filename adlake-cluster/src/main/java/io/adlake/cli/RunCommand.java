package io.adlake.cli;

import io.adlake.job.StreamingJobs;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description =
        "Run several streaming jobs in one Spark application (one Glue job, one EMR run).")
final class RunCommand extends StreamingCommand {
  @Option(
      names = "--jobs",
      split = ",",
      defaultValue = "ingest,attribution,conversions,aggregate",
      paramLabel = "JOB[,JOB]",
      description =
          "Jobs to run (default: ${DEFAULT-VALUE}). Available: ingest, attribution, conversions, "
              + "aggregate.")
  List<String> jobs;

  @Override
  List<StreamingJobs> jobs() {
    return StreamingJobs.parse(jobs);
  }
}
