package io.adlake.peers.flink;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The peer's Flink SQL, kept as files under {@code sql/peer-flink/} and filled in from {@link
 * PeerOptions}, whose values are checked before they get here.
 */
public final class AttributionSql {
  /** The Flink catalog name the statements give the Iceberg Hadoop catalog. */
  public static final String CATALOG = "adlake_lake";

  /** The peer's table: adlake's enriched_ad_data, as the Flink pipeline writes it. */
  public static final String TABLE = "attributed_clicks_flink";

  private static final String ROOT = "sql/peer-flink/";
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([a-z_]+)}");
  private static final Pattern STATEMENT_END = Pattern.compile(";\\s*(?:\\n|$)");

  private final Map<String, String> values;

  private AttributionSql(Map<String, String> values) {
    this.values = Map.copyOf(values);
  }

  public static AttributionSql of(PeerOptions options) {
    requireNonNull(options, "options");
    return new AttributionSql(
        Map.of(
            "catalog",
            CATALOG,
            "namespace",
            options.namespace(),
            "table",
            TABLE,
            "warehouse",
            options.warehouseUri(),
            "bootstrap_servers",
            options.bootstrapServers(),
            "group_id",
            options.groupId(),
            "impressions_topic",
            options.impressionsTopic(),
            "clicks_topic",
            options.clicksTopic(),
            "watermark_delay",
            dayToSecond(options.watermarkDelay())));
  }

  /**
   * A duration as the text of Flink's {@code INTERVAL '...' DAY TO SECOND} literal, {@code d
   * hh:mm:ss.fff}: its planner takes interval literals of the default precisions only, and a SECOND
   * literal of that precision cannot pass 99 s.
   */
  static String dayToSecond(Duration duration) {
    return String.format(
        Locale.ROOT,
        "%d %02d:%02d:%02d.%03d",
        duration.toDays(),
        duration.toHoursPart(),
        duration.toMinutesPart(),
        duration.toSecondsPart(),
        duration.toMillisPart());
  }

  /** The catalog, namespace and table, each statement created only when missing. */
  public List<String> tableStatements() {
    return statements("attributed-clicks-table.sql");
  }

  /** The Kafka tables and views, then the INSERT that runs as the streaming job (last). */
  public List<String> attributionStatements() {
    return statements("attribution.sql");
  }

  List<String> statements(String file) {
    String text = fill(withoutComments(read(file)), file);
    List<String> statements = new ArrayList<>();
    for (String statement : STATEMENT_END.split(text)) {
      if (!statement.isBlank()) {
        statements.add(statement.strip());
      }
    }
    return statements;
  }

  private String fill(String template, String file) {
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = values.get(m.group(1));
      if (value == null) {
        throw new IllegalStateException(
            "Placeholder ${" + m.group(1) + "} of " + ROOT + file + " has no value");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** Whole-line {@code --} comments only: the statements carry none inside string literals. */
  private static String withoutComments(String text) {
    StringBuilder out = new StringBuilder();
    for (String line : text.split("\n", -1)) {
      if (!line.strip().startsWith("--")) {
        out.append(line).append('\n');
      }
    }
    return out.toString();
  }

  private static String read(String file) {
    try (InputStream in = AttributionSql.class.getClassLoader().getResourceAsStream(ROOT + file)) {
      if (in == null) {
        throw new IllegalStateException(ROOT + file + " is not on the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + ROOT + file, e);
    }
  }
}
