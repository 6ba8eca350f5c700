package io.adlake.job;

import io.adlake.config.AdlakeConfig;
import io.adlake.lake.AdlakeTables;
import io.adlake.lake.SqlTemplate;
import io.adlake.lake.TableSetup;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * The bronze side of {@code report} and {@code demo}: table counts, accounting per stream,
 * quarantine.
 */
public final class IngestReport {
  private IngestReport() {}

  public static void print(
      SparkSession spark, AdlakeConfig config, ResultFormat format, PrintStream out) {
    Map<String, String> tables = new LinkedHashMap<>();
    for (String name :
        List.of(
            AdlakeTables.BID_REQUESTS,
            AdlakeTables.BID_RESPONSES,
            AdlakeTables.IMPRESSIONS,
            AdlakeTables.CLICKS,
            AdlakeTables.BID_REQUESTS_ENRICHED,
            AdlakeTables.QUARANTINE)) {
      tables.put(name, config.catalog().qualified(name));
    }
    tables.put("metrics", config.catalog().qualified(AdlakeTables.INGEST_METRICS));
    TableSetup.load(spark, tables.get("metrics")); // names the table if the ingest never ran
    section(spark, "Bronze tables", "sql/report/bronze_counts.sql", tables, format, out);
    section(
        spark,
        "Ingest accounting per stream (read = bronze + quarantined + duplicates)",
        "sql/report/ingest_accounting.sql",
        tables,
        format,
        out);
    section(
        spark, "Quarantine by reason", "sql/report/quarantine_reasons.sql", tables, format, out);
  }

  static void section(
      SparkSession spark,
      String title,
      String resource,
      Map<String, String> values,
      ResultFormat format,
      PrintStream out) {
    if (format == ResultFormat.TABLE) {
      out.println();
      out.println("== " + title);
    }
    format.print(spark.sql(SqlTemplate.render(resource, values)), 1000, out);
  }
}
