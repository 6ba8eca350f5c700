package io.adlake.cli;

import io.adlake.config.AdlakeConfig;
import io.adlake.config.ConfigLoader;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --env} and {@code --conf}, shared by every command that reads the configuration. */
public final class EnvOptions {
  @Option(
      names = "--env",
      defaultValue = "${ADLAKE_ENV:-local}",
      paramLabel = "ENV",
      description =
          "Environment: local, docker, glue, emr (conf/<ENV>.conf) or the path of a HOCON file. "
              + "Default: ${DEFAULT-VALUE} (env var ADLAKE_ENV).")
  String env;

  @Option(
      names = "--conf",
      paramLabel = "KEY=VALUE",
      description =
          "Override one setting, e.g. --conf adlake.spark.shuffle-partitions=4, or set a Spark "
              + "setting, e.g. --conf spark.executor.memory=4g. Repeatable.")
  List<String> overrides = new ArrayList<>();

  public AdlakeConfig load(String... extra) {
    List<String> all = new ArrayList<>(overrides);
    all.addAll(List.of(extra));
    return ConfigLoader.load(env, all);
  }
}
