package io.adlake.transform;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Joins of event rows to reference data (the dimension tables as a batch pinned them). Pure
 * functions of DataFrames: the job hands them the pinned dimension, a test a batch DataFrame.
 */
public final class ReferenceData {
  public static final String USD_RATE = "usd_rate";
  public static final String RATE_VALID_FROM = "rate_valid_from";
  public static final String ADVERTISER_ID = "advertiser_id";
  public static final String CAMPAIGN_NAME = "campaign_name";

  private static final StructType RATES =
      new StructType()
          .add("currency", DataTypes.StringType, false)
          .add("usd_per_unit", DataTypes.DoubleType, false)
          .add("valid_from", DataTypes.TimestampType, false)
          .add("valid_to", DataTypes.TimestampType, true);

  private ReferenceData() {}

  /**
   * Adds {@link #USD_RATE} and {@link #RATE_VALID_FROM}: the rate of {@code currency} valid at
   * {@code eventTime} (valid_from inclusive, valid_to exclusive), NULL when there is none. On event
   * time, so a floor keeps the rate of its own moment however late it is processed.
   *
   * @param rates currency_rates rows: currency, usd_per_unit, valid_from, valid_to
   */
  public static Dataset<Row> withRateAt(
      Dataset<Row> rows, Column currency, Column eventTime, Dataset<Row> rates) {
    Dataset<Row> r =
        rates.select(
            col("currency").as("_rate_currency"),
            col("usd_per_unit").as("_rate"),
            col("valid_from").as("_rate_from"),
            col("valid_to").as("_rate_to"));
    Column validAt =
        currency
            .equalTo(col("_rate_currency"))
            .and(eventTime.geq(col("_rate_from")))
            .and(col("_rate_to").isNull().or(eventTime.lt(col("_rate_to"))));
    return rows.drop(USD_RATE, RATE_VALID_FROM)
        .join(broadcast(r), validAt, "left")
        .withColumn(USD_RATE, col("_rate"))
        .withColumn(RATE_VALID_FROM, col("_rate_from"))
        .drop("_rate_currency", "_rate", "_rate_from", "_rate_to");
  }

  /** Fixed rates as a history valid from the epoch on: the conf seed, and tests. */
  public static Dataset<Row> constantRates(SparkSession spark, Map<String, Double> usdRates) {
    List<Row> rows = new ArrayList<>();
    new TreeMap<>(usdRates)
        .forEach(
            (currency, rate) ->
                rows.add(RowFactory.create(currency, rate, new Timestamp(0), null)));
    return spark.createDataFrame(rows, RATES);
  }

  /**
   * Sets {@link #ADVERTISER_ID} and {@link #CAMPAIGN_NAME} from {@code campaigns} by campaign_id;
   * NULL for a campaign the dimension does not know (the row is kept).
   */
  public static Dataset<Row> withCampaign(Dataset<Row> rows, Dataset<Row> campaigns) {
    Dataset<Row> c =
        campaigns.select(
            col("campaign_id").as("_dim_campaign_id"),
            col(ADVERTISER_ID).as("_dim_advertiser_id"),
            col(CAMPAIGN_NAME).as("_dim_campaign_name"));
    return rows.drop(ADVERTISER_ID, CAMPAIGN_NAME)
        .join(broadcast(c), col("campaign_id").equalTo(col("_dim_campaign_id")), "left")
        .withColumn(ADVERTISER_ID, col("_dim_advertiser_id"))
        .withColumn(CAMPAIGN_NAME, col("_dim_campaign_name"))
        .drop("_dim_campaign_id", "_dim_advertiser_id", "_dim_campaign_name");
  }

  /** The placeholders a stream carries until its batch is joined to campaigns. */
  public static Map<String, Column> campaignPlaceholders() {
    return Map.of(ADVERTISER_ID, lit(null).cast("string"), CAMPAIGN_NAME, lit(null).cast("string"));
  }
}
