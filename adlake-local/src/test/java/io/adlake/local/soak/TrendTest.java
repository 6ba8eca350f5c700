package io.adlake.local.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.adlake.local.soak.Trend.Point;
import io.adlake.local.soak.Trend.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrendTest {
  private static final double EXACT = 1e-9;

  @Test
  void aSeriesGrowingTenPerHourWithoutNoiseIsRising() {
    // Every 6 minutes (0.1 h), 1 more: 10 per hour, no residual.
    Trend t =
        Trend.fit(
            List.of(
                new Point(0.0, 100),
                new Point(0.1, 101),
                new Point(0.2, 102),
                new Point(0.3, 103)));
    assertEquals(4, t.samples());
    assertEquals(101.5, t.mean(), EXACT);
    assertEquals(10.0, t.slopePerHour(), EXACT);
    assertEquals(0.0, t.slopeStandardError(), EXACT);
    assertEquals(3.0, t.changeOverRun(), EXACT);
    assertEquals(Verdict.RISING, t.verdict());
  }

  @Test
  void aConstantSeriesIsFlat() {
    Trend t = Trend.fit(List.of(new Point(0, 7), new Point(1, 7), new Point(2, 7)));
    assertEquals(0.0, t.slopePerHour(), EXACT);
    assertEquals(Verdict.FLAT, t.verdict());
  }

  @Test
  void aSlopeWithinTwoStandardErrorsIsFlat() {
    // x = 0, 1, 2, 3; y = 10, 12, 10, 12: slope 0.4, residuals -0.4, 1.2, -1.2, 0.4;
    // SSR 3.2, SE = sqrt(3.2 / 2 / 5) = 0.565685..., 2 SE = 1.13 > 0.4.
    Trend t =
        Trend.fit(List.of(new Point(0, 10), new Point(1, 12), new Point(2, 10), new Point(3, 12)));
    assertEquals(0.4, t.slopePerHour(), EXACT);
    assertEquals(Math.sqrt(0.32), t.slopeStandardError(), EXACT);
    assertEquals(1.2, t.changeOverRun(), EXACT);
    assertEquals(Verdict.FLAT, t.verdict());
  }

  @Test
  void aClearFallIsFalling() {
    // y = 50, 40, 31, 20 at x = 0, 1, 2, 3: slope -9.9, fitted 50.1, 40.2, 30.3, 20.4,
    // residuals -0.1, -0.2, 0.7, -0.4; SSR 0.7, SE = sqrt(0.7 / 2 / 5) = 0.2645...
    Trend t =
        Trend.fit(List.of(new Point(0, 50), new Point(1, 40), new Point(2, 31), new Point(3, 20)));
    assertEquals(-9.9, t.slopePerHour(), EXACT);
    assertEquals(Math.sqrt(0.07), t.slopeStandardError(), EXACT);
    assertEquals(Verdict.FALLING, t.verdict());
  }

  @Test
  void twoPointsAreTooFewForAVerdict() {
    Trend t = Trend.fit(List.of(new Point(0, 1), new Point(1, 5)));
    assertEquals(4.0, t.slopePerHour(), EXACT);
    assertEquals(Verdict.TOO_FEW_SAMPLES, t.verdict());
  }
}
