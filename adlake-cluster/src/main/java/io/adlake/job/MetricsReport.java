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
 * What the aggregate job keeps: the hourly funnel, the busiest hours, late events; SQL in {@code
 * sql/metrics/}.
 */
public final class MetricsReport {
  /** Title and SQL resource of each query, in the order they are printed. */
  public static final List<Map.Entry<String, String>> QUERIES =
      List.of(
          Map.entry("Hourly funnel by publisher, all hours", "sql/metrics/funnel_by_publisher.sql"),
          Map.entry(
              "Busiest hour-countries (hourly_impressions_by_geo)",
              "sql/metrics/busiest_geo_hours.sql"),
          Map.entry(
              "Late events beyond the watermark, per metrics table",
              "sql/metrics/late_events.sql"));

  private MetricsReport() {}

  public static void print(
      SparkSession spark, AdlakeConfig config, ResultFormat format, int limit, PrintStream out) {
    for (Map.Entry<String, String> query : QUERIES) {
      if (format == ResultFormat.TABLE) {
        out.println();
        out.println("== Metrics: " + query.getKey());
      }
      format.print(query(spark, config, query.getValue()), limit, out);
    }
  }

  /** One of the queries over the configured catalog's metrics tables. */
  public static Dataset<Row> query(SparkSession spark, AdlakeConfig config, String resource) {
    Map<String, String> tables = new LinkedHashMap<>();
    for (String name :
        List.of(
            AdlakeTables.HOURLY_FUNNEL_BY_PUBLISHER,
            AdlakeTables.HOURLY_IMPRESSIONS_BY_GEO,
            AdlakeTables.LATE_EVENTS)) {
      tables.put(name, config.catalog().qualified(name));
    }
    // Names the table if the aggregate job never ran here.
    TableSetup.load(spark, tables.get(AdlakeTables.HOURLY_FUNNEL_BY_PUBLISHER));
    return spark.sql(SqlTemplate.render(resource, tables));
  }
}
