package io.adlake.cli;

import io.adlake.job.StreamingJobs;
import java.util.List;
import picocli.CommandLine.Command;

@Command(
    name = "conversions",
    mixinStandardHelpOptions = true,
    description =
        "Attribute each conversion to the last click (24 h) or impression (1 h) of its user, keep "
            + "its journey and the credit of each multi-touch model, from the bronze tables "
            + "(attributed_conversions, conversion_journeys, attribution_credits, and the conversion "
            + "columns of campaign_metrics_5m), exactly once.")
final class ConversionsCommand extends StreamingCommand {
  @Override
  List<StreamingJobs> jobs() {
    return List.of(StreamingJobs.CONVERSIONS);
  }
}
