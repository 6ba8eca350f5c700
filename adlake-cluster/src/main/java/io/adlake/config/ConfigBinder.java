package io.adlake.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Binds resolved HOCON to the {@link AdlakeConfig} records by key name: each component reads the
 * key its declaration names, as the component's type, and must pass its {@link Setting.Rule}; then
 * the record's compact constructor checks the rules that join keys.
 */
public final class ConfigBinder {
  private static final String ROOT = "adlake";
  private static final Set<String> DECLARED = new TreeSet<>();

  /** Maps whose keys are free-form pass-through settings ({@code adlake.spark.extra.*}). */
  private static final Set<String> FREE_FORM = new TreeSet<>();

  static {
    declare(ROOT, AdlakeConfig.class);
  }

  private ConfigBinder() {}

  /**
   * Whether {@code path} is a declared key, or one in a free-form map such as {@code
   * adlake.spark.extra}.
   */
  public static boolean isDeclared(String path) {
    return DECLARED.contains(path)
        || FREE_FORM.stream().anyMatch(map -> path.equals(map) || path.startsWith(map + "."));
  }

  /** {@code config} bound to the records by key name, every rule checked. */
  static AdlakeConfig bind(Config config) {
    try {
      return bind(config, ROOT, AdlakeConfig.class);
    } catch (ConfigException e) {
      throw new ConfigurationException(
          "Invalid configuration: "
              + e.getMessage()
              + ". Fix the key in the environment file or its --conf override.",
          e);
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
      return type.getDeclaredConstructor(
              Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new))
          .newInstance(values);
    } catch (InvocationTargetException e) {
      throw e.getCause() instanceof RuntimeException cause
          ? cause
          : new IllegalStateException(e.getCause());
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
      boolean numbers =
          ((ParameterizedType) component.getGenericType()).getActualTypeArguments()[1]
              == Double.class;
      Config map = c.getConfig(key);
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<String, ConfigValue> e : map.entrySet()) {
        String name = e.getKey().replaceAll("^\"(.*)\"$", "$1");
        out.put(
            name, numbers ? map.getDouble(e.getKey()) : String.valueOf(e.getValue().unwrapped()));
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
    throw new ConfigurationException(
        key
            + " must be one of "
            + Arrays.stream(type.getEnumConstants())
                .map(String::valueOf)
                .collect(Collectors.joining(", "))
            + ", got '"
            + value
            + "'");
  }

  private static String loose(String spelling) {
    return spelling.replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
  }

  private static Instant instant(String value, String key) {
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw new ConfigurationException(
          key
              + " must be an ISO-8601 UTC instant such as 2000-01-01T00:00:00Z, got '"
              + value
              + "'",
          e);
    }
  }
}
