package io.adlake.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.adlake.TestServices;
import io.adlake.config.AdlakeConfig;
import io.adlake.config.ConfigurationException;
import io.adlake.event.EventType;
import io.adlake.lake.AdlakeTables;
import io.adlake.source.EventSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bid requests from files → the ingest with the GeoLite2-City file of the build → the geo_* columns
 * of bid_requests_enriched and the count of rows without geography in ingest_metrics. Expected
 * places are mmdblookup's, as in CityDatabaseTest.
 */
class IngestGeographyTest {
  private static SparkSession spark;

  @BeforeAll
  static void services() {
    spark = TestServices.spark();
  }

  @Test
  void enrichedRequestsGainTheCityOfTheirIpAndUnknownAddressesAreCounted() throws Exception {
    AdlakeConfig config =
        TestServices.config(
            "geo_on",
            "adlake.source.type=files",
            "adlake.enrichment.geoip.path=" + TestServices.geoLite2City());
    writeRequests(config);

    runIngest(config);

    assertEquals(
        List.of(
            // mmdblookup: Lyon, FR ARA, 69000, Europe/Paris, 45.748000, 4.850000
            List.of("r-lyon", "USA", "Lyon", "FR-ARA", "69000", "Europe/Paris", 45.748, 4.85),
            // mmdblookup: Detroit, US MI, 48215, America/Detroit, 42.377300, -82.951300
            List.of(
                "r-detroit",
                "USA",
                "Detroit",
                "US-MI",
                "48215",
                "America/Detroit",
                42.3773,
                -82.9513),
            // mmdblookup: country US only, America/Chicago, 37.751000, -97.822000
            Arrays.asList(
                "r-country-only", "USA", null, null, null, "America/Chicago", 37.751, -97.822),
            Arrays.asList("r-reserved", "USA", null, null, null, null, null, null),
            Arrays.asList("r-malformed", "USA", null, null, null, null, null, null)),
        geoColumns(config));
    Row metrics = requestMetrics(config);
    assertEquals(5L, metrics.getLong(0), "enriched_rows");
    assertEquals(2L, metrics.getLong(1), "geo_unresolved: the reserved and the malformed address");
    assertEquals(Map.of("private_ip", 1L), metrics.getJavaMap(2), "filtered_by_reason");
  }

  @Test
  void withoutADatabaseTheGeoColumnsAreNullAndNothingIsCounted() throws Exception {
    AdlakeConfig config = TestServices.config("geo_off", "adlake.source.type=files");
    writeRequests(config);

    runIngest(config);

    List<List<Object>> rows = geoColumns(config);
    assertEquals(5, rows.size());
    for (List<Object> row : rows) {
      assertEquals(
          Arrays.asList(null, null, null, null, null, null), row.subList(2, 8), row.toString());
    }
    Row metrics = requestMetrics(config);
    assertEquals(5L, metrics.getLong(0), "enriched_rows");
    assertTrue(metrics.isNullAt(1), "geo_unresolved is NULL when geography is off");
  }

  @Test
  void aMissingDatabaseStopsTheStartNamingTheSetting() throws Exception {
    Path missing = TestServices.root().resolve("no-such-GeoLite2-City.mmdb");
    AdlakeConfig config =
        TestServices.config(
            "geo_missing", "adlake.source.type=files", "adlake.enrichment.geoip.path=" + missing);
    writeRequests(config);
    int active = spark.streams().active().length;

    ConfigurationException e = assertThrows(ConfigurationException.class, () -> runIngest(config));

    assertTrue(
        e.getMessage()
            .startsWith(
                "adlake.enrichment.geoip.path = '"
                    + missing
                    + "' cannot be used: it could not be read (java.io.FileNotFoundException"),
        e.getMessage());
    assertTrue(
        e.getMessage().endsWith("or to \"\" to leave the geo_* columns NULL."), e.getMessage());
    assertEquals(active, spark.streams().active().length, "no query was started");
  }

  private static void writeRequests(AdlakeConfig config) throws Exception {
    Path root = Path.of(config.source().files().path());
    for (EventType type : EventType.values()) {
      Files.createDirectories(root.resolve(type.streamName(config.streams())));
    }
    List<String> lines = new ArrayList<>();
    lines.add(request("r-lyon", "78.194.206.16"));
    lines.add(request("r-detroit", "2600:1700::1"));
    lines.add(request("r-country-only", "2001:4860:4860::8888"));
    lines.add(request("r-reserved", "192.0.2.1"));
    lines.add(request("r-malformed", "not-an-ip"));
    lines.add(request("r-private", "10.1.2.3"));
    Files.write(root.resolve(config.streams().bidRequests()).resolve("part-1.jsonl"), lines);
  }

  /** A bid request whose own device.geo says USA, wherever its address is. */
  private static String request(String id, String ip) {
    return "{\"id\":\""
        + id
        + "\",\"imp\":[{\"id\":\"1\",\"banner\":{\"w\":300,\"h\":250},\"bidfloor\":1.0}],"
        + "\"site\":{\"id\":\"site-1\",\"publisher\":{\"id\":\"pub-0001\"}},"
        + "\"device\":{\"ip\":\""
        + ip
        + "\",\"geo\":{\"country\":\"USA\"},\"devicetype\":2},"
        + "\"event_timestamp\":\"2026-11-21T09:00:00.000Z\"}";
  }

  private static void runIngest(AdlakeConfig config) throws Exception {
    for (StreamingQuery query :
        IngestJob.start(
            spark, config, EventSource.from(config), Trigger.AvailableNow(), System.out)) {
      query.awaitTermination();
    }
  }

  private static List<List<Object>> geoColumns(AdlakeConfig config) {
    return spark
        .sql(
            "SELECT request_id, device_geo_country, geo_city, geo_region, geo_postal, geo_timezone,"
                + " geo_latitude, geo_longitude FROM "
                + config.catalog().qualified(AdlakeTables.BID_REQUESTS_ENRICHED)
                + " ORDER BY geo_latitude DESC NULLS LAST, request_id DESC")
        .collectAsList()
        .stream()
        .map(
            row -> {
              List<Object> values = new ArrayList<>();
              for (int i = 0; i < row.length(); i++) {
                values.add(row.get(i));
              }
              return values;
            })
        .collect(Collectors.toList());
  }

  private static Row requestMetrics(AdlakeConfig config) {
    return spark
        .sql(
            "SELECT sum(enriched_rows), sum(geo_unresolved), first(filtered_by_reason) FROM "
                + config.catalog().qualified(AdlakeTables.INGEST_METRICS)
                + " WHERE stream = '"
                + config.streams().bidRequests()
                + "' AND records_read > 0")
        .first();
  }
}
