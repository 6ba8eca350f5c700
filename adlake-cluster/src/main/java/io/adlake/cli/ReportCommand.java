package io.adlake.cli;

import io.adlake.config.AdlakeConfig;
import io.adlake.job.AdHocSql;
import io.adlake.job.AttributionReport;
import io.adlake.job.ConversionReport;
import io.adlake.job.DimensionReport;
import io.adlake.job.FunnelReport;
import io.adlake.job.GeoReport;
import io.adlake.job.IngestReport;
import io.adlake.job.MetricsReport;
import io.adlake.job.ResultFormat;
import io.adlake.job.SparkSessions;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description =
        "Print the ingest accounting, the funnel analytics, the attribution summary and the "
            + "conversions, or run any SQL against the catalog with --sql.")
final class ReportCommand implements Callable<Integer> {
  @Mixin EnvOptions env;

  @picocli.CommandLine.Parameters(
      arity = "0..1",
      defaultValue = "all",
      paramLabel = "WHAT",
      description =
          "ingest, funnel, metrics (hourly funnel, late events), attribution, conversions "
              + "(attribution types, CVR/CPA/ROAS, time to convert, models), pacing (spend per "
              + "campaign and UTC day against its daily budget), dims (pacing and the campaigns "
              + "unknown to the campaigns table), geo (top cities by device IP, geography coverage) "
              + "or all (default: "
              + "${DEFAULT-VALUE}); ignored with --sql.")
  String what;

  @Option(
      names = "--sql",
      paramLabel = "QUERY",
      description =
          "Run this SQL instead of the summary (read-only unless --allow-writes), e.g. "
              + "\"SELECT * FROM adlake.adlake.enriched_ad_data LIMIT 10\".")
  String sql;

  @Option(
      names = "--allow-writes",
      description =
          "Let --sql run statements that may change tables or the session (INSERT, DELETE, MERGE, "
              + "DROP, ALTER, CALL of a procedure, SET, …). Without it --sql runs only queries, SHOW, "
              + "DESCRIBE and EXPLAIN.")
  boolean allowWrites;

  @Option(
      names = "--format",
      defaultValue = "table",
      description = "table, csv or json (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(
      names = "--limit",
      defaultValue = "1000",
      description =
          "At most this many rows per query of --sql "
              + "and of the funnel report (default: ${DEFAULT-VALUE}).")
  int limit;

  /** The {@code --format} of {@code command}, or a usage error naming the three formats. */
  static ResultFormat resultFormat(Object command, String format) {
    try {
      return ResultFormat.valueOf(format.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(
          new picocli.CommandLine(command),
          "--format must be table, csv or json, got '" + format + "'");
    }
  }

  @Override
  public Integer call() throws Exception {
    ResultFormat resultFormat = resultFormat(this, format);
    AdlakeConfig config = env.load();
    SparkSession spark = SparkSessions.create(config);
    if (sql != null) {
      if (!allowWrites) {
        AdHocSql.notReadOnly(spark, sql)
            .ifPresent(
                kind -> {
                  throw new picocli.CommandLine.ParameterException(
                      new picocli.CommandLine(this),
                      "report --sql is read-only: it runs queries, SHOW, DESCRIBE and EXPLAIN, and "
                          + "this statement ("
                          + kind
                          + ") may change tables or the session. Add --allow-writes to run it.");
                });
      }
      spark.sql("USE " + config.catalog().name() + "." + config.catalog().namespace());
      resultFormat.print(spark.sql(sql), limit, System.out);
    } else {
      if (!List.of(
              "all",
              "ingest",
              "funnel",
              "metrics",
              "attribution",
              "conversions",
              "pacing",
              "dims",
              "geo")
          .contains(what)) {
        throw new picocli.CommandLine.ParameterException(
            new picocli.CommandLine(this),
            "report takes ingest, funnel, metrics, attribution, conversions, pacing, dims, geo or "
                + "all, "
                + "got '"
                + what
                + "'");
      }
      if (what.equals("all") || what.equals("ingest")) {
        IngestReport.print(spark, config, resultFormat, System.out);
      }
      if (what.equals("all") || what.equals("geo")) {
        GeoReport.print(spark, config, resultFormat, limit, System.out);
      }
      if (what.equals("all") || what.equals("funnel")) {
        FunnelReport.print(spark, config, resultFormat, limit, System.out);
      }
      if (what.equals("metrics")) {
        MetricsReport.print(spark, config, resultFormat, limit, System.out);
      } else if (what.equals("all")) {
        try {
          MetricsReport.print(spark, config, resultFormat, limit, System.out);
        } catch (IllegalStateException e) {
          // "all" also serves a lake where only the ingest has run.
          System.out.println("\n(no metrics: " + e.getMessage() + ")");
        }
      }
      if (what.equals("all") || what.equals("attribution")) {
        AttributionReport.print(spark, config, resultFormat, System.out);
      }
      if (what.equals("conversions")) {
        ConversionReport.print(spark, config, resultFormat, limit, System.out);
      } else if (what.equals("all")) {
        try {
          ConversionReport.print(spark, config, resultFormat, limit, System.out);
        } catch (IllegalStateException e) {
          // "all" also serves a lake where the conversions job has not run.
          System.out.println("\n(no conversions: " + e.getMessage() + ")");
        }
      }
      if (what.equals("pacing")) {
        DimensionReport.print(
            spark, config, List.of(DimensionReport.PACING), resultFormat, limit, System.out);
      } else if (what.equals("dims")) {
        DimensionReport.print(
            spark, config, DimensionReport.QUERIES, resultFormat, limit, System.out);
      } else if (what.equals("all")) {
        try {
          DimensionReport.print(
              spark, config, DimensionReport.QUERIES, resultFormat, limit, System.out);
        } catch (IllegalStateException e) {
          // "all" also serves a lake where the attribution or aggregation has not run.
          System.out.println("\n(no pacing: " + e.getMessage() + ")");
        }
      }
    }
    return 0;
  }
}
