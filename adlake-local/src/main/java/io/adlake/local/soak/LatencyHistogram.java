package io.adlake.local.soak;

import java.util.Arrays;

/**
 * Durations in fixed-width bins, so a soak of any length holds the same few kilobytes per series.
 * Values at or beyond the last bin are counted in it and reported as the largest value seen.
 */
public final class LatencyHistogram {
  private final long binMillis;
  private final long[] counts;
  private long total;
  private long maxMillis = Long.MIN_VALUE;

  /**
   * @param binMillis width of one bin: the resolution of every percentile
   * @param bins number of bins; values from {@code binMillis * (bins - 1)} on share the last
   */
  public LatencyHistogram(long binMillis, int bins) {
    if (binMillis <= 0) {
      throw new IllegalArgumentException("binMillis must be > 0, got " + binMillis);
    }
    if (bins < 2) {
      throw new IllegalArgumentException("bins must be >= 2, got " + bins);
    }
    this.binMillis = binMillis;
    this.counts = new long[bins];
  }

  /** Counts {@code weight} observations of {@code millis} (negative values count as 0). */
  public void add(long millis, long weight) {
    if (weight <= 0) {
      return;
    }
    long value = Math.max(0, millis);
    counts[(int) Math.min(counts.length - 1, value / binMillis)] += weight;
    total += weight;
    maxMillis = Math.max(maxMillis, value);
  }

  public void add(long millis) {
    add(millis, 1);
  }

  public void addAll(LatencyHistogram other) {
    if (other.binMillis != binMillis || other.counts.length != counts.length) {
      throw new IllegalArgumentException("Histograms of different bins cannot be merged");
    }
    for (int i = 0; i < counts.length; i++) {
      counts[i] += other.counts[i];
    }
    total += other.total;
    maxMillis = Math.max(maxMillis, other.maxMillis);
  }

  public long count() {
    return total;
  }

  public boolean isEmpty() {
    return total == 0;
  }

  /**
   * The nearest-rank percentile, {@code quantile} in (0, 1]: the upper edge of the bin holding the
   * observation of rank ceil(quantile × count), or the largest value seen when that is smaller or
   * the bin is the last. -1 when empty.
   */
  public long percentileMillis(double quantile) {
    if (!(quantile > 0 && quantile <= 1)) {
      throw new IllegalArgumentException("quantile must be in (0, 1], got " + quantile);
    }
    if (total == 0) {
      return -1;
    }
    // The epsilon keeps 0.9 × 10 at rank 9 despite binary floating point.
    long rank = Math.max(1, (long) Math.ceil(quantile * total - 1e-9));
    long seen = 0;
    for (int i = 0; i < counts.length; i++) {
      seen += counts[i];
      if (seen >= rank) {
        return i == counts.length - 1 ? maxMillis : Math.min(maxMillis, (i + 1) * binMillis);
      }
    }
    return maxMillis;
  }

  public void clear() {
    Arrays.fill(counts, 0);
    total = 0;
    maxMillis = Long.MIN_VALUE;
  }
}
