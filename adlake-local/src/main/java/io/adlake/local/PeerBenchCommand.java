package io.adlake.local;

import io.adlake.cli.EnvOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "bench-peers",
    mixinStandardHelpOptions = true,
    description =
        "adlake against Flink SQL (attribution) and Iceberg's Kafka Connect sink (ingest) on the same "
            + "events, each in its own JVM, alternating rounds: throughput, CPU per million events, peak "
            + "RSS and end-to-end freshness. Needs the peer modules: run it as make bench-peers. Prints "
            + "figures; asserts nothing.")
final class PeerBenchCommand implements Callable<Integer> {
  @Mixin EnvOptions env;

  @Option(
      names = "--events",
      defaultValue = "1000000",
      description =
          "Events per burst: impressions + clicks for attribution, the four funnel topics for ingest "
              + "(default: ${DEFAULT-VALUE}).")
  long events;

  @Option(
      names = "--rounds",
      defaultValue = "3",
      description =
          "Rounds; each runs both systems, in alternating order; medians are reported (default: "
              + "${DEFAULT-VALUE}).")
  int rounds;

  @Option(
      names = "--interval",
      defaultValue = "10",
      description =
          "T in seconds: adlake's trigger interval, Flink's checkpoint interval, the Connect sink's "
              + "commit interval (default: ${DEFAULT-VALUE}).")
  long intervalSeconds;

  @Option(
      names = "--paced-rate",
      defaultValue = "2000",
      description =
          "Events per second on the case's own topics in the paced phase that measures freshness "
              + "(default: ${DEFAULT-VALUE}).")
  double pacedRate;

  @Option(
      names = "--paced-seconds",
      defaultValue = "40",
      description = "Length of the paced phase (default: ${DEFAULT-VALUE}).")
  long pacedSeconds;

  @Option(
      names = "--heap",
      defaultValue = "2g",
      description = "-Xmx of every measured JVM (default: ${DEFAULT-VALUE}).")
  String heap;

  @Option(
      names = "--master",
      defaultValue = "local[2]",
      description =
          "adlake's Spark master (the peers run with parallelism 2) (default: ${DEFAULT-VALUE}).")
  String master;

  @Option(
      names = "--cases",
      split = ",",
      defaultValue = "attribution,ingest",
      description = "attribution, ingest or both (default: ${DEFAULT-VALUE}).")
  List<String> cases;

  @Option(
      names = "--systems",
      split = ",",
      defaultValue = "adlake,peer",
      description =
          "adlake, peer or both: one side alone measures it without the other (default: "
              + "${DEFAULT-VALUE}).")
  List<String> systems;

  @Option(
      names = "--profile",
      description =
          "Attach async-profiler to the adlake JVM (CPU, interval timer) and write its collapsed stacks"
              + " next to the run's log.")
  boolean profile;

  @Option(
      names = "--work-dir",
      defaultValue = "target/bench-peers",
      description = "Scratch directory, wiped first (default: ${DEFAULT-VALUE}).")
  Path workDir;

  @Override
  public Integer call() throws Exception {
    EnumSet<PeerBench.Case> selected = EnumSet.noneOf(PeerBench.Case.class);
    for (String c : cases) {
      try {
        selected.add(PeerBench.Case.valueOf(c.trim().toUpperCase()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "--cases takes attribution and/or ingest, got '" + c + "'", e);
      }
    }
    EnumSet<PeerBench.Side> sides = EnumSet.noneOf(PeerBench.Side.class);
    for (String s : systems) {
      try {
        sides.add(PeerBench.Side.valueOf(s.trim().toUpperCase()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "--systems takes adlake and/or peer, got '" + s + "'", e);
      }
    }
    new PeerBench(
            System.out,
            new PeerBench.Options(
                events,
                rounds,
                Duration.ofSeconds(intervalSeconds),
                pacedRate,
                Duration.ofSeconds(pacedSeconds),
                heap,
                master,
                selected,
                sides,
                profile,
                workDir.toAbsolutePath()),
            env::load)
        .run();
    return 0;
  }
}
