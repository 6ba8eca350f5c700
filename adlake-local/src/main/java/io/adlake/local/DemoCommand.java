package io.adlake.local;

import io.adlake.cli.EnvOptions;
import io.adlake.config.AdlakeConfig.RecordFormat;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "End to end on this machine: embedded Kafka broker, generator, attribution into a local "
            + "Iceberg warehouse, report. Needs the local classpath (make demo / bin/adlake), not the cluster jar.")
final class DemoCommand implements Callable<Integer> {
  @Mixin EnvOptions env;

  @Option(
      names = "--events",
      defaultValue = "200000",
      description = "Funnel events to generate " + "(default: ${DEFAULT-VALUE}).")
  long events;

  @Option(
      names = "--max-offsets-per-trigger",
      defaultValue = "20000",
      description =
          "Records per topic per "
              + "micro-batch, so the run shows several batches (default: ${DEFAULT-VALUE}).")
  long maxOffsetsPerTrigger;

  @Option(
      names = "--keep",
      description = "Keep the previous demo's data instead of starting clean.")
  boolean keep;

  @Option(
      names = "--data-dir",
      defaultValue = "data",
      description =
          "Broker log, checkpoints and warehouse "
              + "root; must match conf/local.conf (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(
      names = "--format",
      defaultValue = "json",
      description =
          "json or avro: with avro the generator writes "
              + "the Confluent wire format, schemas in a registry, and the jobs decode by schema id (default: "
              + "${DEFAULT-VALUE}).")
  RecordFormat format;

  @Option(
      names = "--schema-registry",
      paramLabel = "URL",
      description =
          "With --format avro: a running "
              + "Confluent-compatible registry; without it the demo starts Apicurio Registry on loopback.")
  String schemaRegistry;

  @Override
  public Integer call() throws Exception {
    new Demo(System.out)
        .run(
            new Demo.Options(
                events,
                maxOffsetsPerTrigger,
                keep,
                dataDir,
                format == RecordFormat.AVRO,
                schemaRegistry),
            env::load);
    return 0;
  }
}
