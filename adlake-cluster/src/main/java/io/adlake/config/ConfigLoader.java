package io.adlake.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigValue;
import io.adlake.config.Setting.Rule;
import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Reads the defaults (the declarations in {@link AdlakeConfig}, as rendered into conf/application.conf), the
 * environment's file on top, then {@code CONFIG_FORCE_*} environment variables and {@code --conf} overrides, and
 * binds the result by key name to a validated {@link AdlakeConfig}.
 */
public final class ConfigLoader {
  private static final String ROOT = "adlake";
  private static final Set<String> DECLARED = new TreeSet<>();
  /** Maps whose keys are free-form pass-through settings ({@code adlake.spark.extra.*}). */
  private static final Set<String> FREE_FORM = new TreeSet<>();

  static {
    declare(ROOT, AdlakeConfig.class);
  }

  private ConfigLoader() {}

  /**
   * @param env an environment name ({@code local} → {@code conf/local.conf} under the working directory or on
   *     the classpath) or the path or Hadoop file-system URI of a HOCON file
   * @param overrides {@code key=value} pairs from {@code --conf}; later ones win
   */
  public static AdlakeConfig load(String env, List<String> overrides) {
    return bind(resolve(env, overrides));
  }

  /** The layers merged and resolved, no key unknown; not yet bound. */
  static Config resolve(String env, List<String> overrides) {
    Config merged;
    try {
      merged = parseOverrides(overrides)
          .withFallback(ConfigFactory.systemEnvironmentOverrides())
          .withFallback(environmentFile(env))
          .withFallback(ConfigFactory.parseString(ApplicationConf.render(),
              ConfigParseOptions.defaults().setOriginDescription(ApplicationConf.PATH)))
          .resolve(ConfigResolveOptions.defaults().setAllowUnresolved(false));
    } catch (ConfigException.UnresolvedSubstitution e) {
      // conf/glue.conf and conf/emr.conf take deployment values from required ${VARIABLE}s.
      throw new ConfigurationException(e.getMessage() + ". Set that environment variable, or the setting with "
          + "--conf, for environment " + env + ".", e);
    }
    Set<String> unknown = merged.entrySet().stream().map(Map.Entry::getKey)
        .filter(path -> path.startsWith(ROOT + ".") && !isDeclared(path)).collect(Collectors.toCollection(TreeSet::new));
    if (!unknown.isEmpty()) {
      throw new ConfigurationException("Unknown configuration key(s): " + String.join(", ", unknown)
          + ". Every valid key is declared, with its meaning, in conf/application.conf.");
    }
    return merged;
  }

  /** Whether {@code path} is a declared key, or one in a free-form map such as {@code adlake.spark.extra}. */
  public static boolean isDeclared(String path) {
    return DECLARED.contains(path)
        || FREE_FORM.stream().anyMatch(map -> path.equals(map) || path.startsWith(map + "."));
  }

  /** {@code config} bound to the records by key name, every rule checked. */
  static AdlakeConfig bind(Config config) {
    try {
      return bind(config, ROOT, AdlakeConfig.class);
    } catch (ConfigException e) {
      throw new ConfigurationException("Invalid configuration: " + e.getMessage()
          + ". Fix the key in the environment file or its --conf override.", e);
    }
  }

  private static void declare(String path, Class<?> type) {
    for (RecordComponent component : type.getRecordComponents()) {
      String key = ApplicationConf.key(path, component);
      if (component.getType().isRecord()) {
        declare(key, component.getType());
      } else if (ApplicationConf.setting(component).sameAs().isEmpty()) {
        (component.getType() == Map.class ? FREE_FORM : DECLARED).add(key);
      }
    }
  }

  private static <R> R bind(Config c, String path, Class<R> type) {
    RecordComponent[] components = type.getRecordComponents();
    Object[] values = new Object[components.length];
    for (int i = 0; i < components.length; i++) {
      String key = ApplicationConf.key(path, components[i]);
      if (components[i].getType().isRecord()) {
        values[i] = bind(c, key, components[i].getType());
      } else {
        values[i] = value(c, key, components[i]);
        ApplicationConf.setting(components[i]).rule().check(key, values[i]);
      }
    }
    try {
      return type.getDeclaredConstructor(Arrays.stream(components).map(RecordComponent::getType)
          .toArray(Class<?>[]::new)).newInstance(values);
    } catch (InvocationTargetException e) {
      throw e.getCause() instanceof RuntimeException cause ? cause : new IllegalStateException(e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("Cannot construct " + type.getName(), e);
    }
  }

  private static Object value(Config c, String key, RecordComponent component) {
    Class<?> type = component.getType();
    if (type == String.class) {
      return c.getString(key).trim();
    } else if (type == Optional.class) {
      String value = c.getString(key).trim();
      return value.isEmpty() ? Optional.empty() : Optional.of(value);
    } else if (type == int.class) {
      return c.getInt(key);
    } else if (type == long.class) {
      // A size may be written as 512 MB.
      return component.getName().endsWith("Bytes") ? c.getBytes(key) : c.getLong(key);
    } else if (type == double.class) {
      return c.getDouble(key);
    } else if (type == boolean.class) {
      return c.getBoolean(key);
    } else if (type == Duration.class) {
      return c.getDuration(key);
    } else if (type == Instant.class) {
      return instant(c.getString(key).trim(), key);
    } else if (type.isEnum()) {
      return choice(type, c.getString(key).trim(), key);
    } else if (type == Map.class) {
      boolean numbers = ((ParameterizedType) component.getGenericType()).getActualTypeArguments()[1] == Double.class;
      Config map = c.getConfig(key);
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<String, ConfigValue> e : map.entrySet()) {
        String name = e.getKey().replaceAll("^\"(.*)\"$", "$1");
        out.put(name, numbers ? map.getDouble(e.getKey()) : String.valueOf(e.getValue().unwrapped()));
      }
      return out;
    }
    throw new IllegalStateException(key + ": no binding for " + component.getGenericType());
  }

  /** A closed choice, by its configured spelling; case, '-' and '_' do not matter. */
  private static Object choice(Class<?> type, String value, String key) {
    for (Object constant : type.getEnumConstants()) {
      if (loose(((Enum<?>) constant).name()).equals(loose(value))) {
        return constant;
      }
    }
    throw new ConfigurationException(key + " must be one of " + Arrays.stream(type.getEnumConstants())
        .map(String::valueOf).collect(Collectors.joining(", ")) + ", got '" + value + "'");
  }

  private static String loose(String spelling) {
    return spelling.replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
  }

  private static Instant instant(String value, String key) {
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw new ConfigurationException(key + " must be an ISO-8601 UTC instant such as 2000-01-01T00:00:00Z, got '"
          + value + "'", e);
    }
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
      return ConfigFactory.parseFile(underConf, ConfigParseOptions.defaults().setAllowMissing(false));
    }
    Config fromClasspath = ConfigFactory.parseResources("conf/" + env + ".conf");
    if (fromClasspath.isEmpty()) {
      throw new ConfigurationException("Unknown environment '" + env + "': no file " + env
          + ", conf/" + env + ".conf or classpath conf/" + env
          + ".conf. Use one of local, docker, glue, emr or the path of a HOCON file.");
    }
    return fromClasspath;
  }

  /**
   * A HOCON file at a Hadoop file-system URI ({@code s3://} on Glue and EMR, {@code s3a://}, {@code hdfs://},
   * {@code file://}). The Hadoop configuration is the platform's ({@code core-site.xml} on the classpath)
   * plus every {@code spark.hadoop.*} system property, which is where spark-submit puts {@code --conf
   * spark.hadoop.…} settings before a SparkContext exists.
   */
  private static Config fromFileSystem(String uri) {
    Configuration hadoop = new Configuration();
    System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("spark.hadoop."))
        .forEach(k -> hadoop.set(k.substring("spark.hadoop.".length()), System.getProperty(k)));
    Path path = new Path(uri);
    try (InputStream in = path.getFileSystem(hadoop).open(path)) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return ConfigFactory.parseString(text, ConfigParseOptions.defaults().setOriginDescription(uri));
    } catch (ConfigException e) {
      throw new ConfigurationException("Invalid HOCON in " + uri + ": " + e.getMessage(), e);
    } catch (FileNotFoundException e) {
      throw new ConfigurationException("Environment file " + uri + " does not exist. Upload it there or fix --env.",
          e);
    } catch (IOException | RuntimeException e) {
      throw new ConfigurationException("Cannot read the environment file " + uri + ": " + e.getMessage()
          + ". Check the URI, that the file system's client is on the classpath (s3a: hadoop-aws) and the "
          + "credentials.", e);
    }
  }

  private static Config parseOverrides(List<String> overrides) {
    Config result = ConfigFactory.empty();
    for (String override : overrides) {
      int eq = override.indexOf('=');
      if (eq <= 0) {
        throw new ConfigurationException("--conf takes key=value, got '" + override
            + "' (for example --conf adlake.source.kafka.bootstrap-servers=127.0.0.1:9092)");
      }
      String key = override.substring(0, eq).trim();
      String value = override.substring(eq + 1).trim();
      try {
        // Parsed as HOCON so durations, numbers and lists keep their types; plain text is a string.
        result = ConfigFactory.parseString(key + " = " + quoteIfNeeded(value)).withFallback(result);
      } catch (ConfigException e) {
        throw new ConfigurationException("Cannot parse --conf " + override + ": " + e.getMessage(), e);
      }
    }
    return result;
  }

  private static String quoteIfNeeded(String value) {
    if (value.startsWith("\"") || value.startsWith("{") || value.startsWith("[")) {
      return value;
    }
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /**
   * A duration as written on a command line ({@code 30s}, {@code 5 minutes}, {@code 1h}), in HOCON's syntax.
   *
   * @param option what the value was given for, for the message
   */
  public static Duration duration(String value, String option) {
    try {
      return ConfigFactory.parseString("d = " + quoteIfNeeded(value)).getDuration("d");
    } catch (ConfigException e) {
      throw new ConfigurationException(option + " must be a duration such as 30s, 5m or 1h, got '" + value + "'", e);
    }
  }

  /** Validates a SQL identifier (catalog, namespace, table) before it can reach any SQL text. */
  public static String identifier(String value, String key) {
    Rule.IDENTIFIER.check(key, value);
    return value;
  }
}
