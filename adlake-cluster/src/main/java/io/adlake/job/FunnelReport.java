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

/** The original design's six funnel queries over the bronze tables; SQL in {@code sql/funnel/}. */
public final class FunnelReport {
  /** Title and SQL resource of each query, in the order they are printed. */
  public static final List<Map.Entry<String, String>> QUERIES =
      List.of(
          Map.entry("Fill rate by country", "sql/funnel/1_fill_rate_by_country.sql"),
          Map.entry("Win rate by bidder", "sql/funnel/2_win_rate_by_bidder.sql"),
          Map.entry("CTR by creative", "sql/funnel/3_ctr_by_creative.sql"),
          Map.entry("Revenue by publisher", "sql/funnel/4_revenue_by_publisher.sql"),
          Map.entry("Full funnel", "sql/funnel/5_full_funnel.sql"),
          Map.entry("Bid-to-win spread by bidder", "sql/funnel/6_bid_to_win_spread.sql"));

  private FunnelReport() {}

  public static void print(
      SparkSession spark, AdlakeConfig config, ResultFormat format, int limit, PrintStream out) {
    for (Map.Entry<String, String> query : QUERIES) {
      if (format == ResultFormat.TABLE) {
        out.println();
        out.println("== Funnel: " + query.getKey());
      }
      format.print(query(spark, config, query.getValue()), limit, out);
    }
  }

  /** One of the queries, as a DataFrame, over the configured catalog's bronze tables. */
  public static Dataset<Row> query(SparkSession spark, AdlakeConfig config, String resource) {
    Map<String, String> tables = new LinkedHashMap<>();
    for (String name :
        List.of(
            AdlakeTables.BID_REQUESTS,
            AdlakeTables.BID_RESPONSES,
            AdlakeTables.IMPRESSIONS,
            AdlakeTables.CLICKS)) {
      tables.put(name, config.catalog().qualified(name));
    }
    TableSetup.load(
        spark, tables.get(AdlakeTables.BID_REQUESTS)); // names the table if the ingest never ran
    return spark.sql(SqlTemplate.render(resource, tables));
  }
}
