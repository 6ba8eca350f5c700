package io.adlake.job;

import io.adlake.config.AdlakeConfig;
import io.adlake.lake.AdlakeTables;
import io.adlake.lake.SqlTemplate;
import io.adlake.lake.TableSetup;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * Where the bid requests come from by their device IP: top cities and the share of traffic the City
 * database places; SQL in {@code sql/geo/}.
 */
public final class GeoReport {
  public static final List<Map.Entry<String, String>> QUERIES =
      List.of(
          Map.entry(
              "Top cities by bid requests (device IP, adlake.enrichment.geoip.path)",
              "sql/geo/1_top_cities.sql"),
          Map.entry(
              "Geography coverage per stated country (device_geo_country)",
              "sql/geo/2_coverage.sql"));

  private GeoReport() {}

  public static void print(
      SparkSession spark, AdlakeConfig config, ResultFormat format, int limit, PrintStream out) {
    String enriched = config.catalog().qualified(AdlakeTables.BID_REQUESTS_ENRICHED);
    // Names the missing table (and the job that creates it) instead of a Spark error.
    TableSetup.load(spark, enriched);
    if (format == ResultFormat.TABLE && config.enrichment().geoip().path().isEmpty()) {
      out.println();
      out.println(
          "(adlake.enrichment.geoip.path is empty here: rows ingested without it have no geo_*)");
    }
    for (Map.Entry<String, String> query : QUERIES) {
      if (format == ResultFormat.TABLE) {
        out.println();
        out.println("== " + query.getKey());
      }
      format.print(
          spark.sql(
              SqlTemplate.render(
                  query.getValue(), Map.of(AdlakeTables.BID_REQUESTS_ENRICHED, enriched))),
          limit,
          out);
    }
  }
}
