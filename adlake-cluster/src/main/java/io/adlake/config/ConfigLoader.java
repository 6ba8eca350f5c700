package io.adlake.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import io.adlake.config.Setting.Rule;
import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Reads the defaults (the declarations in {@link AdlakeConfig}, as rendered into
 * conf/application.conf), the environment's file on top, then {@code CONFIG_FORCE_*} environment
 * variables and {@code --conf} overrides; {@link ConfigBinder} turns the result into a validated
 * {@link AdlakeConfig}.
 */
public final class ConfigLoader {
  private ConfigLoader() {}

  /**
   * @param env an environment name ({@code local} → {@code conf/local.conf} under the working
   *     directory or on the classpath) or the path or Hadoop file-system URI of a HOCON file
   * @param overrides {@code key=value} pairs from {@code --conf}; later ones win
   */
  public static AdlakeConfig load(String env, List<String> overrides) {
    return ConfigBinder.bind(resolve(env, overrides));
  }

  /** The layers merged and resolved, no key unknown; not yet bound. */
  static Config resolve(String env, List<String> overrides) {
    Config merged;
    try {
      merged =
          parseOverrides(overrides)
              .withFallback(ConfigFactory.systemEnvironmentOverrides())
              .withFallback(environmentFile(env))
              .withFallback(
                  ConfigFactory.parseString(
                      ApplicationConf.render(),
                      ConfigParseOptions.defaults().setOriginDescription(ApplicationConf.PATH)))
              .resolve(ConfigResolveOptions.defaults().setAllowUnresolved(false));
    } catch (ConfigException.UnresolvedSubstitution e) {
      // conf/glue.conf and conf/emr.conf take deployment values from required ${VARIABLE}s.
      throw new ConfigurationException(
          e.getMessage()
              + ". Set that environment variable, or the setting with "
              + "--conf, for environment "
              + env
              + ".",
          e);
    }
    Set<String> unknown =
        merged.entrySet().stream()
            .map(Map.Entry::getKey)
            .filter(path -> path.startsWith("adlake.") && !ConfigBinder.isDeclared(path))
            .collect(Collectors.toCollection(TreeSet::new));
    if (!unknown.isEmpty()) {
      throw new ConfigurationException(
          "Unknown configuration key(s): "
              + String.join(", ", unknown)
              + ". Every valid key is declared, with its meaning, in conf/application.conf.");
    }
    return merged;
  }

  private static Config environmentFile(String env) {
    if (env == null || env.isBlank()) {
      return ConfigFactory.empty();
    }
    if (env.matches("[A-Za-z][A-Za-z0-9+.-]*://.*")) {
      return fromFileSystem(env);
    }
    File file = new File(env);
    if (file.isFile()) {
      return ConfigFactory.parseFile(file, ConfigParseOptions.defaults().setAllowMissing(false));
    }
    File underConf = new File("conf", env + ".conf");
    if (underConf.isFile()) {
      return ConfigFactory.parseFile(
          underConf, ConfigParseOptions.defaults().setAllowMissing(false));
    }
    Config fromClasspath = ConfigFactory.parseResources("conf/" + env + ".conf");
    if (fromClasspath.isEmpty()) {
      throw new ConfigurationException(
          "Unknown environment '"
              + env
              + "': no file "
              + env
              + ", conf/"
              + env
              + ".conf or classpath conf/"
              + env
              + ".conf. Use one of local, docker, glue, emr or the path of a HOCON file.");
    }
    return fromClasspath;
  }

  /**
   * A HOCON file at a Hadoop file-system URI ({@code s3://} on Glue and EMR, {@code s3a://}, {@code
   * hdfs://}, {@code file://}). The Hadoop configuration is the platform's ({@code core-site.xml}
   * on the classpath) plus every {@code spark.hadoop.*} system property, which is where
   * spark-submit puts {@code --conf spark.hadoop.…} settings before a SparkContext exists.
   */
  private static Config fromFileSystem(String uri) {
    Configuration hadoop = new Configuration();
    System.getProperties().stringPropertyNames().stream()
        .filter(k -> k.startsWith("spark.hadoop."))
        .forEach(k -> hadoop.set(k.substring("spark.hadoop.".length()), System.getProperty(k)));
    Path path = new Path(uri);
    try (InputStream in = path.getFileSystem(hadoop).open(path)) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return ConfigFactory.parseString(
          text, ConfigParseOptions.defaults().setOriginDescription(uri));
    } catch (ConfigException e) {
      throw new ConfigurationException("Invalid HOCON in " + uri + ": " + e.getMessage(), e);
    } catch (FileNotFoundException e) {
      throw new ConfigurationException(
          "Environment file " + uri + " does not exist. Upload it there or fix --env.", e);
    } catch (IOException | RuntimeException e) {
      throw new ConfigurationException(
          "Cannot read the environment file "
              + uri
              + ": "
              + e.getMessage()
              + ". Check the URI, that the file system's client is on the classpath (s3a: hadoop-aws) and the "
              + "credentials.",
          e);
    }
  }

  private static Config parseOverrides(List<String> overrides) {
    Config result = ConfigFactory.empty();
    for (String override : overrides) {
      int eq = override.indexOf('=');
      if (eq <= 0) {
        throw new ConfigurationException(
            "--conf takes key=value, got '"
                + override
                + "' (for example --conf adlake.source.kafka.bootstrap-servers=127.0.0.1:9092)");
      }
      String key = override.substring(0, eq).trim();
      String value = override.substring(eq + 1).trim();
      String path = overridePath(key, override);
      try {
        // Parsed as HOCON so durations, numbers and lists keep their types; plain text is a string.
        result =
            ConfigFactory.parseString(path + " = " + quoteIfNeeded(value)).withFallback(result);
      } catch (ConfigException e) {
        throw new ConfigurationException(
            "Cannot parse --conf " + override + ": " + e.getMessage(), e);
      }
    }
    return result;
  }

  /**
   * Where a {@code --conf} key goes: an {@code adlake.*} key is a setting; a {@code spark.*} key is
   * a Spark setting, as spark-submit's {@code --conf} takes it, passed on through {@code
   * adlake.spark.extra}. Anything else would be read by nothing, so it is refused.
   */
  private static String overridePath(String key, String override) {
    if (key.startsWith("adlake.")) {
      return key;
    }
    if (key.startsWith("spark.") && key.matches("[\\w.\\-]+")) {
      return "adlake.spark.extra.\"" + key + "\"";
    }
    throw new ConfigurationException(
        "--conf "
            + override
            + ": '"
            + key
            + "' is neither an adlake setting (adlake.*, every one listed in conf/application.conf) "
            + "nor a Spark setting (spark.*, passed to the Spark session). Correct the key.");
  }

  private static String quoteIfNeeded(String value) {
    if (value.startsWith("\"") || value.startsWith("{") || value.startsWith("[")) {
      return value;
    }
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /**
   * A duration as written on a command line ({@code 30s}, {@code 5 minutes}, {@code 1h}), in
   * HOCON's syntax.
   *
   * @param option what the value was given for, for the message
   */
  public static Duration duration(String value, String option) {
    try {
      return ConfigFactory.parseString("d = " + quoteIfNeeded(value)).getDuration("d");
    } catch (ConfigException e) {
      throw new ConfigurationException(
          option + " must be a duration such as 30s, 5m or 1h, got '" + value + "'", e);
    }
  }

  /** Validates a SQL identifier (catalog, namespace, table) before it can reach any SQL text. */
  public static String identifier(String value, String key) {
    Rule.IDENTIFIER.check(key, value);
    return value;
  }
}
