package io.adlake.event;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adlake.config.AdlakeConfig;
import io.adlake.config.AdlakeConfig.GeneratedConversions;
import io.adlake.config.AdlakeConfig.GeneratorSettings;
import io.adlake.event.ConversionTruth.ExpectedConversion;
import io.adlake.event.ConversionTruth.Touch;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * A correlated OpenRTB 2.6 funnel: bid requests, the responses to some, the impressions some of
 * those win, the clicks on some impressions, and the conversions of users who saw or clicked.
 * Children come a little after their parent; some records are delivered out of order or late, some
 * re-sent (duplicates), some broken (malformed). Everything is drawn from seeded generators: the
 * same seed and start time give the same records. Conversions draw from a generator of their own,
 * so that the funnel's records do not change with the conversion settings.
 *
 * <p>It also knows the answer: which click each impression must be attributed to under a given
 * window, and the last-touch attribution of each conversion ({@link ConversionTruth}), so tests
 * compare the pipeline's tables with it row for row.
 */
public final class FunnelGenerator {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter TIMESTAMP_FORMAT =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final String[] COUNTRIES = {
    "USA", "GBR", "DEU", "FRA", "JPN", "CAN", "BRA", "IND", "AUS", "ESP", "ITA", "MEX", "NLD"
  };
  private static final double[] COUNTRY_WEIGHTS = {35, 10, 9, 7, 6, 5, 5, 8, 4, 3, 3, 3, 2};

  /**
   * Public device IPs per country: addresses that the GeoLite2-City file of 2019-11 (the demo's)
   * places in a large city of that country, so that the demo's geo_city shows real cities
   * consistent with device.geo.country. Drawn at random from that file's networks; a newer file may
   * place some elsewhere.
   */
  static final Map<String, String[]> PUBLIC_IPS =
      Map.ofEntries(
          Map.entry(
              "USA",
              new String[] {"158.222.157.80", "143.215.171.160", "52.237.158.248", "4.16.223.91"}),
          Map.entry("GBR", new String[] {"144.21.99.108", "149.170.175.134", "95.149.111.135"}),
          Map.entry("DEU", new String[] {"213.61.216.77", "24.134.162.101", "84.57.89.70"}),
          Map.entry("FRA", new String[] {"52.47.112.19", "78.194.206.16", "89.95.73.74"}),
          Map.entry("JPN", new String[] {"54.250.195.15", "40.101.152.238", "36.3.171.91"}),
          Map.entry("CAN", new String[] {"208.116.143.56", "69.70.107.11", "173.180.13.93"}),
          Map.entry("BRA", new String[] {"189.110.245.11", "191.246.152.206", "186.253.3.132"}),
          Map.entry("IND", new String[] {"182.59.80.73", "182.69.72.67", "157.49.166.87"}),
          Map.entry("AUS", new String[] {"139.99.253.129", "101.182.111.91", "58.164.225.230"}),
          Map.entry("ESP", new String[] {"85.53.236.27", "212.145.156.112", "95.21.38.103"}),
          Map.entry("ITA", new String[] {"149.6.22.39", "5.171.105.54", "151.33.113.140"}),
          Map.entry("MEX", new String[] {"187.208.137.198", "189.168.254.77", "189.207.48.41"}),
          Map.entry("NLD", new String[] {"160.34.22.49", "87.214.100.101", "83.87.19.120"}));

  /**
   * OpenRTB devicetype: 1 mobile/tablet, 2 PC, 3 CTV, 4 phone, 5 tablet, 6 connected device, 7
   * set-top box.
   */
  private static final int[] DEVICE_TYPES = {4, 2, 5, 3, 1, 7, 6};

  private static final double[] DEVICE_WEIGHTS = {40, 25, 10, 8, 7, 5, 5};
  private static final String[] AD_TYPES = {"banner", "video", "native"};
  private static final int[][] BANNER_SIZES = {
    {300, 250}, {728, 90}, {320, 50}, {160, 600}, {300, 600}
  };
  private static final String[] FOREIGN_CURRENCIES = {"EUR", "GBP", "JPY"};
  private static final double[] USD_PER_UNIT = {1.08, 1.27, 0.0067};

  private static final String[] CONVERSION_CURRENCIES = {"EUR", "GBP", "JPY"};

  private final GeneratorSettings settings;
  private final Duration clickWindow;
  private final Duration clickSkew;
  private final AdlakeConfig.ConversionSettings conversionRules;
  private final Map<String, Double> usdRates;

  /**
   * The funnel of {@code config}'s generator settings, with ground truth for its attribution window
   * and conversion rules.
   */
  public FunnelGenerator(AdlakeConfig config) {
    this(
        config.generator(),
        config.attribution().clickWindow(),
        config.attribution().clickSkew(),
        config.conversions(),
        config.ingest().usdRates());
  }

  /**
   * @param clickWindow the attribution window the ground truth is computed for (clicks are placed
   *     at and just beyond its edges on purpose)
   */
  public FunnelGenerator(
      GeneratorSettings settings,
      Duration clickWindow,
      Duration clickSkew,
      AdlakeConfig.ConversionSettings conversionRules,
      Map<String, Double> usdRates) {
    this.settings = requireNonNull(settings, "settings");
    this.clickWindow = requireNonNull(clickWindow, "clickWindow");
    this.clickSkew = requireNonNull(clickSkew, "clickSkew");
    this.conversionRules = requireNonNull(conversionRules, "conversionRules");
    this.usdRates = Map.copyOf(usdRates);
  }

  /** What to generate. Exactly one of {@code count} (> 0) or {@code duration} bounds the run. */
  public record Run(
      long count,
      Duration duration,
      double ratePerSecond,
      boolean paced,
      Instant start,
      Set<EventType> streams) {
    public Run {
      requireNonNull(start, "start");
      streams = Set.copyOf(streams);
      if (count <= 0 && (duration == null || duration.isZero())) {
        throw new IllegalArgumentException(
            "Give a count of events (--count) or a duration (--duration)");
      }
      if (ratePerSecond <= 0) {
        throw new IllegalArgumentException("rate must be > 0 events/s, got " + ratePerSecond);
      }
    }

    /**
     * {@code count} events as fast as the sink takes them, event time advancing at {@code rate}/s.
     */
    public static Run count(long count, double rate, Instant start) {
      return new Run(count, null, rate, false, start, Set.of(EventType.values()));
    }

    /**
     * {@code rate} events per second of wall clock for {@code duration}, event time = wall clock.
     */
    public static Run paced(double rate, Duration duration, Instant start) {
      return new Run(0, duration, rate, true, start, Set.of(EventType.values()));
    }

    public Run onlyStreams(Set<EventType> only) {
      return new Run(count, duration, ratePerSecond, paced, start, only);
    }
  }

  /** A click the pipeline must attribute: the first click inside the window of its impression. */
  public record ExpectedAttribution(
      String adId,
      String impressionId,
      String clickId,
      String campaignId,
      Instant impressionTime,
      Instant clickTime) {}

  /**
   * Counts of a finished (or in-progress) run; {@code conversions} (the expected attribution of
   * every conversion sent) is filled at the end of the run only.
   */
  public record Summary(
      Map<EventType, Long> sent,
      Map<EventType, Long> duplicates,
      Map<EventType, Long> malformed,
      long total,
      Duration elapsed,
      List<ExpectedAttribution> expected,
      List<String> clicksOutsideWindow,
      List<ExpectedConversion> conversions) {
    public long sent(EventType type) {
      return sent.getOrDefault(type, 0L);
    }
  }

  /**
   * Generates the run into the sink; progress (no more than once a second) goes to {@code
   * progress}.
   */
  public Summary generate(Run run, EventSink sink, Consumer<Summary> progress)
      throws InterruptedException {
    State state = new State(run, sink, progress);
    state.generate();
    sink.flush();
    return state.summary(true);
  }

  private final class State {
    private final Run run;
    private final EventSink sink;
    private final Consumer<Summary> progress;
    private final SplittableRandom random;

    /** Conversions draw from their own generator: the funnel's records stay those of the seed. */
    private final SplittableRandom conversionRandom;

    private final GeneratedConversions mix = settings.conversions();
    private final ConversionTruth truth = new ConversionTruth(conversionRules, usdRates);
    private final boolean conversionTruth;

    /** Event time after which a paced run has ended: conversions due later are never sent. */
    private final long endMicros;

    private final PriorityQueue<Pending> pending =
        new PriorityQueue<>(
            Comparator.comparingLong(Pending::emitAtMicros).thenComparingLong(Pending::sequence));
    private final Map<EventType, Long> sent = new EnumMap<>(EventType.class);
    private final Map<EventType, Long> duplicates = new EnumMap<>(EventType.class);
    private final Map<EventType, Long> malformed = new EnumMap<>(EventType.class);
    private final List<ExpectedAttribution> expected = new ArrayList<>();
    private final List<String> outsideWindow = new ArrayList<>();
    private final long startMicros;
    private final double requestIntervalMicros;
    private final long wallStartNanos = System.nanoTime();
    private long sequence;
    private long total;
    private long lastProgressNanos = System.nanoTime();

    State(Run run, EventSink sink, Consumer<Summary> progress) {
      this.run = run;
      this.sink = sink;
      this.progress = progress;
      // The start time is part of the seed, so ids never repeat across runs with different starts.
      this.random =
          new SplittableRandom(settings.seed() * 0x9E3779B97F4A7C15L ^ run.start().toEpochMilli());
      this.conversionRandom =
          new SplittableRandom(
              (settings.seed() * 0x9E3779B97F4A7C15L ^ run.start().toEpochMilli())
                  + 0x632BE59BD9B4E019L);
      this.conversionTruth =
          run.streams()
              .containsAll(List.of(EventType.CONVERSION, EventType.CLICK, EventType.IMPRESSION));
      this.startMicros = ChronoUnit.MICROS.between(Instant.EPOCH, run.start());
      this.endMicros =
          run.duration() == null ? Long.MAX_VALUE : startMicros + run.duration().toNanos() / 1000;
      double eventsPerRequest =
          1
              + settings.responseRate()
                  * (1
                      + settings.winRate()
                          * (1 + settings.clickRate() * (1 + settings.repeatClickShare())));
      this.requestIntervalMicros = 1_000_000.0 * eventsPerRequest / run.ratePerSecond();
    }

    void generate() throws InterruptedException {
      for (long i = 0; ; i++) {
        long requestMicros = startMicros + (long) (i * requestIntervalMicros);
        if (run.count() > 0 ? total >= run.count() : requestMicros >= endMicros) {
          break;
        }
        request(requestMicros);
        emitUpTo(requestMicros);
      }
      emitUpTo(Long.MAX_VALUE);
      reportProgress(true);
    }

    private void emitUpTo(long micros) throws InterruptedException {
      while (!pending.isEmpty() && pending.peek().emitAtMicros() <= micros) {
        Pending p = pending.poll();
        if (run.paced()) {
          long dueNanos = wallStartNanos + (p.emitAtMicros() - startMicros) * 1000;
          long waitNanos = dueNanos - System.nanoTime();
          if (waitNanos > 1_000_000) {
            Thread.sleep(waitNanos / 1_000_000);
          }
        }
        sink.send(p.type(), p.key(), p.value());
        total++;
        reportProgress(false);
      }
    }

    private void reportProgress(boolean force) {
      long now = System.nanoTime();
      if (force || now - lastProgressNanos >= 1_000_000_000L) {
        lastProgressNanos = now;
        progress.accept(summary(false));
      }
    }

    Summary summary(boolean last) {
      return new Summary(
          Map.copyOf(sent),
          Map.copyOf(duplicates),
          Map.copyOf(malformed),
          total,
          Duration.ofNanos(System.nanoTime() - wallStartNanos),
          List.copyOf(expected),
          List.copyOf(outsideWindow),
          last && conversionTruth ? truth.expected() : List.of());
    }

    private void request(long requestMicros) {
      long t = ms(requestMicros);
      String requestId = uuid();
      boolean app = random.nextDouble() < 0.30;
      String publisher =
          random.nextDouble() < 0.05
              ? String.format("test-pub-%03d", 1 + random.nextInt(10))
              : String.format("pub-%04d", 1 + random.nextInt(settings.publishers()));
      String country = pick(COUNTRIES, COUNTRY_WEIGHTS);
      int deviceType = DEVICE_TYPES[pickIndex(DEVICE_WEIGHTS)];
      String os =
          deviceType == 2
              ? (random.nextBoolean() ? "Windows" : "macOS")
              : deviceType == 3 || deviceType == 7
                  ? "tvOS"
                  : (random.nextDouble() < 0.55 ? "Android" : "iOS");
      String platform = app ? os.toLowerCase(Locale.ROOT) : "web";
      String adType = AD_TYPES[random.nextInt(AD_TYPES.length)];
      int[] size = BANNER_SIZES[random.nextInt(BANNER_SIZES.length)];
      int foreign = random.nextDouble() < 0.10 ? random.nextInt(FOREIGN_CURRENCIES.length) : -1;
      // One request in 200 carries a zero floor (misconfigured placements): filtered from the
      // enriched table.
      double floorUsd =
          random.nextDouble() < 0.005 ? 0.0 : round(Math.exp(random.nextGaussian() * 0.6) * 1.2, 4);
      double floor = foreign < 0 ? floorUsd : round(floorUsd / USD_PER_UNIT[foreign], 4);
      String userId = String.format("u-%06d", random.nextInt(settings.users()));

      Map<String, Object> imp = new LinkedHashMap<>();
      imp.put("id", "1");
      imp.put(adType.equals("video") ? "video" : "banner", Map.of("w", size[0], "h", size[1]));
      imp.put("bidfloor", floor);
      imp.put("bidfloorcur", foreign < 0 ? "USD" : FOREIGN_CURRENCIES[foreign]);
      imp.put("tagid", "tag-" + random.nextInt(1000));
      List<Map<String, Object>> imps = new ArrayList<>(List.of(imp));
      if (random.nextDouble() < 0.1) {
        Map<String, Object> second = new LinkedHashMap<>(imp);
        second.put("id", "2");
        imps.add(second);
      }
      Map<String, Object> req = new LinkedHashMap<>();
      req.put("id", requestId);
      req.put("imp", imps);
      Map<String, Object> inventory = new LinkedHashMap<>();
      inventory.put(
          "id", (app ? "app-" : "site-") + publisher.substring(publisher.lastIndexOf('-') + 1));
      if (app) {
        inventory.put("bundle", "com.example." + publisher.replace("-", ""));
      } else {
        inventory.put("domain", publisher + ".example.com");
      }
      inventory.put("cat", List.of("IAB" + (1 + random.nextInt(26))));
      inventory.put("publisher", Map.of("id", publisher, "name", "Publisher " + publisher));
      req.put(app ? "app" : "site", inventory);
      Map<String, Object> geo = new LinkedHashMap<>();
      geo.put("country", country);
      geo.put("region", country.substring(0, 2) + "-" + (1 + random.nextInt(20)));
      geo.put("lat", round(random.nextDouble(-60, 70), 4));
      geo.put("lon", round(random.nextDouble(-180, 180), 4));
      Map<String, Object> device = new LinkedHashMap<>();
      device.put("ua", "Mozilla/5.0 (" + os + ") adlake-generator");
      device.put("ip", ip(country));
      device.put("geo", geo);
      device.put("devicetype", deviceType);
      device.put("os", os);
      device.put("osv", (1 + random.nextInt(17)) + "." + random.nextInt(10));
      req.put("device", device);
      req.put("user", Map.of("id", userId));
      req.put("at", random.nextDouble() < 0.8 ? 1 : 2);
      req.put("tmax", 120 + 20 * random.nextInt(10));
      req.put("cur", List.of("USD"));
      req.put("source", Map.of("fd", random.nextInt(2), "tid", uuid()));
      req.put(
          "regs",
          Map.of(
              "coppa",
              random.nextDouble() < 0.02 ? 1 : 0,
              "ext",
              Map.of(
                  "gdpr",
                  country.equals("DEU")
                          || country.equals("FRA")
                          || country.equals("ESP")
                          || country.equals("ITA")
                          || country.equals("NLD")
                      ? 1
                      : 0)));
      req.put("event_timestamp", timestamp(t));
      schedule(EventType.BID_REQUEST, requestId, req, t, random);
      if (conversionRandom.nextDouble() < mix.organicRate()) {
        // A user who saw no ad: nothing may be credited with the conversion.
        convert(
            String.format("o-%06d", conversionRandom.nextInt(settings.users())),
            null,
            1 + conversionRandom.nextInt(settings.campaigns()),
            ms(t + conversionRandom.nextLong(3_600_000_000L)));
      }

      if (random.nextDouble() >= settings.responseRate()) {
        return;
      }
      long responseTime = ms(t + 10_000 + random.nextInt(140_000));
      String responseId = uuid();
      int campaign = 1 + random.nextInt(settings.campaigns());
      String campaignId = campaignId(campaign);
      String bidderId = String.format("bidder-%02d", 1 + random.nextInt(settings.bidders()));
      String creativeId =
          String.format(
              "cr-%04d-%d", campaign, 1 + random.nextInt(settings.creativesPerCampaign()));
      String adId =
          String.format(
              "ad-%04d-%d", campaign, 1 + random.nextInt(settings.creativesPerCampaign()));
      String adDomain = "brand" + campaign + ".example";
      // CPM in USD, log-normal around 8 with a long tail: about 1 in 20 bids is premium (> 50).
      double bidPrice = round(Math.max(floorUsd, Math.exp(2.1 + random.nextGaussian() * 0.9)), 4);
      double viewability = round(random.nextDouble(), 3);
      Map<String, Object> bid = new LinkedHashMap<>();
      bid.put("id", uuid());
      bid.put("impid", "1");
      bid.put("price", bidPrice);
      bid.put("adomain", List.of(adDomain));
      bid.put("crid", creativeId);
      if (random.nextDouble() < 0.1) {
        bid.put("dealid", "deal-" + random.nextInt(50));
      }
      bid.put("cid", campaignId);
      bid.put("adid", adId);
      Map<String, Object> resp = new LinkedHashMap<>();
      resp.put("id", requestId);
      resp.put("bidid", responseId);
      resp.put("seatbid", List.of(Map.of("seat", bidderId, "bid", List.of(bid))));
      resp.put("cur", "USD");
      resp.put("event_timestamp", timestamp(responseTime));
      schedule(EventType.BID_RESPONSE, requestId, resp, responseTime, random);

      if (random.nextDouble() >= settings.winRate()) {
        return;
      }
      long impressionTime = ms(responseTime + 20_000 + random.nextInt(780_000));
      String impressionId = uuid();
      Map<String, Object> impression = new LinkedHashMap<>();
      impression.put("impression_id", impressionId);
      impression.put("request_id", requestId);
      impression.put("response_id", responseId);
      impression.put("ad_id", adId);
      impression.put("campaign_id", campaignId);
      impression.put("publisher_id", publisher);
      impression.put("event_timestamp", timestamp(impressionTime));
      impression.put("device_type", deviceType);
      impression.put("geo_location", country);
      impression.put("platform", platform);
      impression.put("ad_type", adType);
      impression.put("bid_price", bidPrice);
      impression.put("win_price", round(bidPrice * (0.6 + random.nextDouble() * 0.38), 4));
      impression.put("bidder_id", bidderId);
      impression.put("creative_id", creativeId);
      impression.put("ad_domain", adDomain);
      impression.put("viewability_score", viewability);
      impression.put("user_id", userId);
      schedule(EventType.IMPRESSION, impressionId, impression, impressionTime, random);
      Touch shown =
          new Touch(
              false, impressionId, userId, instant(impressionTime), campaignId, adId, publisher);
      if (run.streams().contains(EventType.IMPRESSION)) {
        truth.touch(shown);
      }
      if (conversionRandom.nextDouble() < mix.viewRate()) {
        convertAfter(shown, campaign, false);
      }

      if (random.nextDouble() >= settings.clickRate()) {
        return;
      }
      List<long[]> clickTimes = new ArrayList<>();
      long first = ms(impressionTime + clickDelayMicros());
      clickTimes.add(new long[] {first});
      if (random.nextDouble() < settings.repeatClickShare()) {
        clickTimes.add(new long[] {ms(first + 500_000 + random.nextInt(15_000_000))});
      }
      ExpectedAttribution winner = null;
      for (long[] clickTime : clickTimes) {
        String clickId = uuid();
        Map<String, Object> click = new LinkedHashMap<>();
        click.put("click_id", clickId);
        click.put("impression_id", impressionId);
        click.put("request_id", requestId);
        click.put("ad_id", adId);
        click.put("campaign_id", campaignId);
        click.put("publisher_id", publisher);
        click.put("event_timestamp", timestamp(clickTime[0]));
        click.put("device_type", deviceType);
        click.put("geo_location", country);
        click.put("platform", platform);
        click.put("click_price", round(0.05 + random.nextDouble() * 2.45, 4));
        click.put("click_url", "https://" + adDomain + "/landing?c=" + campaignId);
        click.put("user_id", userId);
        schedule(EventType.CLICK, impressionId, click, clickTime[0], random);
        Touch clicked =
            new Touch(true, clickId, userId, instant(clickTime[0]), campaignId, adId, publisher);
        if (run.streams().contains(EventType.CLICK)) {
          truth.touch(clicked);
        }
        if (conversionRandom.nextDouble() < mix.clickRate()) {
          convertAfter(clicked, campaign, true);
        }
        long delay = clickTime[0] - impressionTime;
        boolean inside =
            delay >= -clickSkew.toNanos() / 1000 && delay <= clickWindow.toNanos() / 1000;
        if (inside) {
          ExpectedAttribution candidate =
              new ExpectedAttribution(
                  adId,
                  impressionId,
                  clickId,
                  campaignId,
                  instant(impressionTime),
                  instant(clickTime[0]));
          if (winner == null || earlier(candidate, winner)) {
            winner = candidate;
          }
        } else {
          outsideWindow.add(clickId);
        }
      }
      if (winner != null
          && run.streams().contains(EventType.IMPRESSION)
          && run.streams().contains(EventType.CLICK)) {
        expected.add(winner);
      }
    }

    private boolean earlier(ExpectedAttribution a, ExpectedAttribution b) {
      int byTime = a.clickTime().compareTo(b.clickTime());
      return byTime < 0 || (byTime == 0 && a.clickId().compareTo(b.clickId()) < 0);
    }

    /** Click delay after its impression, in microseconds; negative is device clock skew. */
    private long clickDelayMicros() {
      long window = clickWindow.toNanos() / 1000;
      long skew = clickSkew.toNanos() / 1000;
      double u = random.nextDouble();
      if (u < settings.botClickShare()) {
        return 50_000 + random.nextInt(850_000);
      }
      u -= settings.botClickShare();
      if (u < settings.outsideWindowClickShare()) {
        return switch (random.nextInt(4)) {
          case 0 -> window + 1_000; // one millisecond past the window
          case 1 -> -skew - 1_000; // one millisecond before the skew allowance
          case 2 -> -skew - 1_000 - random.nextInt(20_000_000);
          default -> window + 1_000 + random.nextInt(90_000_000);
        };
      }
      double v = random.nextDouble();
      if (v < 0.02) {
        return window; // exactly on the edge: inside
      } else if (v < 0.03) {
        return -skew; // exactly on the other edge: inside
      } else if (v < 0.05) {
        return -random.nextLong(skew + 1);
      }
      return Math.min(
          window - 1_000, 1_000_000 + (long) (-Math.log(1 - random.nextDouble()) * 6_000_000));
    }

    private void schedule(
        EventType type,
        String key,
        Map<String, Object> event,
        long eventMicros,
        SplittableRandom random) {
      if (!run.streams().contains(type)) {
        return;
      }
      byte[] value = json(event);
      long emitAt = eventMicros;
      double u = random.nextDouble();
      if (u < settings.lateShare()) {
        emitAt += settings.lateDelay().toNanos() / 1000;
      } else if (u < settings.lateShare() + settings.outOfOrderShare()) {
        emitAt += 1 + random.nextLong(Math.max(1, settings.outOfOrderMax().toNanos() / 1000));
      }
      add(type, key, value, emitAt);
      sent.merge(type, 1L, Long::sum);
      if (random.nextDouble() < settings.duplicateShare()) {
        add(type, key, value, emitAt + random.nextInt(2_000_000));
        duplicates.merge(type, 1L, Long::sum);
      }
      if (random.nextDouble() < settings.malformedShare()) {
        add(type, key, malformed(type, event, random), emitAt);
        malformed.merge(type, 1L, Long::sum);
      }
    }

    private void add(EventType type, String key, byte[] value, long emitAt) {
      pending.add(new Pending(type, key, value, emitAt, sequence++));
    }

    /** A broken variant of a record: each kind of damage the parser must catch. */
    private byte[] malformed(EventType type, Map<String, Object> event, SplittableRandom random) {
      Map<String, Object> copy = new LinkedHashMap<>(event);
      switch (random.nextInt(6)) {
        case 0 -> {
          byte[] whole = json(event);
          return Arrays.copyOf(whole, whole.length / 2);
        }
        case 1 -> copy.remove(type.requiredFields().get(0));
        case 2 -> copy.put("event_timestamp", "yesterday at noon");
        case 3 -> copy.put(numericField(type), "not-a-number");
        case 4 -> {
          return "<html><body>502 Bad Gateway</body></html>".getBytes(StandardCharsets.UTF_8);
        }
        default -> {
          byte[] garbage = new byte[16 + random.nextInt(48)];
          for (int i = 0; i < garbage.length; i++) {
            int b = random.nextInt(256);
            garbage[i] = (byte) (b == '\n' || b == '\r' ? 0xFF : b);
          }
          return garbage;
        }
      }
      return json(copy);
    }

    private String numericField(EventType type) {
      return switch (type) {
        case BID_REQUEST -> "tmax";
        case BID_RESPONSE -> "seatbid";
        case IMPRESSION -> "bid_price";
        case CLICK -> "click_price";
        case CONVERSION -> "value";
      };
    }

    private String ip(String country) {
      if (random.nextDouble() < 0.02) {
        return switch (random.nextInt(3)) {
          case 0 ->
              "10."
                  + random.nextInt(256)
                  + "."
                  + random.nextInt(256)
                  + "."
                  + (1 + random.nextInt(254));
          case 1 -> "192.168." + random.nextInt(256) + "." + (1 + random.nextInt(254));
          default ->
              "172."
                  + (16 + random.nextInt(16))
                  + "."
                  + random.nextInt(256)
                  + "."
                  + (1 + random.nextInt(254));
        };
      }
      String[] addresses = PUBLIC_IPS.get(country);
      return addresses[random.nextInt(addresses.length)];
    }

    private String uuid() {
      return uuid(random);
    }

    private String uuid(SplittableRandom random) {
      return new UUID(random.nextLong(), random.nextLong()).toString();
    }

    /**
     * A conversion of the touch's user after it: click-through conversions within the click
     * lookback, view-through ones within the view lookback, a share on and past the edges.
     */
    private void convertAfter(Touch touch, int campaign, boolean click) {
      Duration lookback = click ? conversionRules.clickLookback() : conversionRules.viewLookback();
      long lookbackMicros = lookback.toNanos() / 1000;
      long delay;
      if (conversionRandom.nextDouble() < mix.edgeShare()) {
        delay =
            switch (conversionRandom.nextInt(3)) {
              case 0 -> lookbackMicros; // exactly on the edge: inside
              case 1 -> lookbackMicros + 1_000; // one millisecond past it
              default -> lookbackMicros + 1_000 + conversionRandom.nextLong(4 * 3_600_000_000L);
            };
      } else {
        // Most conversions come soon after the touch: exponential, mean a tenth of the lookback.
        double mean = lookbackMicros / 10.0;
        delay =
            Math.min(
                lookbackMicros - 1_000_000,
                1_000_000 + (long) (-Math.log(1 - conversionRandom.nextDouble()) * mean));
      }
      boolean postback = click && conversionRandom.nextDouble() < mix.postbackShare();
      long at = touch.time().toEpochMilli() * 1000 + delay;
      convert(touch.userId(), postback ? touch.id() : null, campaign, at);
    }

    /** Schedules one conversion (and, at the re-send share, its re-send) and records it. */
    private void convert(String userId, String clickId, int campaign, long atMicros) {
      if (!run.streams().contains(EventType.CONVERSION) || atMicros >= endMicros) {
        return; // a paced run ends before it: it has not happened yet
      }
      String conversionId = uuid(conversionRandom);
      String user = conversionRandom.nextDouble() < mix.noUserShare() ? null : userId;
      String type =
          EventType.CONVERSION_TYPES.get(
              pickIndex(new double[] {45, 25, 20, 10}, conversionRandom));
      Double valueUsd =
          switch (type) {
            case "purchase" -> round(Math.exp(3.5 + conversionRandom.nextGaussian() * 0.8), 2);
            case "install" -> round(conversionRandom.nextDouble() * 4, 2);
            case "signup" -> 0.0;
            default -> null; // leads carry no value
          };
      String currency = null;
      Double value = valueUsd;
      if (valueUsd != null && conversionRandom.nextDouble() < mix.foreignCurrencyShare()) {
        int foreign = conversionRandom.nextInt(CONVERSION_CURRENCIES.length);
        currency = CONVERSION_CURRENCIES[foreign];
        value = round(valueUsd / usdRates.getOrDefault(currency, 1.0), 2);
      } else if (conversionRandom.nextBoolean()) {
        currency = "USD";
      }
      String advertiserId = advertiserOf(campaign);
      Map<String, Object> event = new LinkedHashMap<>();
      event.put("conversion_id", conversionId);
      // Absent rather than null, as pixels and postbacks send them.
      putPresent(event, "user_id", user);
      putPresent(event, "click_id", clickId);
      event.put("advertiser_id", advertiserId);
      event.put("conversion_type", type);
      putPresent(event, "value", value);
      putPresent(event, "currency", currency);
      long at = ms(atMicros);
      event.put("event_timestamp", timestamp(at));
      schedule(EventType.CONVERSION, conversionId, event, at, conversionRandom);
      if (conversionRandom.nextDouble() < mix.resendShare()) {
        // The advertiser sends it again, minutes to hours later: still one conversion.
        add(
            EventType.CONVERSION,
            conversionId,
            json(event),
            at + 60_000_000L + conversionRandom.nextLong(2 * 3_600_000_000L));
        duplicates.merge(EventType.CONVERSION, 1L, Long::sum);
      }
      truth.conversion(
          new ConversionTruth.Conversion(
              conversionId, user, clickId, advertiserId, type, instant(at), value, currency));
    }

    private String pick(String[] values, double[] weights) {
      return values[pickIndex(weights)];
    }

    private int pickIndex(double[] weights) {
      return pickIndex(weights, random);
    }

    private int pickIndex(double[] weights, SplittableRandom random) {
      double sum = 0;
      for (double w : weights) {
        sum += w;
      }
      double u = random.nextDouble() * sum;
      for (int i = 0; i < weights.length; i++) {
        u -= weights[i];
        if (u < 0) {
          return i;
        }
      }
      return weights.length - 1;
    }
  }

  private record Pending(
      EventType type, String key, byte[] value, long emitAtMicros, long sequence) {}

  private static void putPresent(Map<String, Object> event, String field, Object value) {
    if (value != null) {
      event.put(field, value);
    }
  }

  private static byte[] json(Map<String, Object> event) {
    try {
      return JSON.writeValueAsBytes(event);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot serialise a generated event", e);
    }
  }

  private static Instant instant(long micros) {
    return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
  }

  /**
   * Event times are whole milliseconds, as on the wire, so the ground truth sees what the pipeline
   * sees.
   */
  private static long ms(long micros) {
    return micros - Math.floorMod(micros, 1000L);
  }

  /** ISO-8601 UTC with milliseconds, e.g. 2026-11-21T09:00:13.137Z. */
  static String timestamp(long micros) {
    Instant at = instant(ms(micros));
    return TIMESTAMP_FORMAT.format(at);
  }

  private static double round(double value, int decimals) {
    double scale = Math.pow(10, decimals);
    return Math.round(value * scale) / scale;
  }

  /** The id of campaign number {@code campaign} (1-based). */
  public static String campaignId(int campaign) {
    return String.format("cmp-%04d", campaign);
  }

  /** Campaigns belong to 16 advertisers, round robin. */
  static int advertiserNumber(int campaign) {
    return 1 + (campaign - 1) % 16;
  }

  /** The advertiser campaign number {@code campaign} belongs to (its conversions name it). */
  public static String advertiserOf(int campaign) {
    return String.format("adv-%03d", advertiserNumber(campaign));
  }
}
