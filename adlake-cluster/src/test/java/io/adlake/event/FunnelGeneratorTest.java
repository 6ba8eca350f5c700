package io.adlake.event;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adlake.TestServices;
import io.adlake.config.AdlakeConfig;
import io.adlake.config.ConfigLoader;
import io.adlake.event.FunnelGenerator.Summary;
import io.adlake.geo.CityDatabase;
import io.adlake.geo.GeoLocation;
import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FunnelGeneratorTest {
  private static final Instant START = Instant.parse("2026-11-21T09:00:00Z");
  private final AdlakeConfig config = ConfigLoader.load("local", List.of());

  /** Keeps every record in memory. */
  static final class Recorder implements EventSink {
    final Map<EventType, List<byte[]>> records = new EnumMap<>(EventType.class);

    @Override
    public void send(EventType type, String key, byte[] value) {
      records.computeIfAbsent(type, t -> new ArrayList<>()).add(value);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}

    List<byte[]> all() {
      List<byte[]> all = new ArrayList<>();
      records.values().forEach(all::addAll);
      return all;
    }
  }

  private Recorder generate(long events, Instant start) throws InterruptedException {
    Recorder recorder = new Recorder();
    new FunnelGenerator(config)
        .generate(FunnelGenerator.Run.count(events, 1000, start), recorder, s -> {});
    return recorder;
  }

  @Test
  void sameSeedAndStartGiveTheSameBytes() throws Exception {
    List<byte[]> first = generate(5_000, START).all();
    List<byte[]> second = generate(5_000, START).all();
    assertEquals(first.size(), second.size());
    for (int i = 0; i < first.size(); i++) {
      assertArrayEquals(first.get(i), second.get(i), "record " + i);
    }
    assertNotEquals(
        new String(first.get(0)),
        new String(generate(5_000, START.plusSeconds(1)).all().get(0)),
        "another start time gives other ids");
  }

  @Test
  void conversionsFollowTheirUsersTouchesAtTheConfiguredRatesAndChangeNoFunnelRecord()
      throws Exception {
    AdlakeConfig converting =
        ConfigLoader.load(
            "local",
            List.of(
                "adlake.generator.click-rate=0.2",
                "adlake.generator.conversions.click-rate=0.5",
                "adlake.generator.conversions.view-rate=0.02"));
    Recorder recorder = new Recorder();
    Summary summary =
        new FunnelGenerator(converting)
            .generate(FunnelGenerator.Run.count(60_000, 1000, START), recorder, s -> {});
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> conversions = new ArrayList<>();
    for (byte[] record : recorder.records.get(EventType.CONVERSION)) {
      JsonNode node;
      try {
        node = json.readTree(record);
      } catch (IOException malformed) {
        continue; // the generator's broken variants
      }
      if (node != null
          && node.isObject()
          && node.has("conversion_type")
          && node.path("event_timestamp").asText().matches("\\d{4}-.*")
          && (!node.has("value") || node.path("value").isNumber())) {
        conversions.add(node);
      }
    }
    double clicks = summary.sent(EventType.CLICK);
    double impressions = summary.sent(EventType.IMPRESSION);
    double touched = 0.5 * clicks + 0.02 * impressions;
    long withUser =
        conversions.stream().filter(c -> c.path("user_id").asText().startsWith("u-")).count();
    // Each clean conversion once, and the re-sends (same record) counted as duplicates.
    assertEquals(summary.sent(EventType.CONVERSION), summary.conversions().size());
    assertEquals(touched, withUser, touched * 0.15, "conversions of touched users");
    long postbacks = conversions.stream().filter(c -> c.has("click_id")).count();
    assertEquals(0.3 * 0.5 * clicks, postbacks, 0.3 * 0.5 * clicks * 0.25, "postbacks");
    assertTrue(
        conversions.stream().anyMatch(c -> c.path("currency").asText().equals("EUR")),
        "non-USD values");
    assertTrue(
        summary.duplicates().getOrDefault(EventType.CONVERSION, 0L) > 0, "re-sent conversions");
    // Every attributed conversion's touch lies before it, within its lookback.
    summary.conversions().stream()
        .filter(c -> c.touchTime() != null)
        .forEach(
            c ->
                assertTrue(
                    !c.touchTime().isAfter(c.conversionTime())
                        && c.secondsToConvert()
                            <= (c.attribution().equals("view_through") ? 3600 : 86_400),
                    c.toString()));
    // The funnel's records are those of the seed whatever the conversions: only user_id is new.
    Recorder plain = new Recorder();
    new FunnelGenerator(ConfigLoader.load("local", List.of("adlake.generator.click-rate=0.2")))
        .generate(
            FunnelGenerator.Run.count(60_000, 1000, START)
                .onlyStreams(
                    Set.of(
                        EventType.BID_REQUEST,
                        EventType.BID_RESPONSE,
                        EventType.IMPRESSION,
                        EventType.CLICK)),
            plain,
            s -> {});
    assertArrayEquals(
        recorder.records.get(EventType.BID_REQUEST).get(100),
        plain.records.get(EventType.BID_REQUEST).get(100));
  }

  @Test
  void funnelRatesAndTrafficMixFollowTheSettings() throws Exception {
    Recorder recorder = new Recorder();
    Summary summary =
        new FunnelGenerator(config)
            .generate(FunnelGenerator.Run.count(200_000, 1000, START), recorder, s -> {});
    double requests = summary.sent(EventType.BID_REQUEST);
    double responses = summary.sent(EventType.BID_RESPONSE);
    double impressions = summary.sent(EventType.IMPRESSION);
    assertEquals(0.60, responses / requests, 0.01);
    assertEquals(0.15, impressions / responses, 0.01);
    assertEquals(0.02, summary.sent(EventType.CLICK) / impressions, 0.005);

    ObjectMapper json = new ObjectMapper();
    int parsed = 0;
    int app = 0;
    int foreignFloor = 0;
    int testPublisher = 0;
    int privateIp = 0;
    for (byte[] record : recorder.records.get(EventType.BID_REQUEST)) {
      JsonNode r;
      try {
        r = json.readTree(record);
      } catch (Exception e) {
        continue; // a malformed extra
      }
      if (r == null || !r.has("id") || !r.has("imp") || !r.has("device")) {
        continue;
      }
      parsed++;
      JsonNode inventory = r.has("app") ? r.get("app") : r.get("site");
      app += r.has("app") ? 1 : 0;
      foreignFloor += r.get("imp").get(0).get("bidfloorcur").asText().equals("USD") ? 0 : 1;
      testPublisher += inventory.get("publisher").get("id").asText().startsWith("test-") ? 1 : 0;
      String ip = r.get("device").get("ip").asText();
      privateIp +=
          ip.startsWith("10.")
                  || ip.startsWith("192.168.")
                  || ip.matches("172\\.(1[6-9]|2\\d|3[01])\\..*")
              ? 1
              : 0;
    }
    assertEquals(0.30, (double) app / parsed, 0.01);
    assertEquals(0.10, (double) foreignFloor / parsed, 0.01);
    assertEquals(0.05, (double) testPublisher / parsed, 0.01);
    assertEquals(0.02, (double) privateIp / parsed, 0.005);
  }

  @Test
  void duplicatesAndMalformedRecordsAreSentAtTheirShares() throws Exception {
    Recorder recorder = new Recorder();
    Summary summary =
        new FunnelGenerator(config)
            .generate(FunnelGenerator.Run.count(100_000, 1000, START), recorder, s -> {});
    long clean = summary.sent().values().stream().mapToLong(Long::longValue).sum();
    long duplicates = summary.duplicates().values().stream().mapToLong(Long::longValue).sum();
    long malformed = summary.malformed().values().stream().mapToLong(Long::longValue).sum();
    assertEquals(clean + duplicates + malformed, recorder.all().size());
    assertEquals(summary.total(), recorder.all().size());
    assertEquals(0.01, (double) duplicates / clean, 0.002);
    assertEquals(0.005, (double) malformed / clean, 0.0015);
  }

  @Test
  void timestampsAreIsoUtcWithMilliseconds() {
    assertEquals(
        "2026-11-21T09:00:13.137Z",
        FunnelGenerator.timestamp(
            ChronoUnit.MICROS.between(
                Instant.EPOCH, Instant.parse("2026-11-21T09:00:13.137912Z"))));
    assertTrue(FunnelGenerator.timestamp(0).equals("1970-01-01T00:00:00.000Z"));
  }

  @Test
  void everyPublicDeviceIpIsACityOfTheRequestsCountryInTheDemosGeoLite2File() throws Exception {
    assertEquals(
        Set.of(
            "USA", "GBR", "DEU", "FRA", "JPN", "CAN", "BRA", "IND", "AUS", "ESP", "ITA", "MEX",
            "NLD"),
        FunnelGenerator.PUBLIC_IPS.keySet());
    Map<String, String> alpha3ToAlpha2 = new HashMap<>();
    for (String alpha2 : Locale.getISOCountries()) {
      alpha3ToAlpha2.put(new Locale("", alpha2).getISO3Country(), alpha2);
    }
    try (CityDatabase database = CityDatabase.open(TestServices.geoLite2City(), "GeoLite2-City")) {
      FunnelGenerator.PUBLIC_IPS.forEach(
          (country, addresses) -> {
            for (String address : addresses) {
              Optional<GeoLocation> location = database.locate(address);
              assertTrue(location.map(GeoLocation::city).isPresent(), address + " has no city");
              assertTrue(
                  location.get().region().startsWith(alpha3ToAlpha2.get(country) + "-"),
                  address + " of " + country + " is in " + location.get().region());
            }
          });
    }
  }

  @Test
  void requestsCarryAPublicIpOfTheirCountryOrAPrivateOne() throws Exception {
    ObjectMapper json = new ObjectMapper();
    int publicIps = 0;
    int privateIps = 0;
    for (byte[] record : generate(5_000, START).records.get(EventType.BID_REQUEST)) {
      JsonNode request;
      try {
        request = json.readTree(record);
      } catch (IOException malformed) {
        continue; // a malformed extra
      }
      if (request == null || !request.path("device").has("ip")) {
        continue;
      }
      JsonNode device = request.path("device");
      String ip = device.path("ip").asText();
      String country = device.path("geo").path("country").asText();
      if (List.of(FunnelGenerator.PUBLIC_IPS.get(country)).contains(ip)) {
        publicIps++;
      } else {
        assertTrue(
            ip.matches("(10|192\\.168|172\\.(1[6-9]|2[0-9]|3[01]))\\..*"), ip + " of " + country);
        privateIps++;
      }
    }
    assertTrue(privateIps > 0 && publicIps > 20 * privateIps, publicIps + " / " + privateIps);
  }
}
