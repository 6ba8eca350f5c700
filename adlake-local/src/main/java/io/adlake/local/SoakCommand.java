package io.adlake.local;

import io.adlake.cli.EnvOptions;
import io.adlake.local.soak.Soak;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "soak",
    mixinStandardHelpOptions = true,
    description =
        "Runs ingest, attribution, conversions and aggregate (as 'run') with an interval trigger for "
            + "--minutes while a generator sends a constant --rate to an embedded broker; prints a "
            + "row of figures per sample (heap after a full GC, open files, state, rates, Kafka lag, "
            + "batch times, freshness) and, at the end, each series' trend. Asserts nothing.")
final class SoakCommand implements Callable<Integer> {
  @Mixin EnvOptions env;

  @Option(
      names = "--minutes",
      defaultValue = "30",
      description = "How long the pipeline runs (default: ${DEFAULT-VALUE}).")
  long minutes;

  @Option(
      names = "--rate",
      defaultValue = "200",
      paramLabel = "EVENTS_PER_S",
      description =
          "Events per second the generator sends, over the five streams; a rate this machine "
              + "keeps up with, so that any growth is the pipeline's (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(
      names = "--sample-seconds",
      defaultValue = "60",
      description = "Seconds between samples (default: ${DEFAULT-VALUE}).")
  long sampleSeconds;

  @Option(
      names = "--warmup-minutes",
      defaultValue = "12",
      description =
          "Samples of the first minutes are printed but left out of the trends: the start, and "
              + "the time the state takes to fill (the ingest's 10-min de-duplication window, the "
              + "metrics' 10-min watermark) (default: ${DEFAULT-VALUE}).")
  long warmupMinutes;

  @Option(
      names = "--trigger",
      defaultValue = "30s",
      description =
          "The queries' trigger interval, e.g. 30s, 1m; processing-time takes "
              + "adlake.streaming.trigger-interval. Twelve queries share the machine: on two cores a "
              + "10 s trigger falls behind (default: ${DEFAULT-VALUE}).")
  String trigger;

  @Option(
      names = "--data-dir",
      defaultValue = "data/soak",
      description =
          "Broker log, warehouse, checkpoints and the run's logs; emptied at start "
              + "(default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Override
  public Integer call() throws Exception {
    new Soak(System.out)
        .run(
            new Soak.Options(
                Duration.ofMinutes(minutes),
                rate,
                Duration.ofSeconds(sampleSeconds),
                Duration.ofMinutes(warmupMinutes),
                trigger,
                dataDir),
            env::load);
    return 0;
  }
}
