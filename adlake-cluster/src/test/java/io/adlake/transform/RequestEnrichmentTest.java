package io.adlake.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.adlake.TestServices;
import io.adlake.lake.AdlakeTables;
import io.adlake.lake.TableSpec;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** USD floors, device categories and the traffic filter, on batch DataFrames of bronze requests. */
class RequestEnrichmentTest {
  private static final Map<String, Double> RATES = Map.of("USD", 1.0, "EUR", 1.08, "JPY", 0.0067);
  private static SparkSession spark;

  @BeforeAll
  static void spark() {
    spark = TestServices.spark();
  }

  @Test
  void floorIsConvertedWithTheRateKeptOnTheRow() {
    Row row = enrich(request("pub-1", "203.0.113.1", 4, "app-1", 150.0, "JPY"));
    assertEquals(0.0067, (double) row.getAs("usd_rate"));
    assertEquals(150.0 * 0.0067, (double) row.getAs("floor_usd"), 1e-12);
    assertNull(row.getAs(RequestEnrichment.FILTER_REASON));
  }

  @Test
  void deviceCategoryFromDeviceTypeAndAppOrSite() {
    assertEquals("CTV", category(3, null));
    assertEquals("CTV", category(7, "app-1"));
    assertEquals("Mobile App", category(4, "app-1"));
    assertEquals("Mobile App", category(5, "app-1"));
    assertEquals("Mobile Web", category(1, null));
    assertEquals("Mobile Web", category(4, null));
    assertEquals("Desktop", category(2, null));
    assertEquals("Unknown", category(6, null));
    assertEquals("Unknown", category(null, null));
  }

  @Test
  void eachFilterReasonInPrecedence() {
    assertEquals(
        RequestEnrichment.TEST_PUBLISHER,
        reason(request("test-pub-001", "10.1.2.3", 2, null, 0.0, "USD")));
    assertEquals(
        RequestEnrichment.PRIVATE_IP, reason(request("pub-1", "10.1.2.3", 2, null, 1.0, "USD")));
    assertEquals(
        RequestEnrichment.PRIVATE_IP, reason(request("pub-1", "172.16.0.9", 2, null, 1.0, "USD")));
    assertEquals(
        RequestEnrichment.PRIVATE_IP,
        reason(request("pub-1", "172.31.255.1", 2, null, 1.0, "USD")));
    assertEquals(
        RequestEnrichment.PRIVATE_IP, reason(request("pub-1", "192.168.0.1", 2, null, 1.0, "USD")));
    assertNull(reason(request("pub-1", "172.32.0.1", 2, null, 1.0, "USD")), "172.32/16 is public");
    assertNull(reason(request("pub-1", "110.1.2.3", 2, null, 1.0, "USD")), "110/8 is public");
    assertEquals(
        RequestEnrichment.UNKNOWN_CURRENCY,
        reason(request("pub-1", "203.0.113.1", 2, null, 1.0, "CHF")));
    assertEquals(
        RequestEnrichment.NON_POSITIVE_FLOOR,
        reason(request("pub-1", "203.0.113.1", 2, null, 0.0, "USD")));
    assertEquals(
        RequestEnrichment.NON_POSITIVE_FLOOR,
        reason(request("pub-1", "203.0.113.1", 2, null, -1.0, "EUR")));
    assertEquals(
        RequestEnrichment.NON_POSITIVE_FLOOR,
        reason(request("pub-1", "203.0.113.1", 2, null, null, "USD")));
  }

  @Test
  void keptRowsHaveExactlyTheEnrichedTableColumns() {
    TableSpec spec = AdlakeTables.bidRequestsEnriched();
    Dataset<Row> kept =
        RequestEnrichment.kept(
            RequestEnrichment.enrich(
                frame(
                    request("pub-1", "203.0.113.1", 2, null, 1.0, "USD"),
                    request("test-x", "203.0.113.1", 2, null, 1.0, "USD")),
                RATES),
            spec);
    assertEquals(spec.columnNames(), List.of(kept.columns()));
    assertEquals(1, kept.count());
  }

  private static String category(Integer deviceType, String appId) {
    return enrich(request("pub-1", "203.0.113.1", deviceType, appId, 1.0, "USD"))
        .getAs("device_category");
  }

  private static String reason(Row request) {
    return enrich(request).getAs(RequestEnrichment.FILTER_REASON);
  }

  private static Row enrich(Row request) {
    return RequestEnrichment.enrich(frame(request), RATES).first();
  }

  private static Dataset<Row> frame(Row... rows) {
    StructType schema = AdlakeTables.bidRequests().sparkSchema();
    return spark.createDataFrame(new ArrayList<>(List.of(rows)), schema);
  }

  /** A bronze bid_requests row: only the columns the enrichment reads are set. */
  private static Row request(
      String publisher,
      String ip,
      Integer deviceType,
      String appId,
      Double floor,
      String currency) {
    TableSpec spec = AdlakeTables.bidRequests();
    Object[] values = new Object[spec.columns().size()];
    Map<String, Object> set = new HashMap<>();
    set.put("request_id", "r-1");
    set.put("publisher_id", publisher);
    set.put("device_ip", ip);
    set.put("device_type", deviceType);
    set.put("app_id", appId);
    set.put("imp_bidfloor", floor);
    set.put("currency", currency);
    set.put("event_timestamp", Timestamp.valueOf("2026-11-21 09:00:00"));
    for (int i = 0; i < values.length; i++) {
      values[i] = set.get(spec.columns().get(i).name());
    }
    return RowFactory.create(values);
  }
}
