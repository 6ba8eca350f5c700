package io.adlake.local.soak;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Counts Iceberg's "Unclosed input stream" warnings: HadoopStreams logs one from the finalizer of a
 * stream that was garbage collected without being closed (and closes it then). Keeps the first few
 * distinct creation stacks, so the report can say where they come from.
 */
final class UnclosedStreamCounter extends AbstractAppender {
  static final String LOGGER = "org.apache.iceberg.hadoop.HadoopStreams";
  private static final int KEPT_STACKS = 5;

  private final AtomicLong count = new AtomicLong();
  private final Map<String, Long> stacks = new LinkedHashMap<>();

  private UnclosedStreamCounter() {
    super("soak-unclosed-streams", null, null, true, Property.EMPTY_ARRAY);
  }

  /** Attaches a counter to HadoopStreams' logger; its warnings still reach the log as before. */
  static UnclosedStreamCounter attach() {
    UnclosedStreamCounter counter = new UnclosedStreamCounter();
    counter.start();
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    Configuration config = context.getConfiguration();
    config.addAppender(counter);
    LoggerConfig logger = new LoggerConfig(LOGGER, Level.WARN, true);
    logger.addAppender(counter, Level.WARN, null);
    config.addLogger(LOGGER, logger);
    context.updateLoggers();
    return counter;
  }

  @Override
  public void append(LogEvent event) {
    String message = event.getMessage().getFormattedMessage();
    if (!message.startsWith("Unclosed input stream")) {
      return;
    }
    count.incrementAndGet();
    synchronized (stacks) {
      // The creating frames up to the caller outside Iceberg's I/O classes identify the path.
      String stack =
          String.join("\n    ", message.lines().skip(1).map(String::strip).limit(14).toList());
      if (stacks.containsKey(stack) || stacks.size() < KEPT_STACKS) {
        stacks.merge(stack, 1L, Long::sum);
      }
    }
  }

  long count() {
    return count.get();
  }

  /** The distinct creation stacks kept, each with how often it was seen. */
  List<Map.Entry<String, Long>> stacks() {
    synchronized (stacks) {
      return new ArrayList<>(stacks.entrySet());
    }
  }
}
