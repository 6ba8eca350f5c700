package io.adlake.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.adlake.TestServices;
import io.adlake.config.AdlakeConfig;
import io.adlake.lake.AdlakeTables;
import io.adlake.lake.CommitLedger;
import io.adlake.lake.Dimension;
import io.adlake.lake.DimensionLoad;
import io.adlake.lake.ExactlyOnceMerge;
import io.adlake.lake.ExactlyOnceMerge.BatchCommit;
import io.adlake.lake.MergeMode;
import io.adlake.lake.TableSetup;
import io.adlake.lake.TableSpec;
import io.adlake.transform.RequestEnrichment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Dimensions joined as they are at each micro-batch, against real Iceberg tables: the attribution
 * sink (the foreachBatch function of the streaming query, called batch by batch as Spark calls it)
 * and the floor conversion on event time.
 */
class DimensionJoinTest {
  private static final Instant T0 = Instant.parse("2026-11-21T09:00:00Z");
  private SparkSession spark;
  private AdlakeConfig config;
  private DimensionLoad dims;
  private Path dir;

  @BeforeEach
  void tables() throws IOException {
    spark = TestServices.spark();
    config = TestServices.config("dimjoin");
    dims = new DimensionLoad(spark, config.catalog());
    dims.ensureTables(Map.of("USD", 1.0, "EUR", 1.08));
    dir =
        Files.createDirectories(
            TestServices.root().resolve("dimjoin").resolve(config.catalog().namespace()));
    spark.sparkContext().setLocalProperty(CommitLedger.QUERY_ID_KEY, UUID.randomUUID().toString());
  }

  @AfterEach
  void clear() {
    spark.sparkContext().setLocalProperty(CommitLedger.QUERY_ID_KEY, null);
  }

  @Test
  void aCampaignChangeBetweenTwoMicroBatchesShowsInTheSecondAndAReplayOfTheFirstJoinsItsSnapshot()
      throws IOException {
    TableSpec spec = AdlakeTables.enrichedAdData("enriched_ad_data", MergeMode.COPY_ON_WRITE);
    String table = TableSetup.ensure(spark, config.catalog(), spec);
    long first = loadCampaign("Winter sale");
    List<List<String>> handedOn = new ArrayList<>();
    List<BatchCommit> commits = new ArrayList<>();
    ExactlyOnceMerge sink =
        AttributionJob.batchSink(config, table, spec, commits::add)
            .andThen(rows -> handedOn.add(names(rows)));

    sink.call(batch(spec, attributed("i-1", "cmp-1"), attributed("i-9", "cmp-unknown")), 0L);
    long second = loadCampaign("Winter sale, extended");
    sink.call(batch(spec, attributed("i-2", "cmp-1")), 1L);

    assertEquals(
        List.of(
            "i-1 cmp-1 adv-1 Winter sale",
            "i-2 cmp-1 adv-1 Winter sale, extended",
            "i-9 cmp-unknown null null"),
        names(spark.table(table)),
        "batch 0 joined the campaigns of its start, batch 1 those loaded since; an unknown "
            + "campaign is kept with NULL names");
    assertEquals(
        "campaigns=" + first, summary(table, 0).get(CommitLedger.READ_SNAPSHOTS), "batch 0 ledger");
    assertEquals(
        "campaigns=" + second,
        summary(table, 1).get(CommitLedger.READ_SNAPSHOTS),
        "batch 1 ledger");

    // Spark replays batch 0 (say the process died before its checkpoint): the MERGE is skipped, and
    // what follows the table gets the rows the first attempt computed, with the old name.
    sink.call(batch(spec, attributed("i-1", "cmp-1"), attributed("i-9", "cmp-unknown")), 0L);

    assertTrue(commits.get(2).skipped(), "the replay commits nothing");
    assertEquals(handedOn.get(0), handedOn.get(2), "the replay joins batch 0's snapshot");
    assertEquals(
        List.of("i-1 cmp-1 adv-1 Winter sale", "i-9 cmp-unknown null null"), handedOn.get(2));
  }

  @Test
  void campaignMetricsRowsNameTheirCampaignFromTheBatchSnapshotAndUnknownCampaignsStayNull()
      throws IOException {
    TableSpec spec = AdlakeTables.campaignMetrics5m(MergeMode.COPY_ON_WRITE);
    String table = TableSetup.ensure(spark, config.catalog(), spec);
    long first = loadCampaign("Winter sale");
    ExactlyOnceMerge sink = AggregateJob.mergeSink(config, table, spec, commit -> {});

    sink.call(batch(spec, window(spec, "cmp-1", 10), window(spec, "cmp-unknown", 3)), 0L);
    assertEquals(
        List.of("cmp-1 10 adv-1 Winter sale", "cmp-unknown 3 null null"),
        campaignRows(table),
        "known campaign named from the snapshot, unknown one kept with NULL names");
    assertEquals(
        "campaigns=" + first, summary(table, 0).get(CommitLedger.READ_SNAPSHOTS), "batch 0 ledger");

    long second = loadCampaign("Winter sale, extended");
    sink.call(batch(spec, window(spec, "cmp-1", 12)), 1L);

    assertEquals(
        List.of("cmp-1 12 adv-1 Winter sale, extended", "cmp-unknown 3 null null"),
        campaignRows(table),
        "the window's update names the campaign as loaded since");
    assertEquals(
        "campaigns=" + second,
        summary(table, 1).get(CommitLedger.READ_SNAPSHOTS),
        "batch 1 ledger");
  }

  @Test
  void aRateChangeAtNoonConvertsTheFloorsOf1159And1201DifferentlyAndReprocessingGivesTheSameRows()
      throws IOException {
    dims.load(
        Dimension.CURRENCY_RATES,
        file("noon.csv", "currency,usd_per_unit,valid_from", "EUR,1.10,2026-11-21T12:00:00Z"));
    Dataset<Row> requests =
        spark.createDataFrame(
            List.of(
                request("r-1159", "2026-11-21T11:59:00Z"),
                request("r-1201", "2026-11-21T12:01:00Z")),
            AdlakeTables.bidRequests().sparkSchema());

    List<String> first = converted(requests);
    assertEquals(
        List.of("[r-1159,1.08,1970-01-01 00:00:00,2.16]", "[r-1201,1.1,2026-11-21 12:00:00,2.2]"),
        first);

    // The rate moves on; the same events re-processed convert as before.
    dims.load(
        Dimension.CURRENCY_RATES,
        file("later.csv", "currency,usd_per_unit,valid_from", "EUR,1.30,2026-11-21T13:00:00Z"));
    assertEquals(first, converted(requests));
  }

  private List<String> converted(Dataset<Row> requests) {
    Dataset<Row> rates = spark.table(config.catalog().qualified(AdlakeTables.CURRENCY_RATES));
    return RequestEnrichment.enrich(requests, rates)
        .selectExpr(
            "request_id",
            "usd_rate",
            "date_format(rate_valid_from, 'yyyy-MM-dd HH:mm:ss')",
            "round(floor_usd, 6)")
        .orderBy("request_id")
        .collectAsList()
        .stream()
        .map(Row::toString)
        .toList();
  }

  private long loadCampaign(String name) throws IOException {
    return dims.load(
            Dimension.CAMPAIGNS,
            file(
                UUID.randomUUID() + ".jsonl",
                "{\"campaign_id\":\"cmp-1\",\"advertiser_id\":\"adv-1\",\"campaign_name\":\""
                    + name
                    + "\",\"daily_budget_usd\":100,\"status\":\"active\"}"))
        .snapshotId()
        .orElseThrow();
  }

  private Map<String, String> summary(String table, long batchId) {
    String writer = spark.sparkContext().getLocalProperty(CommitLedger.QUERY_ID_KEY);
    return CommitLedger.committedSummary(TableSetup.load(spark, table), writer, batchId)
        .orElseThrow();
  }

  private static List<String> names(Dataset<Row> rows) {
    return rows
        .selectExpr(
            "concat_ws(' ', impression_id, campaign_id, "
                + "coalesce(advertiser_id, 'null'), coalesce(campaign_name, 'null'))")
        .collectAsList()
        .stream()
        .map(r -> r.getString(0))
        .sorted()
        .toList();
  }

  private List<String> campaignRows(String table) {
    return spark
        .table(table)
        .selectExpr(
            "concat_ws(' ', campaign_id, CAST(impressions AS STRING), "
                + "coalesce(advertiser_id, 'null'), coalesce(campaign_name, 'null'))")
        .collectAsList()
        .stream()
        .map(r -> r.getString(0))
        .sorted()
        .toList();
  }

  /** A changed 09:00 window of campaign_metrics_5m as the aggregate's stream emits it. */
  private static Row window(TableSpec spec, String campaignId, long impressions) {
    Map<String, Object> set = new HashMap<>();
    set.put(AdlakeTables.WINDOW_START, Timestamp.from(T0));
    set.put("campaign_id", campaignId);
    set.put(AdlakeTables.WINDOW_END, Timestamp.from(T0.plusSeconds(300)));
    set.put("impressions", impressions);
    set.put("clicks", 0L);
    set.put("spend", impressions / 1000.0);
    set.put("unique_users", impressions);
    set.put("conversions", 0L);
    set.put("conversion_value_usd", 0.0);
    set.put(AdlakeTables.UPDATED_AT, Timestamp.from(T0.plusSeconds(310)));
    return RowFactory.create(spec.columnNames().stream().map(set::get).toArray());
  }

  private String file(String name, String... lines) throws IOException {
    Path path = dir.resolve(name);
    Files.writeString(path, String.join("\n", lines) + "\n");
    return path.toString();
  }

  private Dataset<Row> batch(TableSpec spec, Row... rows) {
    return spark.createDataFrame(new ArrayList<>(List.of(rows)), spec.sparkSchema());
  }

  /** A row as the stream hands it to the sink: names still NULL. */
  private static Row attributed(String impressionId, String campaignId) {
    return RowFactory.create(
        "ad-1",
        impressionId,
        "c-" + impressionId,
        campaignId,
        null,
        null,
        "pub-1",
        Timestamp.from(T0),
        Timestamp.from(T0.plusSeconds(5)),
        "USA",
        "ios",
        4,
        10.0,
        0.5,
        "No",
        5L,
        "Mobile",
        0.6,
        false,
        Timestamp.from(T0.plusSeconds(60)));
  }

  /** A bronze request with a EUR 2.00 floor at {@code time}. */
  private static Row request(String id, String time) {
    TableSpec spec = AdlakeTables.bidRequests();
    Map<String, Object> set = new HashMap<>();
    set.put("request_id", id);
    set.put("imp_bidfloor", 2.0);
    set.put("currency", "EUR");
    set.put("event_timestamp", Timestamp.from(Instant.parse(time)));
    return RowFactory.create(spec.columnNames().stream().map(set::get).toArray());
  }
}
