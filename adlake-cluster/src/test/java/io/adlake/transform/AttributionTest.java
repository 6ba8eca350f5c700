package io.adlake.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.adlake.TestServices;
import io.adlake.config.AdlakeConfig.AttributionSettings;
import io.adlake.event.EventParser;
import io.adlake.lake.AdlakeTables;
import io.adlake.lake.MergeMode;
import io.adlake.lake.TableSpec;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The join condition, every enrichment column and first-click-wins, on batch DataFrames. */
class AttributionTest {
  private static final Instant T0 = Instant.parse("2026-11-21T09:00:10.000Z");
  private static final TableSpec SPEC =
      AdlakeTables.enrichedAdData("enriched_ad_data", MergeMode.COPY_ON_WRITE);
  private static SparkSession spark;
  private static AttributionSettings settings;

  @BeforeAll
  static void spark() {
    spark = TestServices.spark();
    settings = TestServices.config("attribution_unit").attribution();
  }

  @Test
  void clickIsJoinedExactlyInsideMinusSkewToPlusWindow() {
    Dataset<Row> impressions = impressions(impression("i-1", "ad-1", 10.0, 4, T0));
    Dataset<Row> clicks =
        clicks(
            click("at-plus-window", "i-1", "ad-1", T0.plusSeconds(30)),
            click("past-window", "i-1", "ad-1", T0.plusMillis(30_001)),
            click("at-minus-skew", "i-1", "ad-1", T0.minusSeconds(30)),
            click("before-skew", "i-1", "ad-1", T0.minusMillis(30_001)),
            click("other-ad", "i-1", "ad-2", T0.plusSeconds(1)),
            click("other-impression", "i-2", "ad-1", T0.plusSeconds(1)));
    List<String> joined =
        Attribution.join(impressions, clicks, settings)
            .select("click_id")
            .orderBy("click_id")
            .collectAsList()
            .stream()
            .map(r -> r.getString(0))
            .toList();
    assertEquals(List.of("at-minus-skew", "at-plus-window"), joined);
  }

  @Test
  void premiumIsStrictlyAboveFifty() {
    assertEquals("No", enrichedColumn(50.0, 4, T0, T0.plusSeconds(5), "is_premium_ad"));
    assertEquals("Yes", enrichedColumn(50.01, 4, T0, T0.plusSeconds(5), "is_premium_ad"));
    assertEquals("No", enrichedColumn(null, 4, T0, T0.plusSeconds(5), "is_premium_ad"));
  }

  @Test
  void engagementSubtractsWholeEpochSecondsAndFlagsImplausiblyShortOnes() {
    Instant impression = Instant.parse("2026-11-21T09:00:10.900Z");
    // 0.2 s later but across a second boundary: the original formula gives 1.
    assertEquals(
        1L,
        (long)
            enrichedColumn(10.0, 4, impression, impression.plusMillis(200), "engagement_duration"));
    assertEquals(
        false,
        enrichedColumn(10.0, 4, impression, impression.plusMillis(200), "is_suspected_fraud"));
    // Same second: 0 s, suspected fraud.
    assertEquals(
        0L,
        (long)
            enrichedColumn(10.0, 4, impression, impression.plusMillis(50), "engagement_duration"));
    assertEquals(
        true, enrichedColumn(10.0, 4, impression, impression.plusMillis(50), "is_suspected_fraud"));
    // Click before the impression (device clock skew): negative, suspected fraud.
    assertEquals(
        -5L,
        (long)
            enrichedColumn(10.0, 4, impression, impression.minusSeconds(5), "engagement_duration"));
    assertEquals(
        29L,
        (long)
            enrichedColumn(10.0, 4, impression, impression.plusSeconds(29), "engagement_duration"));
  }

  @Test
  void platformCategoryFollowsOpenRtbDeviceType() {
    Map<Integer, String> expected =
        new HashMap<>(
            Map.of(
                1, "Mobile", 2, "Desktop", 3, "CTV", 4, "Mobile", 5, "Tablet", 6, "Other", 7, "CTV",
                8, "Other", 0, "Other"));
    expected.forEach(
        (deviceType, category) ->
            assertEquals(
                category,
                enrichedColumn(10.0, deviceType, T0, T0.plusSeconds(3), "platform_category"),
                "devicetype " + deviceType));
    assertEquals("Other", enrichedColumn(10.0, null, T0, T0.plusSeconds(3), "platform_category"));
  }

  @Test
  void clickRevenueIsClickPriceTimesOnePointTwo() {
    Row row = enriched(10.0, 4, T0, T0.plusSeconds(3));
    assertEquals(0.5 * 1.2, (double) row.getAs("click_revenue"), 1e-12);
  }

  @Test
  void enrichedColumnsAreExactlyTheTableSchema() {
    Dataset<Row> out =
        Attribution.enrich(
            Attribution.join(
                impressions(impression("i", "a", 1.0, 2, T0)),
                clicks(click("c", "i", "a", T0.plusSeconds(1))),
                settings),
            settings,
            SPEC);
    StructType table = SPEC.sparkSchema();
    assertEquals(List.of(table.fieldNames()), List.of(out.columns()));
    for (int i = 0; i < out.schema().fields().length; i++) {
      assertEquals(
          table.fields()[i].dataType(),
          out.schema().fields()[i].dataType(),
          table.fields()[i].name());
    }
  }

  @Test
  void firstClickWinsDeterministicallyWhateverTheOrder() {
    Dataset<Row> impressions =
        impressions(impression("i-1", "ad-1", 10.0, 4, T0), impression("i-2", "ad-1", 10.0, 4, T0));
    Dataset<Row> clicks =
        clicks(
            click("c-late", "i-1", "ad-1", T0.plusSeconds(9)),
            click("c-early", "i-1", "ad-1", T0.plusSeconds(2)),
            click("c-b", "i-2", "ad-1", T0.plusSeconds(4)),
            click("c-a", "i-2", "ad-1", T0.plusSeconds(4)));
    List<Row> winners =
        Attribution.firstClickWins(
                Attribution.enrich(Attribution.join(impressions, clicks, settings), settings, SPEC),
                SPEC)
            .orderBy("impression_id")
            .collectAsList();
    assertEquals(
        List.of("c-early", "c-a"), winners.stream().map(r -> r.<String>getAs("click_id")).toList());
  }

  @Test
  void duplicateClicksCollapseToOneRowPerKey() {
    Dataset<Row> impressions =
        impressions(
            impression("i-1", "ad-1", 10.0, 4, T0),
            impression("i-1", "ad-1", 10.0, 4, T0)); // the impression re-sent
    Dataset<Row> clicks =
        clicks(
            click("c-1", "i-1", "ad-1", T0.plusSeconds(2)),
            click("c-1", "i-1", "ad-1", T0.plusSeconds(2))); // and the click too
    assertEquals(4, Attribution.join(impressions, clicks, settings).count());
    assertEquals(
        1,
        Attribution.firstClickWins(
                Attribution.enrich(Attribution.join(impressions, clicks, settings), settings, SPEC),
                SPEC)
            .count());
  }

  private static Object enrichedColumn(
      Double bidPrice, Integer deviceType, Instant impression, Instant click, String column) {
    return enriched(bidPrice, deviceType, impression, click).getAs(column);
  }

  private static Row enriched(
      Double bidPrice, Integer deviceType, Instant impression, Instant click) {
    List<Row> rows =
        Attribution.enrich(
                Attribution.join(
                    impressions(impression("i-1", "ad-1", bidPrice, deviceType, impression)),
                    clicks(click("c-1", "i-1", "ad-1", click)),
                    settings),
                settings,
                SPEC)
            .collectAsList();
    assertEquals(1, rows.size());
    return rows.get(0);
  }

  static Row impression(String id, String adId, Double bidPrice, Integer deviceType, Instant at) {
    return RowFactory.create(
        id, adId, "cmp-0001", "pub-0001", Timestamp.from(at), "USA", "ios", deviceType, bidPrice);
  }

  static Row click(String id, String impressionId, String adId, Instant at) {
    return RowFactory.create(id, impressionId, adId, Timestamp.from(at), 0.5);
  }

  static Dataset<Row> impressions(Row... rows) {
    StructType schema =
        new StructType()
            .add("impression_id", DataTypes.StringType)
            .add("ad_id", DataTypes.StringType)
            .add("campaign_id", DataTypes.StringType)
            .add("publisher_id", DataTypes.StringType)
            .add(EventParser.EVENT_TIME, DataTypes.TimestampType)
            .add("geo_location", DataTypes.StringType)
            .add("platform", DataTypes.StringType)
            .add("device_type", DataTypes.IntegerType)
            .add("bid_price", DataTypes.DoubleType);
    return spark.createDataFrame(new ArrayList<>(List.of(rows)), schema);
  }

  static Dataset<Row> clicks(Row... rows) {
    StructType schema =
        new StructType()
            .add("click_id", DataTypes.StringType)
            .add("impression_id", DataTypes.StringType)
            .add("ad_id", DataTypes.StringType)
            .add(EventParser.EVENT_TIME, DataTypes.TimestampType)
            .add("click_price", DataTypes.DoubleType);
    return spark.createDataFrame(new ArrayList<>(List.of(rows)), schema);
  }
}
