package io.adlake.event;

import io.adlake.event.FunnelGenerator.Summary;
import java.io.PrintStream;
import java.util.function.Consumer;

/** Prints a generator's progress: one line a second, and the totals at the end. */
public final class GenerationProgress implements Consumer<Summary> {
  private final PrintStream out;
  private final long target;

  /**
   * @param target the number of events asked for, or 0 when the run is bounded by time
   */
  public GenerationProgress(PrintStream out, long target) {
    this.out = out;
    this.target = target;
  }

  @Override
  public void accept(Summary s) {
    double seconds = Math.max(0.001, s.elapsed().toNanos() / 1e9);
    String of =
        target > 0
            ? String.format(" of %,d (%.0f%%)", target, Math.min(100.0, 100.0 * s.total() / target))
            : "";
    out.printf(
        "  generated %,d events%s in %.1f s, %,.0f ev/s: requests %,d, responses %,d, impressions %,d, "
            + "clicks %,d, conversions %,d%n",
        s.total(),
        of,
        seconds,
        s.total() / seconds,
        s.sent(EventType.BID_REQUEST),
        s.sent(EventType.BID_RESPONSE),
        s.sent(EventType.IMPRESSION),
        s.sent(EventType.CLICK),
        s.sent(EventType.CONVERSION));
  }

  /** The closing line: what the run sent beyond the clean funnel. */
  public void finish(Summary s) {
    long duplicates = s.duplicates().values().stream().mapToLong(Long::longValue).sum();
    long malformed = s.malformed().values().stream().mapToLong(Long::longValue).sum();
    out.printf(
        "  done: %,d events (%,d re-sent duplicates, %,d malformed), %,d clicks inside the attribution "
            + "window, %,d conversions (%,d attributed)%n",
        s.total(),
        duplicates,
        malformed,
        s.expected().size(),
        s.conversions().size(),
        s.conversions().stream().filter(c -> !c.attribution().equals("unattributed")).count());
  }
}
