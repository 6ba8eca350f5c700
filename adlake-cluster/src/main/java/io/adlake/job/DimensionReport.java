package io.adlake.job;

import io.adlake.config.AdlakeConfig;
import io.adlake.lake.AdlakeTables;
import io.adlake.lake.SqlTemplate;
import io.adlake.lake.TableSetup;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * What the dimension tables add to the reports: campaign pacing against the daily budget, and the
 * attributed clicks of campaigns the campaigns table did not know; SQL in {@code sql/dims/}.
 */
public final class DimensionReport {
  public static final Map.Entry<String, String> PACING =
      Map.entry(
          "Pacing: spend per campaign and UTC day against daily_budget_usd",
          "sql/dims/1_pacing.sql");

  public static final Map.Entry<String, String> UNKNOWN_CAMPAIGNS =
      Map.entry(
          "Attributed clicks of campaigns unknown to the campaigns table",
          "sql/dims/2_unknown_campaigns.sql");

  public static final List<Map.Entry<String, String>> QUERIES = List.of(PACING, UNKNOWN_CAMPAIGNS);

  private DimensionReport() {}

  public static void print(
      SparkSession spark,
      AdlakeConfig config,
      List<Map.Entry<String, String>> queries,
      ResultFormat format,
      int limit,
      PrintStream out) {
    for (Map.Entry<String, String> query : queries) {
      if (format == ResultFormat.TABLE) {
        out.println();
        out.println("== " + query.getKey());
      }
      format.print(query(spark, config, query.getValue()), limit, out);
    }
  }

  public static Dataset<Row> query(SparkSession spark, AdlakeConfig config, String resource) {
    Map<String, String> tables =
        Map.of(
            AdlakeTables.CAMPAIGNS,
            config.catalog().qualified(AdlakeTables.CAMPAIGNS),
            AdlakeTables.CAMPAIGN_METRICS_5M,
            config.catalog().qualified(AdlakeTables.CAMPAIGN_METRICS_5M),
            "table",
            config.catalog().qualified(config.attribution().table()));
    // Names the missing table (and the job or command that creates it) instead of a Spark error.
    tables.values().forEach(t -> TableSetup.load(spark, t));
    return spark.sql(SqlTemplate.render(resource, tables));
  }
}
