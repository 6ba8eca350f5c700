package io.adlake.cli;

import io.adlake.config.AdlakeConfig;
import io.adlake.config.ConfigLoader;
import io.adlake.job.PipelineStatus;
import io.adlake.job.SparkSessions;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "For each streaming query under the checkpoint root: its last committed batch, when, and how "
          + "far each input is behind (Kafka: the brokers' latest offsets minus the committed ones). "
          + "For each table: last commit, freshness (now minus the newest event time), snapshots, "
          + "data and delete files, late events of the last hour.",
      "Exit codes: 0 all within the thresholds, 3 a threshold crossed (each is printed), "
          + "1 failure, 2 bad usage or nothing at the configured places."
    })
public final class StatusCommand implements Callable<Integer> {
  /** The exit code when --max-lag or --max-staleness is crossed. */
  public static final int THRESHOLD_CROSSED = 3;

  @Spec CommandLine.Model.CommandSpec spec;

  @Mixin EnvOptions env;

  @Option(
      names = "--format",
      defaultValue = "table",
      description = "table or json (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(
      names = "--max-lag",
      paramLabel = "RECORDS",
      description =
          "Exit 3 when an input of a query is more than RECORDS records behind (Kafka topics, "
              + "Iceberg tables read as streams), or when a Kafka lag cannot be measured.")
  Long maxLag;

  @Option(
      names = "--max-staleness",
      paramLabel = "DURATION",
      description =
          "Exit 3 when a table's newest event time is more than DURATION (e.g. 15m, 2h) before now.")
  String maxStaleness;

  private final Clock clock;

  public StatusCommand() {
    this(Clock.systemUTC());
  }

  /** With the clock that says what "now" is, for freshness and the last hour of late events. */
  public StatusCommand(Clock clock) {
    this.clock = clock;
  }

  @Override
  public Integer call() {
    boolean json =
        switch (format.toLowerCase(Locale.ROOT)) {
          case "table" -> false;
          case "json" -> true;
          default ->
              throw new CommandLine.ParameterException(
                  spec.commandLine(), "--format must be table or json, got '" + format + "'");
        };
    if (maxLag != null && maxLag < 0) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--max-lag must be 0 or more records, got " + maxLag);
    }
    Optional<Duration> staleness =
        Optional.ofNullable(maxStaleness).map(d -> ConfigLoader.duration(d, "--max-staleness"));
    AdlakeConfig config = env.load();
    SparkSession spark = SparkSessions.create(config);
    PipelineStatus status = PipelineStatus.collect(spark, config, Instant.now(clock));
    List<String> crossed =
        status.crossed(maxLag == null ? OptionalLong.empty() : OptionalLong.of(maxLag), staleness);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(status.toJson(crossed).toPrettyString());
    } else {
      out.print(status.toText());
    }
    out.flush();
    PrintWriter err = spec.commandLine().getErr();
    for (String threshold : crossed) {
      err.println("adlake status: threshold crossed: " + threshold);
    }
    err.flush();
    return crossed.isEmpty() ? 0 : THRESHOLD_CROSSED;
  }
}
