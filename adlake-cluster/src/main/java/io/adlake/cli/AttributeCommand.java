package io.adlake.cli;

import io.adlake.job.StreamingJobs;
import java.util.List;
import picocli.CommandLine.Command;

@Command(
    name = "attribute",
    mixinStandardHelpOptions = true,
    description =
        "Attribute clicks to impressions (stream-stream join with watermarks) and upsert them into "
            + "enriched_ad_data with MERGE INTO, exactly once.")
final class AttributeCommand extends StreamingCommand {
  @Override
  List<StreamingJobs> jobs() {
    return List.of(StreamingJobs.ATTRIBUTION);
  }
}
