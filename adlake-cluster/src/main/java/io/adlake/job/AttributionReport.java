package io.adlake.job;

import io.adlake.config.AdlakeConfig;
import io.adlake.lake.TableSetup;
import java.io.PrintStream;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/** The attribution summary that {@code report} and {@code demo} print. */
public final class AttributionReport {
  private AttributionReport() {}

  public static void print(
      SparkSession spark, AdlakeConfig config, ResultFormat format, PrintStream out) {
    String table = config.catalog().qualified(config.attribution().table());
    TableSetup.load(spark, table); // fails with a message naming the table if it does not exist
    section(spark, "Attribution summary", "sql/report/attribution_summary.sql", table, format, out);
    section(spark, "Platform split", "sql/report/attribution_platforms.sql", table, format, out);
    section(
        spark,
        "Top campaigns by click revenue",
        "sql/report/attribution_top_campaigns.sql",
        table,
        format,
        out);
  }

  private static void section(
      SparkSession spark,
      String title,
      String resource,
      String table,
      ResultFormat format,
      PrintStream out) {
    IngestReport.section(
        spark, title + " (" + table + ")", resource, Map.of("table", table), format, out);
  }
}
