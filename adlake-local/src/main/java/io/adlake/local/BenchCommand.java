package io.adlake.local;

import io.adlake.cli.EnvOptions;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description =
        "Measure plain append vs attribution throughput and MERGE scaling on the embedded broker. "
            + "Prints figures; asserts nothing.")
final class BenchCommand implements Callable<Integer> {
  @Mixin EnvOptions env;

  @Option(
      names = "--events",
      defaultValue = "200000",
      description = "Impression + click events " + "(default: ${DEFAULT-VALUE}).")
  long events;

  @Option(
      names = "--ingest-events",
      defaultValue = "200000",
      description =
          "Funnel events on four topics for "
              + "the ingest case; 0 skips it (default: ${DEFAULT-VALUE}).")
  long ingestEvents;

  @Option(
      names = "--max-offsets-per-trigger",
      defaultValue = "50000",
      description =
          "Records per topic per micro-batch, the same for both pipelines (default: ${DEFAULT-VALUE}).")
  long maxOffsetsPerTrigger;

  @Option(
      names = "--repeat",
      defaultValue = "3",
      description =
          "Rounds of (append, attribution); medians " + "are reported (default: ${DEFAULT-VALUE}).")
  int repeat;

  @Option(
      names = "--prefill-rows",
      defaultValue = "10000000",
      description =
          "Rows pre-filled for the MERGE "
              + "scaling case; 0 skips it (default: ${DEFAULT-VALUE}).")
  long prefillRows;

  @Option(
      names = "--merge-rows",
      defaultValue = "10000",
      description = "Rows per MERGE batch in the scaling " + "case (default: ${DEFAULT-VALUE}).")
  int mergeRows;

  @Option(
      names = "--aggregate-batches",
      defaultValue = "8",
      description =
          "Micro-batches the impressions are cut "
              + "into for the metrics-growth case, whose MERGEs meet growing tables (default: ${DEFAULT-VALUE}).")
  int aggregateBatches;

  @Option(
      names = "--conversion-events",
      defaultValue = "200000",
      description =
          "Impression, click and conversion events for the conversions case; 0 skips it "
              + "(default: ${DEFAULT-VALUE}).")
  long conversionEvents;

  @Option(
      names = "--work-dir",
      defaultValue = "target/bench",
      description = "Scratch directory, wiped first " + "(default: ${DEFAULT-VALUE}).")
  Path workDir;

  @Override
  public Integer call() throws Exception {
    new Benchmark(System.out)
        .run(
            new Benchmark.Options(
                events,
                ingestEvents,
                maxOffsetsPerTrigger,
                repeat,
                prefillRows,
                mergeRows,
                aggregateBatches,
                conversionEvents,
                workDir),
            env::load);
    return 0;
  }
}
