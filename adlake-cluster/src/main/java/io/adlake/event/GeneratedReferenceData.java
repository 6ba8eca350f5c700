package io.adlake.event;

import static java.util.Objects.requireNonNull;

import io.adlake.config.AdlakeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * The reference data that matches the generator's events: a campaigns row for every campaign it
 * draws, an advertisers row for every advertiser those campaigns belong to (the advertiser its
 * conversions name), and the rates it converts with. Written as CSV files that {@code dims load}
 * takes, reproducible from the generator's seed.
 */
public final class GeneratedReferenceData {
  public static final String CAMPAIGNS_FILE = "campaigns.csv";
  public static final String ADVERTISERS_FILE = "advertisers.csv";
  public static final String RATES_FILE = "currency_rates.csv";

  private static final String[] VERTICALS = {"retail", "travel", "gaming", "finance", "auto"};
  private static final String[] CURRENCIES = {"USD", "USD", "EUR", "GBP"};

  private final AdlakeConfig config;

  public GeneratedReferenceData(AdlakeConfig config) {
    this.config = requireNonNull(config, "config");
  }

  /**
   * Writes the three files into {@code dir} (created if missing).
   *
   * @return the files, by dimension table name
   */
  public Map<String, Path> write(Path dir, LocalDate flightStart) throws IOException {
    Files.createDirectories(dir);
    Random random = new Random(config.generator().seed());
    int campaigns = config.generator().campaigns();
    List<String> campaignLines =
        new ArrayList<>(
            List.of(
                "campaign_id,advertiser_id,campaign_name,daily_budget_usd,target_cpa_usd,"
                    + "start_date,end_date,status"));
    TreeMap<String, Integer> advertisers = new TreeMap<>();
    for (int c = 1; c <= campaigns; c++) {
      String advertiser = FunnelGenerator.advertiserOf(c);
      advertisers.put(advertiser, FunnelGenerator.advertiserNumber(c));
      // Budgets of 5 to 200 USD a day: the demo's spend puts some campaigns over, as pacing shows.
      campaignLines.add(
          String.format(
              Locale.ROOT,
              "%s,%s,Campaign %04d,%d,%d,%s,,active",
              FunnelGenerator.campaignId(c),
              advertiser,
              c,
              5 + random.nextInt(196),
              1 + random.nextInt(40),
              flightStart));
    }
    List<String> advertiserLines =
        new ArrayList<>(List.of("advertiser_id,advertiser_name,vertical,currency"));
    advertisers.forEach(
        (id, n) ->
            advertiserLines.add(
                String.format(
                    Locale.ROOT,
                    "%s,Advertiser %03d,%s,%s",
                    id,
                    n,
                    VERTICALS[n % VERTICALS.length],
                    CURRENCIES[n % CURRENCIES.length])));
    List<String> rateLines = new ArrayList<>(List.of("currency,usd_per_unit,valid_from"));
    new TreeMap<>(config.ingest().usdRates())
        .forEach(
            (currency, rate) -> rateLines.add(currency + "," + rate + ",1970-01-01T00:00:00Z"));
    Map<String, Path> files = new TreeMap<>();
    files.put("campaigns", write(dir.resolve(CAMPAIGNS_FILE), campaignLines));
    files.put("advertisers", write(dir.resolve(ADVERTISERS_FILE), advertiserLines));
    files.put("currency_rates", write(dir.resolve(RATES_FILE), rateLines));
    return files;
  }

  private static Path write(Path file, List<String> lines) throws IOException {
    Files.writeString(file, String.join("\n", lines) + "\n");
    return file;
  }
}
