package io.adlake.cli;

import io.adlake.job.StreamingJobs;
import java.util.List;
import picocli.CommandLine.Command;

@Command(
    name = "aggregate",
    mixinStandardHelpOptions = true,
    description =
        "Keep the windowed metrics tables current from the bronze tables (hourly_impressions_by_geo, "
            + "rolling_metrics_by_bidder, campaign_metrics_5m), "
            + "upserted with MERGE INTO in update mode, exactly once.")
final class AggregateCommand extends StreamingCommand {
  @Override
  List<StreamingJobs> jobs() {
    return List.of(StreamingJobs.AGGREGATE);
  }
}
