package io.adlake.lake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.adlake.TestServices;
import io.adlake.config.AdlakeConfig;
import io.adlake.lake.DimensionRows.RejectedRowsException;
import io.adlake.lake.DimensionRows.Rejection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** dims load against real Iceberg tables: upserts, all-or-nothing validation, rate history. */
class DimensionLoadTest {
  private SparkSession spark;
  private AdlakeConfig config;
  private DimensionLoad load;
  private Path dir;

  @BeforeEach
  void tables() throws IOException {
    spark = TestServices.spark();
    config = TestServices.config("dims");
    load = new DimensionLoad(spark, config.catalog());
    load.ensureTables(Map.of("EUR", 1.08, "USD", 1.0));
    dir =
        Files.createDirectories(
            TestServices.root().resolve("dims").resolve(config.catalog().namespace()));
  }

  @Test
  void loadingCampaignsUpsertsByKeyAndSaysWhatChanged() throws IOException {
    load.load(
        Dimension.CAMPAIGNS,
        file(
            "c1.csv",
            "campaign_id,advertiser_id,campaign_name,daily_budget_usd,target_cpa_usd,start_date,end_date,status",
            "cmp-1,adv-1,Winter sale,100,5,2026-11-01,2026-12-31,active",
            "cmp-2,adv-1,\"Boots, warm\",50,,2026-11-01,,paused"));

    DimensionLoad.Result second =
        load.load(
            Dimension.CAMPAIGNS,
            file(
                "c2.csv",
                "campaign_id,advertiser_id,campaign_name,daily_budget_usd,target_cpa_usd,start_date,end_date,status",
                "cmp-1,adv-1,Winter sale,150,5,2026-11-01,2026-12-31,active",
                "cmp-2,adv-1,\"Boots, warm\",50,,2026-11-01,,paused",
                "cmp-3,adv-2,Spring,20,2,2027-03-01,2027-03-31,active"));

    assertEquals(List.of("campaign_id=cmp-3"), second.inserted());
    assertEquals(
        List.of(
            new DimensionLoad.Change(
                "campaign_id=cmp-1", List.of("daily_budget_usd: 100.0 -> 150.0"))),
        second.changed());
    assertEquals(1, second.unchanged());
    assertEquals(
        List.of(
            "[cmp-1,adv-1,Winter sale,150.0,5.0,2026-11-01,2026-12-31,active]",
            "[cmp-2,adv-1,Boots, warm,50.0,null,2026-11-01,null,paused]",
            "[cmp-3,adv-2,Spring,20.0,2.0,2027-03-01,2027-03-31,active]"),
        rows(Dimension.CAMPAIGNS));
  }

  @Test
  void badRowsAreRejectedWithTheirLineNumbersAndTheTableIsUnchanged() throws IOException {
    load.load(
        Dimension.ADVERTISERS,
        file(
            "a1.jsonl",
            "{\"advertiser_id\":\"adv-1\",\"advertiser_name\":\"Acme\",\"currency\":\"USD\"}"));
    long snapshot = snapshot(Dimension.ADVERTISERS);

    String bad =
        file(
            "a2.csv",
            "advertiser_id,advertiser_name,vertical,currency",
            "adv-1,Acme Corp,retail,USD",
            "adv-2,,travel,EUR",
            "adv-3,Globex,travel,euro",
            "",
            "adv-1,Acme again,retail,USD",
            "adv-4,Initech,\"software",
            "adv-5,Umbrella,pharma");
    RejectedRowsException e =
        assertThrows(RejectedRowsException.class, () -> load.load(Dimension.ADVERTISERS, bad));

    assertEquals(
        List.of(
            new Rejection(3, "advertiser_name is required"),
            new Rejection(4, "currency 'euro' is not an ISO-4217 code such as EUR"),
            new Rejection(
                6, "advertiser_id=adv-1 is also on line 2: a key may appear once per file"),
            new Rejection(7, "a quoted field is not closed (quotes span no lines)"),
            new Rejection(8, "3 fields where the header names 4")),
        e.rejections());
    assertTrue(e.getMessage().contains("nothing loaded into advertisers"), e.getMessage());
    assertEquals(snapshot, snapshot(Dimension.ADVERTISERS), "no commit");
    assertEquals(List.of("[adv-1,Acme,null,USD]"), rows(Dimension.ADVERTISERS));
  }

  @Test
  void severalFilesLoadTogetherOrNotAtAllWhenAnyRowOfAnyFileIsRejected() throws IOException {
    load.load(
        Dimension.ADVERTISERS,
        file("a0.csv", "advertiser_id,advertiser_name,vertical,currency", "adv-1,Acme,,USD"));
    long advertisers = snapshot(Dimension.ADVERTISERS);
    Map<Dimension, String> files = new LinkedHashMap<>();
    files.put(
        Dimension.ADVERTISERS,
        file("a3.csv", "advertiser_id,advertiser_name,vertical,currency", "adv-2,Globex,,EUR"));
    files.put(
        Dimension.CAMPAIGNS,
        file(
            "c3.csv",
            "campaign_id,advertiser_id,campaign_name,daily_budget_usd,target_cpa_usd,start_date,end_date,status",
            "cmp-1,adv-2,Spring,20,2,2027-03-01,2027-03-31,sometimes"));

    RejectedRowsException e = assertThrows(RejectedRowsException.class, () -> load.loadAll(files));
    assertEquals(2, e.rejections().get(0).line(), e.getMessage());
    assertEquals(advertisers, snapshot(Dimension.ADVERTISERS), "the valid file was not loaded");

    files.put(
        Dimension.CAMPAIGNS,
        file(
            "c4.csv",
            "campaign_id,advertiser_id,campaign_name,daily_budget_usd,target_cpa_usd,start_date,end_date,status",
            "cmp-1,adv-2,Spring,20,2,2027-03-01,2027-03-31,active"));
    List<DimensionLoad.Result> results = load.loadAll(files);
    assertEquals(
        List.of(List.of("advertiser_id=adv-2"), List.of("campaign_id=cmp-1")),
        results.stream().map(DimensionLoad.Result::inserted).toList());
    assertEquals(
        List.of("[adv-1,Acme,null,USD]", "[adv-2,Globex,null,EUR]"), rows(Dimension.ADVERTISERS));
    assertEquals(
        List.of("[cmp-1,adv-2,Spring,20.0,2.0,2027-03-01,2027-03-31,active]"),
        rows(Dimension.CAMPAIGNS));
  }

  @Test
  void aNewRateClosesTheIntervalOfTheRateBeforeItAndHistoryIsKept() throws IOException {
    assertEquals(
        List.of("[EUR,1970-01-01T00:00:00Z,1.08,null]", "[USD,1970-01-01T00:00:00Z,1.0,null]"),
        rates(),
        "the conf rates seed the empty table");

    load.load(
        Dimension.CURRENCY_RATES,
        file("r1.csv", "currency,usd_per_unit,valid_from", "EUR,1.10,2026-11-21T12:00:00Z"));
    DimensionLoad.Result earlier =
        load.load(
            Dimension.CURRENCY_RATES,
            file("r2.csv", "currency,usd_per_unit,valid_from", "EUR,1.09,2026-11-21T06:00:00Z"));

    assertEquals(List.of("currency=EUR valid_from=2026-11-21T06:00:00Z"), earlier.inserted());
    assertEquals(
        List.of(
            new DimensionLoad.Change(
                "currency=EUR valid_from=1970-01-01T00:00:00Z",
                List.of("valid_to: 2026-11-21T12:00:00Z -> 2026-11-21T06:00:00Z"))),
        earlier.changed());
    assertEquals(
        List.of(
            "[EUR,1970-01-01T00:00:00Z,1.08,2026-11-21T06:00:00Z]",
            "[EUR,2026-11-21T06:00:00Z,1.09,2026-11-21T12:00:00Z]",
            "[EUR,2026-11-21T12:00:00Z,1.1,null]",
            "[USD,1970-01-01T00:00:00Z,1.0,null]"),
        rates());
  }

  @Test
  void theConfRatesSeedOnlyAnEmptyTable() {
    long snapshot = snapshot(Dimension.CURRENCY_RATES);
    load.ensureTables(Map.of("EUR", 2.0));
    assertEquals(snapshot, snapshot(Dimension.CURRENCY_RATES));
    assertEquals(
        List.of("[EUR,1970-01-01T00:00:00Z,1.08,null]", "[USD,1970-01-01T00:00:00Z,1.0,null]"),
        rates());
  }

  @Test
  void anUnknownTableOrColumnIsNamedWithWhatIsAllowed() throws IOException {
    IllegalArgumentException table =
        assertThrows(IllegalArgumentException.class, () -> Dimension.named("campaign"));
    assertEquals(
        "No dimension table 'campaign': dims load and dims show take campaigns, advertisers, "
            + "currency_rates",
        table.getMessage());
    RejectedRowsException columns =
        assertThrows(
            RejectedRowsException.class,
            () ->
                load.load(
                    Dimension.CURRENCY_RATES,
                    file("r.csv", "currency,rate,valid_from", "EUR,1.1,2026-11-21")));
    assertEquals(
        List.of(
            new Rejection(
                0,
                "unknown column(s) [rate]: currency_rates takes [currency, valid_from, usd_per_unit]"),
            new Rejection(0, "required column(s) [usd_per_unit] missing from the file"),
            new Rejection(2, "usd_per_unit is required")),
        columns.rejections());
  }

  private String file(String name, String... lines) throws IOException {
    Path path = dir.resolve(name);
    Files.writeString(path, String.join("\n", lines) + "\n");
    return path.toString();
  }

  private long snapshot(Dimension d) {
    return TableSetup.load(spark, config.catalog().qualified(d.tableName()))
        .currentSnapshot()
        .snapshotId();
  }

  private List<String> rows(Dimension d) {
    return spark
        .table(config.catalog().qualified(d.tableName()))
        .drop(AdlakeTables.UPDATED_AT)
        .orderBy(d.spec().key().get(0))
        .collectAsList()
        .stream()
        .map(Row::toString)
        .toList();
  }

  /** Rates with UTC instants, whatever the JVM's zone. */
  private List<String> rates() {
    return spark
        .sql(
            "SELECT currency, date_format(valid_from, \"yyyy-MM-dd'T'HH:mm:ss'Z'\"), usd_per_unit, "
                + "date_format(valid_to, \"yyyy-MM-dd'T'HH:mm:ss'Z'\") FROM "
                + config.catalog().qualified(Dimension.CURRENCY_RATES.tableName())
                + " ORDER BY currency, valid_from")
        .collectAsList()
        .stream()
        .map(Row::toString)
        .toList();
  }
}
