package io.adlake.job;

import io.adlake.config.AdlakeConfig;
import io.adlake.lake.AdlakeTables;
import io.adlake.lake.SqlTemplate;
import io.adlake.lake.TableSetup;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * What the conversions job keeps: conversions by attribution, CVR / CPA / ROAS by campaign,
 * time-to-convert, the models side by side; SQL in {@code sql/conversions/}.
 */
public final class ConversionReport {
  /** Title and SQL resource of each query, in the order they are printed. */
  public static final List<Map.Entry<String, String>> QUERIES =
      List.of(
          Map.entry("Conversions by attribution", "sql/conversions/1_by_attribution.sql"),
          Map.entry(
              "CVR, CPA and ROAS by campaign (campaign_metrics_5m)",
              "sql/conversions/2_campaign_performance.sql"),
          Map.entry("Time to convert", "sql/conversions/3_time_to_convert.sql"),
          Map.entry(
              "Credit per model, top campaigns (attribution_credits)",
              "sql/conversions/4_model_comparison.sql"));

  private ConversionReport() {}

  public static void print(
      SparkSession spark, AdlakeConfig config, ResultFormat format, int limit, PrintStream out) {
    for (Map.Entry<String, String> query : QUERIES) {
      if (format == ResultFormat.TABLE) {
        out.println();
        out.println("== Conversions: " + query.getKey());
      }
      format.print(query(spark, config, query.getValue()), limit, out);
    }
  }

  /** One of the queries over the configured catalog's conversion tables. */
  public static Dataset<Row> query(SparkSession spark, AdlakeConfig config, String resource) {
    Map<String, String> tables = new LinkedHashMap<>();
    for (String name :
        List.of(
            AdlakeTables.ATTRIBUTED_CONVERSIONS,
            AdlakeTables.ATTRIBUTION_CREDITS,
            AdlakeTables.CAMPAIGN_METRICS_5M)) {
      tables.put(name, config.catalog().qualified(name));
    }
    // Names the table if the conversions job never ran here.
    TableSetup.load(spark, tables.get(AdlakeTables.ATTRIBUTED_CONVERSIONS));
    return spark.sql(SqlTemplate.render(resource, tables));
  }
}
