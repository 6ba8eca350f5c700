package io.adlake.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One pipeline run through the shaded jar, in its own directory and topics: {@code generate} with the ground truth,
 * {@code run} (ingest, attribution, aggregate) to completion, then {@code report --sql} and its checks: the attributed
 * clicks equal the generator's ground truth, two metrics tables equal their aggregation recomputed in batch SQL over
 * bronze, and every record read is accounted for. The full run adds the conversions job (attributed_conversions equal the
 * truth) and the dimension tables the generator writes ({@code generate --dims}, one {@code dims load} of all three):
 * every attributed click then carries its campaign's name and advertiser.
 */
final class GroundTruthRun {
  /** Events generated; a slow event clock spreads them over hours, so the metrics have many windows. */
  private static final int EVENTS = 6_000;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final List<String> conf;
  private final Path truthFile;
  private final boolean conversions;

  /**
   * @param conversions whether this is the full run: dimensions loaded, and the conversions job in {@code run}
   */
  GroundTruthRun(Path dir, String name, String bootstrapServers, boolean conversions) throws IOException {
    this.dir = Files.createDirectories(dir);
    this.conversions = conversions;
    List<String> settings =
        new ArrayList<>(List.of(
            "adlake.catalog.warehouse=" + dir.resolve("warehouse"),
            "adlake.streaming.checkpoint-root=" + dir.resolve("checkpoints"),
            "adlake.source.kafka.bootstrap-servers=" + bootstrapServers,
            "adlake.streams.bid-requests=" + name + ".bid-requests",
            "adlake.streams.bid-responses=" + name + ".bid-responses",
            "adlake.streams.impressions=" + name + ".impressions",
            "adlake.streams.clicks=" + name + ".clicks",
            "adlake.streams.conversions=" + name + ".conversions",
            "adlake.generator.event-rate=1",
            "adlake.generator.click-rate=0.2",
            // Converting users, so that every rule of the conversion attribution has rows here.
            "adlake.generator.conversions.click-rate=0.5",
            "adlake.generator.conversions.view-rate=0.05",
            "adlake.generator.conversions.organic-rate=0.01",
            "adlake.source.kafka.max-offsets-per-trigger=1000"));
    if (conversions) {
      // IP geography from the build's GeoLite2-City file, shipped to the executors by the job.
      settings.add("adlake.enrichment.geoip.path=" + ItEnvironment.property("adlake.it.geolite2"));
    }
    this.conf = List.copyOf(settings);
    this.truthFile = dir.resolve("truth.jsonl");
  }

  void generate(SparkSubmitRunner spark) throws Exception {
    List<String> generate =
        new ArrayList<>(
            List.of(
                "generate",
                "--count",
                Integer.toString(EVENTS),
                "--seed",
                "11",
                "--start",
                "2026-11-21T06:00:00Z",
                "--truth",
                truthFile.toString()));
    Path dims = dir.resolve("dims");
    if (conversions) {
      generate.addAll(List.of("--dims", dims.toString()));
    }
    spark.submit(dir, conf, generate.toArray(String[]::new));
    if (conversions) {
      String loaded =
          spark.submit(
              dir,
              conf,
              "dims",
              "load",
              "campaigns",
              dims.resolve("campaigns.csv").toString(),
              "advertisers",
              dims.resolve("advertisers.csv").toString(),
              "currency_rates",
              dims.resolve("currency_rates.csv").toString());
      assertTrue(loaded.contains("campaigns:"), "dims load printed what it loaded:\n" + loaded);
    }
  }

  void run(SparkSubmitRunner spark) throws Exception {
    String jobs = conversions ? "ingest,attribution,conversions,aggregate" : "ingest,attribution,aggregate";
    spark.submit(dir, conf, "run", "--jobs", jobs, "--trigger", "available-now");
  }

  /** One {@code report --sql}, so one Spark start, and every check on its output. */
  void assertTablesEqualTheGroundTruth(SparkSubmitRunner spark) throws Exception {
    String report =
        spark.submit(
            dir,
            conf,
            "report",
            "--format",
            "json",
            "--limit",
            "1000000",
            "--sql",
            // attributed_conversions exists only when the conversions job ran.
            conversions ? CHECKS + " UNION ALL " + CONVERSION_CHECK : CHECKS);
    Map<String, List<String>> checks = new TreeMap<>();
    for (String line : report.split("\n")) {
      if (line.startsWith("{")) {
        JsonNode row = JSON.readTree(line);
        checks.computeIfAbsent(row.get("check").asText(), k -> new ArrayList<>()).add(row.get("value").asText());
      }
    }
    Set<String> expected = new TreeSet<>();
    Set<String> expectedConversions = new TreeSet<>();
    for (String line : Files.readAllLines(truthFile)) {
      JsonNode e = JSON.readTree(line);
      if ("conversion".equals(e.path("kind").asText())) {
        expectedConversions.add(
            String.join(
                "|",
                e.get("conversion_id").asText(),
                e.get("attribution").asText(),
                text(e, "touch_id"),
                text(e, "campaign_id"),
                text(e, "ad_id"),
                text(e, "publisher_id")));
        continue;
      }
      expected.add(
          String.join(
              "|",
              e.get("ad_id").asText(),
              e.get("impression_id").asText(),
              e.get("campaign_id").asText(),
              Long.toString(Instant.parse(e.get("impression_time").asText()).toEpochMilli()),
              Long.toString(Instant.parse(e.get("click_time").asText()).toEpochMilli())));
    }
    assertTrue(expected.size() > 50, "enough clicks inside the window: " + expected.size());
    List<String> attributed = checks.getOrDefault("attributed", List.of());
    assertEquals(attributed.size(), new TreeSet<>(attributed).size(), "one row per key");
    assertEquals(expected, new TreeSet<>(attributed), "enriched_ad_data against the ground truth");
    if (conversions) {
      assertTrue(expectedConversions.size() > 20, "conversions: " + expectedConversions.size());
      List<String> rows = checks.getOrDefault("conversion", List.of());
      assertEquals(rows.size(), new TreeSet<>(rows).size(), "one row per conversion");
      assertEquals(expectedConversions, new TreeSet<>(rows), "attributed_conversions against the ground truth");
      assertEquals("0", only(checks, "clicks without campaign name"), "every campaign is in the loaded dimension");
      assertTrue(
          Long.parseLong(only(checks, "requests located")) > 100,
          "bid requests with a location from the City database: " + only(checks, "requests located"));
    }

    for (String table : List.of("geo", "bidder")) {
      assertTrue(Long.parseLong(only(checks, table + " rows")) > 20, table + ": several windows and groups");
      assertEquals("0", only(checks, table + " only streamed"), table + ": rows only in the table");
      assertEquals("0", only(checks, table + " only recomputed"), table + ": rows only in batch SQL");
    }
    assertEquals("5", only(checks, "streams accounted"), "ingest_metrics has the five streams");
    assertEquals("0", only(checks, "records unaccounted"), "read = bronze + quarantine + duplicates");
    assertFalse(only(checks, "bronze impressions").equals("0"), "impressions reached bronze");
  }

  /**
   * The checks as one query: the attributed rows, and for two metrics tables the row count and the rows only in the
   * table or only in the same aggregation recomputed here in batch SQL over bronze (prices rounded to 6 decimals: sums
   * in another order differ in the last bits).
   */
  private static final String GEO =
      "SELECT window.start AS window_start, coalesce(geo_location, 'UNKNOWN') AS device_geo_country,"
          + " count(*) AS impression_count, round(sum(win_price) / 1000, 6) AS total_revenue,"
          + " round(avg(win_price), 6) AS avg_win_price FROM impressions"
          + " GROUP BY window(event_timestamp, '1 hour'), coalesce(geo_location, 'UNKNOWN')";

  private static final String GEO_TABLE =
      "SELECT window_start, device_geo_country, impression_count, round(total_revenue, 6),"
          + " round(avg_win_price, 6) FROM hourly_impressions_by_geo";

  private static final String BIDDER =
      "SELECT window.start AS window_start, window.end AS window_end,"
          + " coalesce(bidder_id, 'UNKNOWN') AS bidder_id, count(*) AS win_count,"
          + " round(sum(win_price) / 1000, 6) AS revenue, round(avg(win_price), 6) AS avg_cpm FROM impressions"
          + " GROUP BY window(event_timestamp, '5 minutes', '1 minute'), coalesce(bidder_id, 'UNKNOWN')";

  private static final String BIDDER_TABLE =
      "SELECT window_start, window_end, bidder_id, win_count, round(revenue, 6), round(avg_cpm, 6)"
          + " FROM rolling_metrics_by_bidder";

  private static final String CONVERSION_CHECK =
      "SELECT 'conversion', concat_ws('|', conversion_id, attribution, coalesce(touch_id, ''),"
          + " coalesce(campaign_id, ''), coalesce(ad_id, ''), coalesce(publisher_id, ''))"
          + " FROM attributed_conversions";

  private static final String CHECKS =
      String.join(
          " UNION ALL ",
          "SELECT 'attributed' AS check, concat_ws('|', ad_id, impression_id, campaign_id,"
              + " CAST(unix_millis(impression_time) AS STRING), CAST(unix_millis(click_time) AS STRING))"
              + " AS value FROM enriched_ad_data",
          "SELECT 'requests located', CAST(count(*) AS STRING) FROM bid_requests_enriched"
              + " WHERE geo_latitude IS NOT NULL AND geo_timezone IS NOT NULL",
          "SELECT 'clicks without campaign name', CAST(count(*) AS STRING) FROM enriched_ad_data"
              + " WHERE campaign_name IS NULL OR advertiser_id IS NULL",
          count("geo rows", "hourly_impressions_by_geo"),
          count("geo only streamed", "(" + GEO_TABLE + " EXCEPT ALL " + GEO + ")"),
          count("geo only recomputed", "(" + GEO + " EXCEPT ALL " + GEO_TABLE + ")"),
          count("bidder rows", "rolling_metrics_by_bidder"),
          count("bidder only streamed", "(" + BIDDER_TABLE + " EXCEPT ALL " + BIDDER + ")"),
          count("bidder only recomputed", "(" + BIDDER + " EXCEPT ALL " + BIDDER_TABLE + ")"),
          "SELECT 'streams accounted', CAST(count(DISTINCT stream) AS STRING) FROM ingest_metrics",
          "SELECT 'records unaccounted', CAST(coalesce(sum(records_read - bronze_records - quarantined"
              + " - duplicates_dropped), 0) AS STRING) FROM ingest_metrics",
          count("bronze impressions", "impressions"));

  /** A truth field's text, empty for a JSON null (as the check query's coalesce gives). */
  private static String text(JsonNode row, String field) {
    JsonNode value = row.get(field);
    return value == null || value.isNull() ? "" : value.asText();
  }

  private static String count(String check, String relation) {
    return "SELECT '" + check + "', CAST(count(*) AS STRING) FROM " + relation + " AS r";
  }

  private static String only(Map<String, List<String>> checks, String check) {
    List<String> values = checks.getOrDefault(check, List.of());
    assertEquals(1, values.size(), "one value for '" + check + "': " + values);
    return values.get(0);
  }
}
