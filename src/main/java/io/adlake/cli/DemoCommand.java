package io.adlake.cli;

import io.adlake.local.Demo;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "End to end on this machine: embedded Kafka broker, generator, attribution into a local "
        + "Iceberg warehouse, report. Needs the local classpath (make demo / bin/adlake), not the cluster jar.")
final class DemoCommand implements Callable<Integer> {
  @Mixin
  EnvOptions env;

  @Option(names = "--events", defaultValue = "200000", description = "Funnel events to generate "
      + "(default: ${DEFAULT-VALUE}).")
  long events;

  @Option(names = "--max-offsets-per-trigger", defaultValue = "20000", description = "Records per topic per "
      + "micro-batch, so the run shows several batches (default: ${DEFAULT-VALUE}).")
  long maxOffsetsPerTrigger;

  @Option(names = "--keep", description = "Keep the previous demo's data instead of starting clean.")
  boolean keep;

  @Option(names = "--data-dir", defaultValue = "data", description = "Broker log, checkpoints and warehouse "
      + "root; must match conf/local.conf (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Override
  public Integer call() throws Exception {
    LocalClasspath.requireBroker("demo");
    new Demo(System.out).run(new Demo.Options(events, maxOffsetsPerTrigger, keep, dataDir), env::load);
    return 0;
  }
}
