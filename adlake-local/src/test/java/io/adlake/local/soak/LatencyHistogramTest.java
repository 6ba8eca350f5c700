package io.adlake.local.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LatencyHistogramTest {
  @Test
  void percentilesAreNearestRankAtTheUpperEdgeOfTheirBin() {
    LatencyHistogram h = new LatencyHistogram(100, 50);
    for (long ms = 10; ms <= 1000; ms += 10) {
      h.add(ms); // 100 values: 10, 20, ..., 1000
    }
    assertEquals(100, h.count());
    // Rank 50 is 500 ms, in bin [500, 600).
    assertEquals(600, h.percentileMillis(0.50));
    // Rank 99 is 990 ms, in bin [900, 1000); rank 100 is 1000 ms, the largest value seen.
    assertEquals(1000, h.percentileMillis(0.99));
    assertEquals(1000, h.percentileMillis(1.0));
    // Rank 1 is 10 ms, in bin [0, 100).
    assertEquals(100, h.percentileMillis(0.01));
  }

  @Test
  void aPercentileNeverExceedsTheLargestValueSeen() {
    LatencyHistogram h = new LatencyHistogram(1000, 10);
    h.add(1200, 3);
    assertEquals(1200, h.percentileMillis(0.5));
  }

  @Test
  void valuesBeyondTheLastBinReportTheLargestSeen() {
    LatencyHistogram h = new LatencyHistogram(100, 10);
    h.add(50, 98);
    h.add(5_000);
    h.add(70_000);
    assertEquals(100, h.percentileMillis(0.98));
    assertEquals(70_000, h.percentileMillis(0.99));
  }

  @Test
  void weightsCountAsThatManyObservationsAndMergeAddsThem() {
    LatencyHistogram a = new LatencyHistogram(100, 100);
    a.add(250, 9);
    LatencyHistogram b = new LatencyHistogram(100, 100);
    b.add(4_050, 1);
    a.addAll(b);
    assertEquals(10, a.count());
    assertEquals(300, a.percentileMillis(0.9));
    assertEquals(4_050, a.percentileMillis(0.91));
    a.clear();
    assertEquals(-1, a.percentileMillis(0.5));
  }

  @Test
  void aQuantileOutsideZeroToOneIsRefusedNamingIt() {
    LatencyHistogram h = new LatencyHistogram(100, 10);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> h.percentileMillis(99));
    assertEquals("quantile must be in (0, 1], got 99.0", e.getMessage());
  }
}
