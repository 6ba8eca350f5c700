package io.adlake.event;

import static java.util.Objects.requireNonNull;

import io.adlake.config.AdlakeConfig.ConversionSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The expected last-touch attribution of generated conversions: the rules of docs/conversions.md in
 * plain Java over the touches the generator sent, written independently of the Spark code ({@code
 * io.adlake.transform.ConversionAttribution}) so that tests compare two implementations.
 *
 * <p>Rules, bounds inclusive, event time: (1) the click the conversion's {@code click_id} names,
 * when it lies in [conversion − click-lookback, conversion]; else (2) the user's latest click in
 * that range; else (3) the user's latest impression in [conversion − view-lookback, conversion];
 * else unattributed. Ties on time: the smallest touch id.
 */
public final class ConversionTruth {
  /** A click or an impression as the generator sent it. */
  public record Touch(
      boolean click,
      String id,
      String userId,
      Instant time,
      String campaignId,
      String adId,
      String publisherId) {}

  /** A conversion as the generator sent it (re-sends are the same record). */
  public record Conversion(
      String conversionId,
      String userId,
      String clickId,
      String advertiserId,
      String conversionType,
      Instant time,
      Double value,
      String currency) {}

  /** One row of attributed_conversions, as it must be. */
  public record ExpectedConversion(
      String conversionId,
      String userId,
      Instant conversionTime,
      Double valueUsd,
      String attribution,
      String touchId,
      Instant touchTime,
      String campaignId,
      String adId,
      String publisherId,
      Double secondsToConvert) {}

  public static final String CLICK_THROUGH = "click_through";
  public static final String VIEW_THROUGH = "view_through";
  public static final String UNATTRIBUTED = "unattributed";

  private final Duration clickLookback;
  private final Duration viewLookback;
  private final Map<String, Double> usdRates;
  private final Map<String, Touch> clicksById = new HashMap<>();
  private final Map<String, List<Touch>> clicksByUser = new HashMap<>();
  private final Map<String, List<Touch>> impressionsByUser = new HashMap<>();
  private final Map<String, Conversion> conversions = new HashMap<>();

  public ConversionTruth(ConversionSettings settings, Map<String, Double> usdRates) {
    this.clickLookback = settings.clickLookback();
    this.viewLookback = settings.viewLookback();
    this.usdRates = Map.copyOf(requireNonNull(usdRates, "usdRates"));
  }

  public void touch(Touch touch) {
    if (touch.click()) {
      clicksById.put(touch.id(), touch);
    }
    if (touch.userId() != null) {
      (touch.click() ? clicksByUser : impressionsByUser)
          .computeIfAbsent(touch.userId(), u -> new ArrayList<>())
          .add(touch);
    }
  }

  public void conversion(Conversion conversion) {
    conversions.putIfAbsent(conversion.conversionId(), conversion);
  }

  /** The expected row of every conversion recorded, in no particular order. */
  public List<ExpectedConversion> expected() {
    List<ExpectedConversion> rows = new ArrayList<>();
    for (Conversion c : conversions.values()) {
      rows.add(attribute(c));
    }
    return rows;
  }

  private ExpectedConversion attribute(Conversion c) {
    String attribution = CLICK_THROUGH;
    Touch winner = null;
    if (c.clickId() != null) {
      Touch click = clicksById.get(c.clickId());
      if (click != null && within(click.time(), c.time(), clickLookback)) {
        winner = click;
      }
    }
    if (winner == null && c.userId() != null) {
      winner = latest(clicksByUser.get(c.userId()), c.time(), clickLookback);
    }
    if (winner == null && c.userId() != null) {
      winner = latest(impressionsByUser.get(c.userId()), c.time(), viewLookback);
      attribution = VIEW_THROUGH;
    }
    if (winner == null) {
      attribution = UNATTRIBUTED;
    }
    return new ExpectedConversion(
        c.conversionId(),
        c.userId(),
        c.time(),
        valueUsd(c),
        attribution,
        winner == null ? null : winner.id(),
        winner == null ? null : winner.time(),
        winner == null ? null : winner.campaignId(),
        winner == null ? null : winner.adId(),
        winner == null ? null : winner.publisherId(),
        winner == null ? null : (c.time().toEpochMilli() - winner.time().toEpochMilli()) / 1000.0);
  }

  /** The latest touch in [at − lookback, at]; ties: the smallest id. */
  private static Touch latest(List<Touch> touches, Instant at, Duration lookback) {
    Touch best = null;
    if (touches == null) {
      return null;
    }
    for (Touch t : touches) {
      if (!within(t.time(), at, lookback)) {
        continue;
      }
      if (best == null
          || t.time().isAfter(best.time())
          || (t.time().equals(best.time()) && t.id().compareTo(best.id()) < 0)) {
        best = t;
      }
    }
    return best;
  }

  private static boolean within(Instant touch, Instant conversion, Duration lookback) {
    return !touch.isAfter(conversion) && !touch.isBefore(conversion.minus(lookback));
  }

  private Double valueUsd(Conversion c) {
    Double rate = usdRates.get(c.currency() == null ? "USD" : c.currency());
    return c.value() == null || rate == null ? null : c.value() * rate;
  }
}
