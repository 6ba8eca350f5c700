package io.adlake.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.adlake.TestServices;
import io.adlake.config.AdlakeConfig;
import io.adlake.config.AdlakeConfig.ConversionSettings;
import io.adlake.lake.AdlakeTables;
import io.adlake.lake.MergeMode;
import io.adlake.lake.TableSpec;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * The last-touch rule, the journey and each multi-touch model on small batch DataFrames, edge by
 * edge: the lookbacks' bounds to the millisecond, a postback's click outside the lookback, ties, a
 * touch after the conversion, no user, 60 touches, duplicate postbacks.
 */
class ConversionAttributionTest {
  private static final Instant T = Instant.parse("2026-11-21T12:00:00Z");
  private static final MergeMode ANY = MergeMode.COPY_ON_WRITE;
  private static final double EPSILON = 1e-12;

  private final SparkSession spark = TestServices.spark();
  private final AdlakeConfig config = TestServices.config("conversion_rules");
  private final ConversionSettings settings = config.conversions();

  private final List<Row> conversions = new ArrayList<>();
  private final List<Row> clicks = new ArrayList<>();
  private final List<Row> impressions = new ArrayList<>();

  /** currency_rates rows; NULL: the conf's fixed rates. */
  private Dataset<Row> rates;

  @Test
  void aClickExactlyTheClickLookbackBeforeIsClickThroughAndOneMillisecondMoreIsNot() {
    click("k-edge", "u-1", T.minus(Duration.ofHours(24)), "cmp-1");
    conversion("c-in", "u-1", null, T);
    click("k-out", "u-2", T.minus(Duration.ofHours(24)).minusMillis(1), "cmp-2");
    conversion("c-out", "u-2", null, T);

    Map<String, Row> rows = attributed();
    assertEquals(List.of("click_through", "k-edge", "cmp-1"), rule(rows.get("c-in")));
    assertEquals(86_400.0, rows.get("c-in").<Double>getAs("seconds_to_convert"));
    assertEquals(List.of("unattributed"), rule(rows.get("c-out")));
  }

  @Test
  void anImpressionExactlyTheViewLookbackBeforeIsViewThroughAndOneMillisecondMoreIsNot() {
    impression("i-edge", "u-1", T.minus(Duration.ofHours(1)), "cmp-1");
    conversion("c-in", "u-1", null, T);
    impression("i-out", "u-2", T.minus(Duration.ofHours(1)).minusMillis(1), "cmp-2");
    conversion("c-out", "u-2", null, T);

    Map<String, Row> rows = attributed();
    assertEquals(List.of("view_through", "i-edge", "cmp-1"), rule(rows.get("c-in")));
    assertEquals(3600.0, rows.get("c-in").<Double>getAs("seconds_to_convert"));
    assertEquals(List.of("unattributed"), rule(rows.get("c-out")));
  }

  @Test
  void aPostbackClickOutsideTheLookbackFallsBackToTheUsersLatestClick() {
    click("k-postback", "u-1", T.minus(Duration.ofHours(25)), "cmp-1");
    click("k-early", "u-1", T.minus(Duration.ofHours(3)), "cmp-2");
    click("k-latest", "u-1", T.minus(Duration.ofHours(2)), "cmp-3");
    conversion("c-1", "u-1", "k-postback", T);

    assertEquals(List.of("click_through", "k-latest", "cmp-3"), rule(attributed().get("c-1")));
  }

  @Test
  void aPostbackClickInsideTheLookbackWinsOverALaterClickOfTheUser() {
    // The postback's click belongs to another device's user: the click id decides, not the user.
    click("k-postback", "u-other", T.minus(Duration.ofHours(5)), "cmp-1");
    click("k-later", "u-1", T.minus(Duration.ofMinutes(5)), "cmp-2");
    conversion("c-1", "u-1", "k-postback", T);

    assertEquals(List.of("click_through", "k-postback", "cmp-1"), rule(attributed().get("c-1")));
  }

  @Test
  void twoClicksInTheSameMillisecondGoToTheSmallerClickId() {
    click("k-b", "u-1", T.minusSeconds(30), "cmp-2");
    click("k-a", "u-1", T.minusSeconds(30), "cmp-1");
    conversion("c-1", "u-1", null, T);

    assertEquals(List.of("click_through", "k-a", "cmp-1"), rule(attributed().get("c-1")));
  }

  @Test
  void aClickAfterTheConversionNeverCountsButOneAtItsMillisecondDoes() {
    click("k-after", "u-1", T.plusMillis(1), "cmp-1");
    impression("i-before", "u-1", T.minus(Duration.ofMinutes(10)), "cmp-2");
    conversion("c-1", "u-1", null, T);
    click("k-same", "u-2", T, "cmp-3");
    conversion("c-2", "u-2", null, T);
    // A postback naming a click after the conversion does not count either.
    click("k-late-postback", "u-3", T.plusSeconds(1), "cmp-4");
    conversion("c-3", "u-3", "k-late-postback", T);

    Map<String, Row> rows = attributed();
    assertEquals(List.of("view_through", "i-before", "cmp-2"), rule(rows.get("c-1")));
    assertEquals(List.of("click_through", "k-same", "cmp-3"), rule(rows.get("c-2")));
    assertEquals(0.0, rows.get("c-2").<Double>getAs("seconds_to_convert"));
    assertEquals(List.of("unattributed"), rule(rows.get("c-3")));
  }

  @Test
  void aClickWithinTheLookbackWinsOverALaterImpression() {
    click("k-1", "u-1", T.minus(Duration.ofHours(20)), "cmp-1");
    impression("i-1", "u-1", T.minusSeconds(60), "cmp-2");
    conversion("c-1", "u-1", null, T);

    assertEquals(List.of("click_through", "k-1", "cmp-1"), rule(attributed().get("c-1")));
  }

  @Test
  void aConversionWithNeitherUserNorClickIdIsKeptUnattributedWithAnEmptyJourneyAndNoCredit() {
    impression("i-1", "u-1", T.minusSeconds(60), "cmp-1");
    conversion("c-1", null, null, T);

    Row row = attributed().get("c-1");
    assertEquals(List.of("unattributed"), rule(row));
    assertNull(row.getAs("touch_time"));
    assertNull(row.getAs("seconds_to_convert"));
    Row journey = journeys().get("c-1");
    assertEquals(0, journey.<Integer>getAs("touch_count"));
    assertEquals(List.of(), journey.getList(journey.fieldIndex("touches")));
    assertNull(journey.getAs("first_touch_time"));
    assertTrue(credits().isEmpty());
  }

  @Test
  void aUserWithSixtyTouchesKeepsTheLatestFiftyInTimeOrder() {
    for (int i = 0; i < 60; i++) {
      // Alternating impressions and clicks, one a minute, the last one 1 minute before.
      Instant at = T.minus(Duration.ofMinutes(60 - i));
      if (i % 2 == 0) {
        impression(String.format("i-%02d", i), "u-1", at, "cmp-" + (i % 3));
      } else {
        click(String.format("k-%02d", i), "u-1", at, "cmp-" + (i % 3));
      }
    }
    conversion("c-1", "u-1", null, T);

    Row journey = journeys().get("c-1");
    assertEquals(50, journey.<Integer>getAs("touch_count"));
    assertEquals(60, journey.<Integer>getAs("touches_in_lookback"));
    List<Row> touches = journey.getList(journey.fieldIndex("touches"));
    assertEquals("i-10", touches.get(0).getAs("touch_id"), "the ten earliest are dropped");
    assertEquals("k-59", touches.get(49).getAs("touch_id"));
    assertEquals("impression", touches.get(0).getAs("touch_type"));
    assertEquals(
        Timestamp.from(T.minus(Duration.ofMinutes(50))), journey.getAs("first_touch_time"));
    assertEquals(3000.0, journey.<Double>getAs("seconds_from_first_touch"));
    for (int i = 1; i < touches.size(); i++) {
      assertTrue(
          touches
              .get(i - 1)
              .<Timestamp>getAs("touch_time")
              .before(touches.get(i).<Timestamp>getAs("touch_time")),
          "time order");
    }
    Map<String, Double> sums = new TreeMap<>();
    for (Row credit : credits()) {
      sums.merge(credit.getAs("model"), credit.<Double>getAs("credit"), Double::sum);
    }
    assertEquals(ConversionAttribution.MODELS.size(), sums.size());
    sums.forEach((model, sum) -> assertEquals(1.0, sum, EPSILON, model + " sums to 1"));
  }

  @Test
  void duplicatePostbacksAreOneConversion() {
    click("k-1", "u-1", T.minusSeconds(600), "cmp-1");
    conversion("c-1", "u-1", "k-1", T);
    conversion("c-1", "u-1", "k-1", T);

    Dataset<Row> rows = attributedRows();
    assertEquals(1, rows.count());
    assertEquals(1, journeysRows().count());
    assertEquals(
        ConversionAttribution.MODELS.size(),
        credits().size(),
        "one credit row per model: one campaign");
  }

  @Test
  void theEarliestCopyOfAResentConversionIsTheConversion() {
    click("k-1", "u-1", T.minus(Duration.ofHours(2)), "cmp-1");
    conversion("c-1", "u-1", null, T.plusSeconds(60));
    conversion("c-1", "u-1", null, T);

    assertEquals(Timestamp.from(T), attributed().get("c-1").getAs("conversion_time"));
  }

  @Test
  void valueUsdUsesTheIngestRatesAndNullForAnUnknownCurrency() {
    conversion("c-usd", "u-1", null, T, 10.0, null);
    conversion("c-eur", "u-1", null, T, 10.0, "EUR");
    conversion("c-xxx", "u-1", null, T, 10.0, "XXX");
    conversion("c-none", "u-1", null, T, null, "EUR");

    Map<String, Row> rows = attributed();
    assertEquals(10.0, rows.get("c-usd").<Double>getAs("value_usd"));
    assertEquals(
        10.0 * config.ingest().usdRates().get("EUR"), rows.get("c-eur").getAs("value_usd"));
    assertNull(rows.get("c-xxx").getAs("value_usd"));
    assertNull(rows.get("c-none").getAs("value_usd"));
  }

  @Test
  void valueUsdConvertsAtTheRateValidAtTheConversionsEventTime() {
    // EUR is 1.08 until noon, 1.10 from noon on (valid_from inclusive, valid_to exclusive).
    rates =
        spark.sql(
            "SELECT 'EUR' AS currency, 1.08D AS usd_per_unit,"
                + " TIMESTAMP'2026-01-01 00:00:00' AS valid_from,"
                + " TIMESTAMP'2026-11-21 12:00:00' AS valid_to"
                + " UNION ALL SELECT 'EUR', 1.10D, TIMESTAMP'2026-11-21 12:00:00', NULL");
    conversion("c-before", "u-1", null, T.minusSeconds(60), 10.0, "EUR");
    conversion("c-at", "u-1", null, T, 10.0, "EUR");
    conversion("c-after", "u-1", null, T.plusSeconds(60), 10.0, "EUR");
    conversion("c-early", "u-1", null, Instant.parse("2025-12-31T23:59:59Z"), 10.0, "EUR");

    Map<String, Row> rows = attributed();
    assertEquals(List.of(10.8, 1.08, "2026-01-01T00:00:00Z"), valued(rows.get("c-before")));
    assertEquals(List.of(11.0, 1.10, "2026-11-21T12:00:00Z"), valued(rows.get("c-at")));
    assertEquals(List.of(11.0, 1.10, "2026-11-21T12:00:00Z"), valued(rows.get("c-after")));
    // Before the first rate there is none: value_usd NULL, not some other rate.
    assertNull(rows.get("c-early").getAs("value_usd"));
    assertNull(rows.get("c-early").getAs("usd_rate"));
    // Re-processing the same events gives the same values.
    Map<String, Row> again = attributed();
    for (String id : List.of("c-before", "c-at", "c-after")) {
      assertEquals(valued(rows.get(id)), valued(again.get(id)), id);
    }
  }

  private static List<Object> valued(Row row) {
    Timestamp from = row.getAs("rate_valid_from");
    return List.of(
        Math.round(row.<Double>getAs("value_usd") * 1e9) / 1e9,
        row.getAs("usd_rate"),
        from.toInstant().toString());
  }

  /**
   * One path, every model by hand: impressions of cmp-A 12 h and 6 h before, a click of cmp-B 2 h
   * before (the last-touch winner), an impression of cmp-C 30 min before.
   */
  @Test
  void eachModelSharesTheConversionAsDocumented() {
    impression("i-1", "u-1", T.minus(Duration.ofHours(12)), "cmp-A");
    impression("i-2", "u-1", T.minus(Duration.ofHours(6)), "cmp-A");
    click("k-3", "u-1", T.minus(Duration.ofHours(2)), "cmp-B");
    impression("i-4", "u-1", T.minus(Duration.ofMinutes(30)), "cmp-C");
    conversion("c-1", "u-1", null, T, 100.0, null);

    Map<String, Map<String, Double>> byModel = new TreeMap<>();
    for (Row credit : credits()) {
      byModel
          .computeIfAbsent(credit.getAs("model"), m -> new TreeMap<>())
          .put(credit.getAs("campaign_id"), credit.getAs("credit"));
      assertEquals(
          credit.<Double>getAs("credit") * 100.0,
          credit.<Double>getAs("credited_value_usd"),
          EPSILON);
    }
    assertEquals(Map.of("cmp-B", 1.0), byModel.get("last_touch"), "the rule's click");
    assertEquals(Map.of("cmp-A", 1.0), byModel.get("first_touch"));
    assertCredits(Map.of("cmp-A", 0.5, "cmp-B", 0.25, "cmp-C", 0.25), byModel.get("linear"));
    // Weights 2^(-12/6), 2^(-6/6), 2^(-2/6), 2^(-0.5/6), normalised.
    double a1 = Math.pow(2, -2.0);
    double a2 = Math.pow(2, -1.0);
    double b = Math.pow(2, -2.0 / 6);
    double c = Math.pow(2, -0.5 / 6);
    double total = a1 + a2 + b + c;
    assertCredits(
        Map.of("cmp-A", (a1 + a2) / total, "cmp-B", b / total, "cmp-C", c / total),
        byModel.get("time_decay"));
    // 40 % first (cmp-A), 40 % last (cmp-C), 20 % over the two in the middle (cmp-A, cmp-B).
    assertCredits(Map.of("cmp-A", 0.5, "cmp-B", 0.1, "cmp-C", 0.4), byModel.get("position_based"));
  }

  @Test
  void positionBasedSplitsTwoTouchesEvenlyAndGivesOneTouchEverything() {
    impression("i-1", "u-1", T.minus(Duration.ofMinutes(50)), "cmp-A");
    click("k-2", "u-1", T.minus(Duration.ofMinutes(10)), "cmp-B");
    conversion("c-two", "u-1", null, T);
    click("k-3", "u-2", T.minus(Duration.ofMinutes(10)), "cmp-C");
    conversion("c-one", "u-2", null, T);

    Map<String, Double> two = new TreeMap<>();
    Map<String, Double> one = new TreeMap<>();
    for (Row credit : credits()) {
      if (credit.getAs("model").equals("position_based")) {
        (credit.getAs("conversion_id").equals("c-two") ? two : one)
            .put(credit.getAs("campaign_id"), credit.getAs("credit"));
      }
    }
    assertCredits(Map.of("cmp-A", 0.5, "cmp-B", 0.5), two);
    assertCredits(Map.of("cmp-C", 1.0), one);
  }

  @Test
  void theWinnerOutsideTheJourneyJoinsThePathForCredit() {
    // The postback's click has no user: it is not in the journey of u-1, yet it is the last touch.
    click("k-postback", null, T.minus(Duration.ofHours(3)), "cmp-P");
    impression("i-1", "u-1", T.minus(Duration.ofHours(2)), "cmp-A");
    conversion("c-1", "u-1", "k-postback", T);

    assertEquals(1, journeys().get("c-1").<Integer>getAs("touch_count"));
    Map<String, Map<String, Double>> byModel = new TreeMap<>();
    for (Row credit : credits()) {
      byModel
          .computeIfAbsent(credit.getAs("model"), m -> new TreeMap<>())
          .put(credit.getAs("campaign_id"), credit.getAs("credit"));
    }
    assertEquals(Map.of("cmp-P", 1.0), byModel.get("last_touch"));
    assertEquals(Map.of("cmp-P", 1.0), byModel.get("first_touch"));
    assertCredits(Map.of("cmp-A", 0.5, "cmp-P", 0.5), byModel.get("linear"));
  }

  @Test
  void anUnattributedConversionWithOldTouchesInItsJourneyGetsNoCredit() {
    impression("i-1", "u-1", T.minus(Duration.ofHours(5)), "cmp-A");
    conversion("c-1", "u-1", null, T);

    assertEquals(List.of("unattributed"), rule(attributed().get("c-1")));
    assertEquals(1, journeys().get("c-1").<Integer>getAs("touch_count"));
    assertTrue(credits().isEmpty());
  }

  // ---- fixtures ----

  private static void assertCredits(Map<String, Double> expected, Map<String, Double> actual) {
    assertEquals(expected.keySet(), actual.keySet());
    expected.forEach((k, v) -> assertEquals(v, actual.get(k), EPSILON, k));
  }

  /** attribution, then touch_id and campaign_id when attributed. */
  private static List<String> rule(Row row) {
    String attribution = row.getAs("attribution");
    if (attribution.equals("unattributed")) {
      assertNull(row.getAs("touch_id"));
      assertNull(row.getAs("campaign_id"));
      return List.of(attribution);
    }
    return List.of(attribution, row.getAs("touch_id"), row.getAs("campaign_id"));
  }

  private Dataset<Row> canonical() {
    return ConversionAttribution.canonical(frame(AdlakeTables.conversions(), conversions));
  }

  private Dataset<Row> touches() {
    return ConversionAttribution.touches(
        frame(AdlakeTables.clicks(), clicks), frame(AdlakeTables.impressions(), impressions));
  }

  private Dataset<Row> attributedRows() {
    return ConversionAttribution.attribute(
        canonical(),
        touches(),
        settings,
        rates == null ? ReferenceData.constantRates(spark, config.ingest().usdRates()) : rates,
        AdlakeTables.attributedConversions(ANY));
  }

  private Map<String, Row> attributed() {
    return byId(attributedRows());
  }

  private Dataset<Row> journeysRows() {
    return ConversionAttribution.journeys(
        canonical(), touches(), settings, AdlakeTables.conversionJourneys(ANY));
  }

  private Map<String, Row> journeys() {
    return byId(journeysRows());
  }

  private List<Row> credits() {
    return ConversionAttribution.credits(
            attributedRows(), journeysRows(), settings, AdlakeTables.attributionCredits(ANY))
        .collectAsList();
  }

  private static Map<String, Row> byId(Dataset<Row> rows) {
    Map<String, Row> byId = new HashMap<>();
    for (Row row : rows.collectAsList()) {
      byId.put(row.getAs("conversion_id"), row);
    }
    return byId;
  }

  private void conversion(String id, String user, String clickId, Instant at) {
    conversion(id, user, clickId, at, 25.0, "USD");
  }

  private void conversion(
      String id, String user, String clickId, Instant at, Double value, String currency) {
    conversions.add(
        row(
            AdlakeTables.conversions(),
            Map.of(
                "conversion_id",
                id,
                "conversion_type",
                "purchase",
                "event_timestamp",
                Timestamp.from(at)),
            nullable("user_id", user, "click_id", clickId, "value", value, "currency", currency)));
  }

  private void click(String id, String user, Instant at, String campaign) {
    clicks.add(
        row(
            AdlakeTables.clicks(),
            Map.of(
                "click_id",
                id,
                "impression_id",
                "imp-of-" + id,
                "ad_id",
                "ad-" + campaign,
                "campaign_id",
                campaign,
                "publisher_id",
                "pub-1",
                "event_timestamp",
                Timestamp.from(at)),
            nullable("user_id", user)));
  }

  private void impression(String id, String user, Instant at, String campaign) {
    impressions.add(
        row(
            AdlakeTables.impressions(),
            Map.of(
                "impression_id",
                id,
                "ad_id",
                "ad-" + campaign,
                "campaign_id",
                campaign,
                "publisher_id",
                "pub-1",
                "event_timestamp",
                Timestamp.from(at)),
            nullable("user_id", user)));
  }

  /** Name, value, name, value...: a map that may hold nulls, unlike Map.of. */
  private static Map<String, Object> nullable(Object... namesAndValues) {
    Map<String, Object> map = new HashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      map.put((String) namesAndValues[i], namesAndValues[i + 1]);
    }
    return map;
  }

  /** A row of {@code spec}: {@code values}, then {@code nullable} (Map.of takes no nulls). */
  private static Row row(TableSpec spec, Map<String, Object> values, Map<String, Object> nullable) {
    Object[] fields = new Object[spec.columns().size()];
    for (int i = 0; i < fields.length; i++) {
      String name = spec.columns().get(i).name();
      fields[i] = values.containsKey(name) ? values.get(name) : nullable.get(name);
    }
    return RowFactory.create(fields);
  }

  private Dataset<Row> frame(TableSpec spec, List<Row> rows) {
    return spark.createDataFrame(rows, spec.sparkSchema());
  }
}
