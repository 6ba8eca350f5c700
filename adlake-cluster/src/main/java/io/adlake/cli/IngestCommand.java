package io.adlake.cli;

import io.adlake.job.StreamingJobs;
import java.util.List;
import picocli.CommandLine.Command;

@Command(
    name = "ingest",
    mixinStandardHelpOptions = true,
    description =
        "Stream all four topics into the Iceberg bronze tables (bid_requests, bid_responses, impressions, "
            + "clicks) and bid_requests_enriched; unusable records into quarantine with the reason; exactly once.")
final class IngestCommand extends StreamingCommand {
  @Override
  List<StreamingJobs> jobs() {
    return List.of(StreamingJobs.INGEST);
  }
}
