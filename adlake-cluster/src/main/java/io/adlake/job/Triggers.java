package io.adlake.job;

import io.adlake.config.ConfigLoader;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.streaming.Trigger;

/**
 * {@code --trigger}: processing-time (the configured interval), available-now, or an interval like
 * 30s.
 */
public final class Triggers {
  public static final String PROCESSING_TIME = "processing-time";
  public static final String AVAILABLE_NOW = "available-now";

  private Triggers() {}

  public static Trigger parse(String value, Duration configuredInterval) {
    if (value == null || value.equals(PROCESSING_TIME)) {
      return Trigger.ProcessingTime(configuredInterval.toMillis(), TimeUnit.MILLISECONDS);
    }
    if (value.equals(AVAILABLE_NOW)) {
      return Trigger.AvailableNow();
    }
    Duration interval =
        ConfigLoader.duration(value, "--trigger (processing-time, available-now or an interval)");
    return Trigger.ProcessingTime(interval.toMillis(), TimeUnit.MILLISECONDS);
  }
}
