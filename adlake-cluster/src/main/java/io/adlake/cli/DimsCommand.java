package io.adlake.cli;

import io.adlake.config.AdlakeConfig;
import io.adlake.job.ResultFormat;
import io.adlake.job.SparkSessions;
import io.adlake.lake.Dimension;
import io.adlake.lake.DimensionLoad;
import io.adlake.lake.DimensionRows.RejectedRowsException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "dims",
    mixinStandardHelpOptions = true,
    description =
        "Reference data: load campaigns, advertisers or currency rates from a file, or show a "
            + "dimension table.",
    subcommands = {DimsCommand.Load.class, DimsCommand.Show.class})
final class DimsCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(
      name = "load",
      mixinStandardHelpOptions = true,
      description =
          "Upsert TABLE (campaigns, advertisers, currency_rates) from FILE: CSV with a header "
              + "line or JSON lines, a local path or any Hadoop URI (s3://...); several TABLE FILE "
              + "pairs load in one run. Every row of every file is checked first; if any is "
              + "rejected nothing is loaded and each bad line is listed. Rows replace the row with "
              + "their key; a currency rate closes the interval of the rate before it. Prints what "
              + "changed.")
  static final class Load implements Callable<Integer> {
    /** Exit code of a file with rejected rows: nothing was loaded. */
    static final int REJECTED = 3;

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin EnvOptions env;

    @Parameters(
        arity = "2..*",
        paramLabel = "TABLE FILE",
        description =
            "A dimension table (campaigns, advertisers or currency_rates) and its CSV or "
                + "JSON-lines file; repeat the pair for more tables.")
    List<String> pairs;

    @Override
    public Integer call() {
      if (pairs.size() % 2 != 0) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(),
            "dims load takes TABLE FILE pairs; '"
                + pairs.get(pairs.size() - 1)
                + "' has no file (got "
                + pairs.size()
                + " arguments)");
      }
      Map<Dimension, String> files = new LinkedHashMap<>();
      for (int i = 0; i < pairs.size(); i += 2) {
        Dimension dimension = Dimension.named(pairs.get(i));
        if (files.put(dimension, pairs.get(i + 1)) != null) {
          throw new picocli.CommandLine.ParameterException(
              spec.commandLine(),
              "dims load names " + dimension.tableName() + " twice; give each table one file");
        }
      }
      AdlakeConfig config = env.load();
      SparkSession spark = SparkSessions.create(config);
      DimensionLoad load = new DimensionLoad(spark, config.catalog());
      load.ensureTables(config.ingest().usdRates());
      try {
        load.loadAll(files).forEach(result -> System.out.println(result.describe()));
        return 0;
      } catch (RejectedRowsException e) {
        System.err.println("adlake dims load: " + e.getMessage());
        return REJECTED;
      }
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Print a dimension table (currency_rates with its whole history).")
  static final class Show implements Callable<Integer> {
    @Mixin EnvOptions env;

    @Parameters(
        index = "0",
        paramLabel = "TABLE",
        description = "campaigns, advertisers or currency_rates")
    String table;

    @Option(
        names = "--format",
        defaultValue = "table",
        description = "table, csv or json (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(
        names = "--limit",
        defaultValue = "1000",
        description = "At most this many rows (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
      Dimension dimension = Dimension.named(table);
      ResultFormat resultFormat = ReportCommand.resultFormat(this, format);
      AdlakeConfig config = env.load();
      SparkSession spark = SparkSessions.create(config);
      Map<Dimension, String> tables =
          new DimensionLoad(spark, config.catalog()).ensureTables(config.ingest().usdRates());
      String order = String.join(", ", dimension.spec().key());
      resultFormat.print(
          spark.sql("SELECT * FROM " + tables.get(dimension) + " ORDER BY " + order),
          limit,
          System.out);
      return 0;
    }
  }
}
