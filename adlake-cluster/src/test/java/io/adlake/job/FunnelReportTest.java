package io.adlake.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.adlake.TestServices;
import io.adlake.config.AdlakeConfig;
import io.adlake.lake.AdlakeTables;
import io.adlake.lake.TableSetup;
import io.adlake.lake.TableSpec;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The six funnel queries on a small fixed event set whose answers are worked out by hand: 5
 * requests (USA r1 with two imps, USA r2, FRA r3, FRA r4, DEU r5); responses b1 (r1, bidder A, two
 * bids), b2 (r2, B), b3 (r3, A), b4 (r5, B); impressions i1 (b1, A, cr1, p1, bid 10 win 8), i2 (b3,
 * A, cr1, p2, bid 6 win 3), i3 (b2, B, cr2, p1, bid 4 win 3); clicks c1 and c2 on i1 (0.5, 0.3), c3
 * on i3 (1.0).
 */
class FunnelReportTest {
  private static SparkSession spark;
  private static AdlakeConfig config;

  @BeforeAll
  static void fixedEvents() throws Exception {
    spark = TestServices.spark();
    config = TestServices.config("funnel");
    write(
        AdlakeTables.bidRequests(),
        List.of(
            Map.of("request_id", "r1", "imp_id", "1", "device_geo_country", "USA"),
            Map.of("request_id", "r1", "imp_id", "2", "device_geo_country", "USA"),
            Map.of("request_id", "r2", "imp_id", "1", "device_geo_country", "USA"),
            Map.of("request_id", "r3", "imp_id", "1", "device_geo_country", "FRA"),
            Map.of("request_id", "r4", "imp_id", "1", "device_geo_country", "FRA"),
            Map.of("request_id", "r5", "imp_id", "1", "device_geo_country", "DEU")));
    write(
        AdlakeTables.bidResponses(),
        List.of(
            Map.of("response_id", "b1", "request_id", "r1", "bidder_id", "A", "bid_id", "x1"),
            Map.of("response_id", "b1", "request_id", "r1", "bidder_id", "A", "bid_id", "x2"),
            Map.of("response_id", "b2", "request_id", "r2", "bidder_id", "B", "bid_id", "y1"),
            Map.of("response_id", "b3", "request_id", "r3", "bidder_id", "A", "bid_id", "x3"),
            Map.of("response_id", "b4", "request_id", "r5", "bidder_id", "B", "bid_id", "y2")));
    write(
        AdlakeTables.impressions(),
        List.of(
            impression("i1", "b1", "A", "cr1", "p1", 10.0, 8.0),
            impression("i2", "b3", "A", "cr1", "p2", 6.0, 3.0),
            impression("i3", "b2", "B", "cr2", "p1", 4.0, 3.0)));
    write(
        AdlakeTables.clicks(),
        List.of(
            click("c1", "i1", "p1", 0.5),
            click("c2", "i1", "p1", 0.3),
            click("c3", "i3", "p1", 1.0)));
  }

  @Test
  void fillRateByCountry() {
    assertEquals(
        List.of(
            Arrays.asList("FRA", 2L, 1L, 0.5),
            Arrays.asList("USA", 2L, 2L, 1.0),
            Arrays.asList("DEU", 1L, 1L, 1.0)),
        run(0));
  }

  @Test
  void winRateByBidder() {
    assertEquals(List.of(Arrays.asList("A", 2L, 2L, 1.0), Arrays.asList("B", 2L, 1L, 0.5)), run(1));
  }

  @Test
  void ctrByCreativeCountsClickedImpressionsNotClicks() {
    assertEquals(
        List.of(Arrays.asList("cr1", 2L, 1L, 0.5), Arrays.asList("cr2", 1L, 1L, 1.0)), run(2));
  }

  @Test
  void revenueByPublisher() {
    assertEquals(
        List.of(
            Arrays.asList("p1", 2L, 3L, 0.011, 1.8, 1.811),
            Arrays.asList("p2", 1L, 0L, 0.003, 0.0, 0.003)),
        run(3));
  }

  @Test
  void fullFunnelInOneQuery() {
    assertEquals(List.of(Arrays.asList(5L, 4L, 3L, 3L, 0.8, 0.75, 1.0, 0.6)), run(4));
  }

  @Test
  void bidToWinSpreadByBidder() {
    assertEquals(
        List.of(Arrays.asList("A", 2L, 2.5, 0.35), Arrays.asList("B", 1L, 1.0, 0.25)), run(5));
  }

  private static List<List<Object>> run(int query) {
    List<List<Object>> rows = new ArrayList<>();
    for (Row row :
        FunnelReport.query(spark, config, FunnelReport.QUERIES.get(query).getValue())
            .collectAsList()) {
      List<Object> values = new ArrayList<>();
      for (int i = 0; i < row.length(); i++) {
        Object v = row.get(i);
        values.add(v instanceof BigDecimal d ? d.doubleValue() : v);
      }
      rows.add(values);
    }
    return rows;
  }

  private static Map<String, Object> impression(
      String id,
      String response,
      String bidder,
      String creative,
      String publisher,
      double bid,
      double win) {
    Map<String, Object> m =
        new HashMap<>(
            Map.of(
                "impression_id",
                id,
                "response_id",
                response,
                "bidder_id",
                bidder,
                "creative_id",
                creative,
                "publisher_id",
                publisher,
                "bid_price",
                bid,
                "win_price",
                win));
    m.put("ad_id", "ad-1");
    m.put("campaign_id", "cmp-0001");
    return m;
  }

  private static Map<String, Object> click(
      String id, String impression, String publisher, double price) {
    return Map.of(
        "click_id",
        id,
        "impression_id",
        impression,
        "publisher_id",
        publisher,
        "click_price",
        price,
        "ad_id",
        "ad-1",
        "campaign_id",
        "cmp-0001");
  }

  /** Rows of a bronze table: the given columns set, event_timestamp fixed, the rest NULL. */
  private static void write(TableSpec spec, List<Map<String, Object>> rows) throws Exception {
    String table = TableSetup.ensure(spark, config.catalog(), spec);
    List<Row> out = new ArrayList<>();
    for (Map<String, Object> values : rows) {
      Object[] row = new Object[spec.columns().size()];
      for (int i = 0; i < row.length; i++) {
        String name = spec.columns().get(i).name();
        row[i] =
            name.equals("event_timestamp")
                ? Timestamp.valueOf("2026-11-21 09:00:00")
                : values.get(name);
      }
      out.add(RowFactory.create(row));
    }
    spark.createDataFrame(out, spec.sparkSchema()).writeTo(table).append();
  }
}
