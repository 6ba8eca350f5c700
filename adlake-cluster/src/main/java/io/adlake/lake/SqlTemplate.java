package io.adlake.lake;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SQL kept in {@code src/main/resources/sql/}, readable by analysts, with {@code ${name}}
 * placeholders. Callers substitute only validated identifiers or SQL they generated themselves,
 * never raw input.
 */
public final class SqlTemplate {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([a-z_][a-z0-9_]*)}");

  private SqlTemplate() {}

  public static String load(String resource) {
    try (InputStream in = SqlTemplate.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "SQL resource " + resource + " is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Loads and fills a template; every placeholder must have a value. Comment lines are dropped. */
  public static String render(String resource, Map<String, String> values) {
    StringBuilder sql = new StringBuilder();
    for (String line : load(resource).split("\n")) {
      if (!line.stripLeading().startsWith("--")) {
        sql.append(line).append('\n');
      }
    }
    Matcher m = PLACEHOLDER.matcher(sql);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = values.get(m.group(1));
      if (value == null) {
        throw new IllegalArgumentException("No value for ${" + m.group(1) + "} in " + resource);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString().strip();
  }
}
