package io.adlake.local.soak;

import java.util.List;

/**
 * A least-squares line through a series sampled over time, and whether it is flat within the
 * series' own noise: a slope within two standard errors of zero (about 95 % confidence) is flat.
 *
 * @param samples points fitted
 * @param mean mean of the values
 * @param slopePerHour fitted change per hour
 * @param slopeStandardError standard error of the slope, per hour
 * @param changeOverRun fitted change from the first to the last point
 */
public record Trend(
    int samples,
    double mean,
    double slopePerHour,
    double slopeStandardError,
    double changeOverRun) {

  /** Fewer points than this say nothing about a trend. */
  public static final int MIN_SAMPLES = 3;

  public enum Verdict {
    FLAT,
    RISING,
    FALLING,
    TOO_FEW_SAMPLES
  }

  /** One observation: hours since the start, value. */
  public record Point(double hours, double value) {}

  public static Trend fit(List<Point> points) {
    int n = points.size();
    if (n == 0) {
      return new Trend(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }
    double meanX = points.stream().mapToDouble(Point::hours).average().orElseThrow();
    double meanY = points.stream().mapToDouble(Point::value).average().orElseThrow();
    if (n < 2) {
      return new Trend(n, meanY, Double.NaN, Double.NaN, Double.NaN);
    }
    double sxx = 0;
    double sxy = 0;
    for (Point p : points) {
      sxx += (p.hours() - meanX) * (p.hours() - meanX);
      sxy += (p.hours() - meanX) * (p.value() - meanY);
    }
    if (sxx == 0) {
      throw new IllegalArgumentException("All " + n + " points have the same time");
    }
    double slope = sxy / sxx;
    double intercept = meanY - slope * meanX;
    double squaredResiduals = 0;
    for (Point p : points) {
      double residual = p.value() - (intercept + slope * p.hours());
      squaredResiduals += residual * residual;
    }
    double standardError = n > 2 ? Math.sqrt(squaredResiduals / (n - 2) / sxx) : Double.NaN;
    double span = points.get(n - 1).hours() - points.get(0).hours();
    return new Trend(n, meanY, slope, standardError, slope * span);
  }

  public Verdict verdict() {
    if (samples < MIN_SAMPLES) {
      return Verdict.TOO_FEW_SAMPLES;
    }
    if (Math.abs(slopePerHour) <= 2 * slopeStandardError) {
      return Verdict.FLAT;
    }
    return slopePerHour > 0 ? Verdict.RISING : Verdict.FALLING;
  }
}
