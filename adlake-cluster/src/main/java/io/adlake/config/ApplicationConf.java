package io.adlake.config;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * conf/application.conf, rendered from the declarations in {@link AdlakeConfig}: each key with its
 * default and, above it, its meaning. {@code make conf} writes the file; a test keeps it equal to
 * the declarations.
 */
public final class ApplicationConf {
  static final String PATH = "conf/application.conf";
  private static final int WIDTH = 112;
  private static final String HEADER =
      """
      # adlake defaults, rendered by `make conf` from the declarations in
      # adlake-cluster/src/main/java/io/adlake/config/AdlakeConfig.java: change a setting there, not here.
      # Every environment file (local.conf, docker.conf, glue.conf, emr.conf) overrides these; any key can also be
      # overridden with `--conf adlake.some.key=value` on the command line or an environment variable
      # CONFIG_FORCE_adlake_some_key=value (Typesafe Config: `.` -> `_`, `-` -> `__`).
      # A key that is not declared here is rejected at start, so a typo never passes silently.
      """;

  private ApplicationConf() {}

  /** Writes conf/application.conf, or the file given. */
  public static void main(String[] args) throws IOException {
    Files.writeString(Path.of(args.length > 0 ? args[0] : PATH), render());
  }

  public static String render() {
    StringBuilder out = new StringBuilder(HEADER).append("adlake {\n");
    section(out, AdlakeConfig.class, "  ");
    return out.append("}\n").toString();
  }

  private static void section(StringBuilder out, Class<?> type, String indent) {
    boolean first = true;
    for (RecordComponent component : type.getRecordComponents()) {
      Setting setting = component.getAnnotation(Setting.class);
      String key = kebab(component.getName());
      if (component.getType().isRecord()) {
        out.append(first ? "" : "\n");
        comment(out, setting == null ? "" : setting.doc(), indent);
        out.append(indent).append(key).append(" {\n");
        section(out, component.getType(), indent + "  ");
        out.append(indent).append("}\n");
      } else if (setting(component).sameAs().isEmpty()) {
        comment(out, setting.doc(), indent);
        out.append(indent)
            .append(key)
            .append(" = ")
            .append(hocon(setting.value(), component.getType()))
            .append('\n');
      }
      first = false;
    }
  }

  /**
   * The key of a record component under {@code path}: its name in kebab case ({@code clickWindow} →
   * {@code click-window}), or the key it is declared the same as.
   */
  static String key(String path, RecordComponent component) {
    Setting setting = component.getAnnotation(Setting.class);
    if (setting != null && !setting.sameAs().isEmpty()) {
      return setting.sameAs();
    }
    return path + "." + kebab(component.getName());
  }

  static String kebab(String name) {
    return name.replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
  }

  /** The setting of a component that is a key; a key without one is a programming error. */
  static Setting setting(RecordComponent component) {
    Setting setting = component.getAnnotation(Setting.class);
    if (setting == null) {
      throw new IllegalStateException(
          component.getDeclaringRecord().getName()
              + "."
              + component.getName()
              + " is a key without a @Setting declaration");
    }
    return setting;
  }

  /**
   * The default as HOCON: strings and choices quoted, maps in braces, the rest (and substitutions)
   * as written.
   */
  private static String hocon(String value, Class<?> type) {
    if (value.startsWith("${")) {
      return value;
    } else if (type == Map.class) {
      return value.isEmpty() ? "{}" : "{ " + value + " }";
    } else if (type == String.class
        || type == Optional.class
        || type == Instant.class
        || type.isEnum()) {
      return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
    return value;
  }

  /** {@code doc} as # lines that fit the width. */
  private static void comment(StringBuilder out, String doc, String indent) {
    StringBuilder line = new StringBuilder();
    for (String word : doc.trim().split("\\s+")) {
      if (word.isEmpty()) {
        continue;
      }
      if (line.length() > 0 && indent.length() + 2 + line.length() + 1 + word.length() > WIDTH) {
        out.append(indent).append("# ").append(line).append('\n');
        line.setLength(0);
      }
      line.append(line.length() > 0 ? " " : "").append(word);
    }
    if (line.length() > 0) {
      out.append(indent).append("# ").append(line).append('\n');
    }
  }
}
