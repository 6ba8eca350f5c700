package io.adlake.transform;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import io.adlake.geo.GeoIpFile;
import io.adlake.lake.TableSpec;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The original design's traffic transformations on bronze bid requests: floors in USD, device
 * category, and the filter that keeps test, private-IP and non-positive-floor traffic out of the
 * enriched table (it stays in bronze).
 */
public final class RequestEnrichment {
  /** Why a row is kept out of {@code bid_requests_enriched}; NULL when it is kept. */
  public static final String FILTER_REASON = "filter_reason";

  public static final String TEST_PUBLISHER = "test_publisher";
  public static final String PRIVATE_IP = "private_ip";
  public static final String UNKNOWN_CURRENCY = "unknown_currency";
  public static final String NON_POSITIVE_FLOOR = "non_positive_floor";

  /** RFC 1918: 10/8, 172.16/12, 192.168/16. */
  private static final String RFC_1918 = "^(10\\.|192\\.168\\.|172\\.(1[6-9]|2[0-9]|3[01])\\.)";

  private RequestEnrichment() {}

  /** As {@link #enrich(Dataset, Dataset)} with fixed rates. */
  public static Dataset<Row> enrich(Dataset<Row> bronzeRequests, Map<String, Double> usdRates) {
    return enrich(
        bronzeRequests, ReferenceData.constantRates(bronzeRequests.sparkSession(), usdRates));
  }

  /** As {@link #enrich(Dataset, Dataset, Optional)} without geography. */
  public static Dataset<Row> enrich(Dataset<Row> bronzeRequests, Dataset<Row> rates) {
    return enrich(bronzeRequests, rates, Optional.empty());
  }

  /**
   * Adds usd_rate and rate_valid_from (the rate of the floor's currency at the request's event
   * time), floor_usd, device_category, the geography of device_ip ({@link IpGeography}) and {@link
   * #FILTER_REASON}.
   *
   * @param rates currency_rates as the batch pinned it
   * @param geoIp the City database; empty = geo_* columns NULL
   */
  public static Dataset<Row> enrich(
      Dataset<Row> bronzeRequests, Dataset<Row> rates, Optional<GeoIpFile> geoIp) {
    Dataset<Row> converted =
        ReferenceData.withRateAt(bronzeRequests, col("currency"), col("event_timestamp"), rates)
            .withColumn("floor_usd", col("imp_bidfloor").multiply(col("usd_rate")))
            .withColumn("device_category", deviceCategory());
    return IpGeography.locate(converted, col("device_ip"), geoIp)
        .withColumn(
            FILTER_REASON,
            when(col("publisher_id").startsWith("test-"), lit(TEST_PUBLISHER))
                .when(col("device_ip").rlike(RFC_1918), lit(PRIVATE_IP))
                .when(col("usd_rate").isNull(), lit(UNKNOWN_CURRENCY))
                .when(
                    col("floor_usd").isNull().or(col("floor_usd").leq(0)),
                    lit(NON_POSITIVE_FLOOR)));
  }

  /** The rows that go to the enriched table, with exactly its columns. */
  public static Dataset<Row> kept(Dataset<Row> enriched, TableSpec spec) {
    return spec.selectFrom(enriched.filter(col(FILTER_REASON).isNull()));
  }

  /** OpenRTB devicetype plus app/site: 3, 7 CTV; 1, 4, 5 Mobile App or Mobile Web; 2 Desktop. */
  static Column deviceCategory() {
    Column mobile = col("device_type").isin(1, 4, 5);
    return when(col("device_type").isin(3, 7), lit("CTV"))
        .when(mobile.and(col("app_id").isNotNull()), lit("Mobile App"))
        .when(mobile, lit("Mobile Web"))
        .when(col("device_type").equalTo(2), lit("Desktop"))
        .otherwise(lit("Unknown"));
  }
}
