package io.adlake.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigValue;
import io.adlake.config.AdlakeConfig.AggregateSettings;
import io.adlake.config.AdlakeConfig.MaintenanceSettings;
import io.adlake.config.AdlakeConfig.AttributionSettings;
import io.adlake.config.AdlakeConfig.CatalogSettings;
import io.adlake.config.AdlakeConfig.CatalogType;
import io.adlake.config.AdlakeConfig.FileSettings;
import io.adlake.config.AdlakeConfig.GeneratorSettings;
import io.adlake.config.AdlakeConfig.IngestSettings;
import io.adlake.config.AdlakeConfig.KafkaSettings;
import io.adlake.config.AdlakeConfig.KinesisConnection;
import io.adlake.config.AdlakeConfig.KinesisSettings;
import io.adlake.config.AdlakeConfig.KinesisSinkSettings;
import io.adlake.config.AdlakeConfig.PutRetry;
import io.adlake.config.AdlakeConfig.RecordFormat;
import io.adlake.config.AdlakeConfig.SchemaRegistrySettings;
import io.adlake.config.AdlakeConfig.SourceSettings;
import io.adlake.config.AdlakeConfig.SourceType;
import io.adlake.config.AdlakeConfig.SparkSettings;
import io.adlake.config.AdlakeConfig.StreamNames;
import io.adlake.config.AdlakeConfig.StreamingSettings;
import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Reads {@code conf/application.conf} (the defaults, also the reference of every valid key), the
 * environment's file on top, then {@code --conf} overrides and {@code CONFIG_FORCE_*} environment
 * variables, and turns the result into a validated {@link AdlakeConfig}.
 */
public final class ConfigLoader {
  private static final String ROOT = "adlake";
  private static final String DEFAULTS = "conf/application.conf";
  /** Sub-trees whose keys are free-form pass-through settings, not declared in the defaults. */
  private static final List<String> FREE_FORM =
      List.of("adlake.spark.extra", "adlake.catalog.properties", "adlake.source.kafka.options",
          "adlake.source.kinesis.options", "adlake.ingest.usd-rates");
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
  private static final Pattern STREAM_NAME = Pattern.compile("[A-Za-z0-9._-]{1,249}");
  /** Kinesis allows shorter stream (and consumer) names than Kafka allows topic names. */
  private static final int KINESIS_NAME_MAX = 128;
  private static final Pattern AWS_REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d+");
  private static final List<String> STARTING_POSITIONS = List.of("TRIM_HORIZON", "LATEST");
  private static final List<String> CONSUMER_TYPES = List.of("GetRecords", "SubscribeToShard");

  private ConfigLoader() {}

  /**
   * @param env an environment name ({@code local} → {@code conf/local.conf} on the classpath or under
   *     the working directory) or the path of a HOCON file
   * @param overrides {@code key=value} pairs from {@code --conf}; later ones win
   */
  public static AdlakeConfig load(String env, List<String> overrides) {
    return fromConfig(resolve(env, overrides));
  }

  static Config resolve(String env, List<String> overrides) {
    Config defaults = ConfigFactory.parseResources(DEFAULTS, ConfigParseOptions.defaults().setAllowMissing(false));
    Config merged;
    try {
      merged = parseOverrides(overrides)
          .withFallback(ConfigFactory.systemEnvironmentOverrides())
          .withFallback(environmentFile(env))
          .withFallback(defaults)
          .resolve(ConfigResolveOptions.defaults().setAllowUnresolved(false));
    } catch (ConfigException.UnresolvedSubstitution e) {
      // conf/glue.conf and conf/emr.conf take deployment values from required ${VARIABLE}s.
      throw new ConfigurationException(e.getMessage() + ". Set that environment variable, or the setting with "
          + "--conf, for environment " + env + ".", e);
    }
    rejectUnknownKeys(merged, defaults);
    try {
      merged.checkValid(defaults, ROOT);
    } catch (ConfigException.ValidationFailed e) {
      throw new ConfigurationException("Invalid configuration: " + e.getMessage()
          + ". Fix the key in conf/" + env + ".conf or its --conf override.", e);
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
    org.apache.hadoop.conf.Configuration hadoop = new org.apache.hadoop.conf.Configuration();
    System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("spark.hadoop."))
        .forEach(k -> hadoop.set(k.substring("spark.hadoop.".length()), System.getProperty(k)));
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(uri);
    try (java.io.InputStream in = path.getFileSystem(hadoop).open(path)) {
      String text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      return ConfigFactory.parseString(text, ConfigParseOptions.defaults().setOriginDescription(uri));
    } catch (ConfigException e) {
      throw new ConfigurationException("Invalid HOCON in " + uri + ": " + e.getMessage(), e);
    } catch (java.io.FileNotFoundException e) {
      throw new ConfigurationException("Environment file " + uri + " does not exist. Upload it there or fix --env.",
          e);
    } catch (java.io.IOException | RuntimeException e) {
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
        Config single = ConfigFactory.parseString(key + " = " + quoteIfNeeded(value));
        result = single.withFallback(result);
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

  private static void rejectUnknownKeys(Config merged, Config defaults) {
    Set<String> unknown = new TreeSet<>();
    for (Map.Entry<String, ConfigValue> entry : merged.entrySet()) {
      String path = entry.getKey();
      if (!path.startsWith(ROOT + ".") || defaults.hasPathOrNull(path) || isFreeForm(path)) {
        continue;
      }
      unknown.add(path);
    }
    if (!unknown.isEmpty()) {
      throw new ConfigurationException("Unknown configuration key(s): " + String.join(", ", unknown)
          + ". Every valid key is declared, with its meaning, in conf/application.conf.");
    }
  }

  private static boolean isFreeForm(String path) {
    return FREE_FORM.stream().anyMatch(prefix -> path.startsWith(prefix + "."));
  }

  static AdlakeConfig fromConfig(Config c) {
    try {
      return new AdlakeConfig(
          nonBlank(c, "adlake.app-name"),
          spark(c),
          catalog(c),
          streams(c),
          source(c),
          new StreamingSettings(nonBlank(c, "adlake.streaming.checkpoint-root"),
              positive(c, "adlake.streaming.trigger-interval")),
          ingest(c),
          attribution(c),
          new AggregateSettings(nonNegative(c, "adlake.aggregate.watermark"),
              positive(c, "adlake.aggregate.funnel.response-within"),
              positive(c, "adlake.aggregate.funnel.impression-within"),
              positive(c, "adlake.aggregate.funnel.click-within"),
              nonNegativeLong(c, "adlake.aggregate.max-rows-per-trigger")),
          maintenance(c),
          generator(c));
    } catch (ConfigException e) {
      throw new ConfigurationException("Invalid configuration: " + e.getMessage(), e);
    }
  }

  private static MaintenanceSettings maintenance(Config c) {
    long targetSize = c.getBytes("adlake.maintenance.target-file-size-bytes");
    check(targetSize >= 0, "adlake.maintenance.target-file-size-bytes must be >= 0, got " + targetSize);
    return new MaintenanceSettings(nonNegative(c, "adlake.maintenance.closed-after"), targetSize,
        atLeastOne(c, "adlake.maintenance.min-input-files"), nonNegative(c, "adlake.maintenance.snapshot-retention"),
        atLeastOne(c, "adlake.maintenance.retain-last"), nonNegative(c, "adlake.maintenance.ledger-retention"),
        nonNegative(c, "adlake.maintenance.orphan-min-age"), c.getBoolean("adlake.maintenance.allow-short-orphan-age"));
  }

  private static SparkSettings spark(Config c) {
    String master = c.getString("adlake.spark.master").trim();
    int partitions = c.getInt("adlake.spark.shuffle-partitions");
    check(partitions > 0, "adlake.spark.shuffle-partitions must be > 0, got " + partitions);
    return new SparkSettings(master.isEmpty() ? Optional.empty() : Optional.of(master), partitions,
        flatStrings(c.getConfig("adlake.spark.extra")));
  }

  private static CatalogSettings catalog(Config c) {
    CatalogType type = enumValue(CatalogType.class, c, "adlake.catalog.type");
    String uri = c.getString("adlake.catalog.uri").trim();
    check(type != CatalogType.REST || !uri.isEmpty(),
        "adlake.catalog.uri is required when adlake.catalog.type = rest (e.g. http://127.0.0.1:8181)");
    check(type != CatalogType.REST || uri.matches("(?i)https?://[^\\s]+"),
        "adlake.catalog.uri must be an http:// or https:// URL when adlake.catalog.type = rest, got '" + uri + "'");
    return new CatalogSettings(
        identifier(c.getString("adlake.catalog.name"), "adlake.catalog.name"),
        type,
        nonBlank(c, "adlake.catalog.warehouse"),
        uri.isEmpty() ? Optional.empty() : Optional.of(uri),
        identifier(c.getString("adlake.catalog.namespace"), "adlake.catalog.namespace"),
        flatStrings(c.getConfig("adlake.catalog.properties")));
  }

  private static StreamNames streams(Config c) {
    return new StreamNames(streamName(c, "adlake.streams.bid-requests"),
        streamName(c, "adlake.streams.bid-responses"), streamName(c, "adlake.streams.impressions"),
        streamName(c, "adlake.streams.clicks"));
  }

  private static SourceSettings source(Config c) {
    String starting = c.getString("adlake.source.kafka.starting-offsets").trim();
    check(starting.equals("earliest") || starting.equals("latest") || starting.startsWith("{"),
        "adlake.source.kafka.starting-offsets must be earliest, latest or Spark's JSON offsets, got '"
            + starting + "'");
    long maxOffsets = c.getLong("adlake.source.kafka.max-offsets-per-trigger");
    check(maxOffsets >= 0, "adlake.source.kafka.max-offsets-per-trigger must be >= 0 (0 = no bound), got "
        + maxOffsets);
    KafkaSettings kafka = new KafkaSettings(nonBlank(c, "adlake.source.kafka.bootstrap-servers"), starting,
        maxOffsets, c.getBoolean("adlake.source.kafka.fail-on-data-loss"),
        flatStrings(c.getConfig("adlake.source.kafka.options")));
    int maxFiles = nonNegativeInt(c, "adlake.source.files.max-files-per-trigger");
    SourceType type = enumValue(SourceType.class, c, "adlake.source.type");
    KinesisSettings kinesis = kinesis(c);
    if (type == SourceType.KINESIS) {
      requireRegion(kinesis.connection(), "adlake.source.kinesis.region", "adlake.source.type = kinesis");
      for (String key : List.of("bid-requests", "bid-responses", "impressions", "clicks")) {
        kinesisName(c.getString("adlake.streams." + key), "adlake.streams." + key);
      }
    }
    RecordFormat format = enumValue(RecordFormat.class, c, "adlake.source.format");
    SchemaRegistrySettings registry = schemaRegistry(c);
    if (format == RecordFormat.AVRO) {
      check(type != SourceType.FILES, "adlake.source.format = avro needs a record source (kafka or kinesis): the "
          + "files source reads JSON lines. Set adlake.source.format = json or adlake.source.type = kafka");
      check(registry.url().isPresent(), "adlake.source.schema-registry.url must name a Confluent-compatible schema "
          + "registry when adlake.source.format = avro (e.g. http://127.0.0.1:8081)");
    }
    return new SourceSettings(type, kafka, new FileSettings(nonBlank(c, "adlake.source.files.path"), maxFiles),
        kinesis, format, registry);
  }

  private static SchemaRegistrySettings schemaRegistry(Config c) {
    String p = "adlake.source.schema-registry.";
    String url = c.getString(p + "url").trim();
    check(url.isEmpty() || url.startsWith("http://") || url.startsWith("https://"),
        p + "url must be an http(s) URL, got '" + url + "'");
    String compatibility = c.getString(p + "compatibility").trim().toUpperCase(Locale.ROOT);
    check(List.of("BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE",
        "NONE").contains(compatibility), p + "compatibility must be BACKWARD, BACKWARD_TRANSITIVE, FORWARD, "
        + "FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE or NONE, got '" + compatibility + "'");
    return new SchemaRegistrySettings(url.isEmpty() ? Optional.empty() : Optional.of(url), compatibility,
        positive(c, p + "timeout"));
  }

  private static KinesisSettings kinesis(Config c) {
    String p = "adlake.source.kinesis.";
    String position = c.getString(p + "starting-position").trim().toUpperCase(Locale.ROOT);
    check(STARTING_POSITIONS.contains(position), p + "starting-position must be one of " + STARTING_POSITIONS
        + ", got '" + c.getString(p + "starting-position") + "' (other positions: " + p + "options)");
    String rawType = c.getString(p + "consumer-type").trim();
    String consumerType = CONSUMER_TYPES.stream().filter(t -> t.equalsIgnoreCase(rawType)).findFirst()
        .orElseThrow(() -> new ConfigurationException(p + "consumer-type must be one of " + CONSUMER_TYPES
            + ", got '" + rawType + "'"));
    String consumerName = c.getString(p + "consumer-name").trim();
    if (!consumerName.isEmpty()) {
      kinesisName(consumerName, p + "consumer-name");
    }
    check(!consumerType.equals("SubscribeToShard") || !consumerName.isEmpty(), p + "consumer-name is required "
        + "when " + p + "consumer-type = SubscribeToShard (enhanced fan-out registers a consumer under that name)");
    int maxAttempts = c.getInt(p + "put-max-attempts");
    check(maxAttempts >= 1, p + "put-max-attempts must be >= 1, got " + maxAttempts);
    Duration backoff = positive(c, p + "put-retry-backoff");
    Duration maxBackoff = positive(c, p + "put-retry-max-backoff");
    check(maxBackoff.compareTo(backoff) >= 0, p + "put-retry-max-backoff (" + maxBackoff
        + ") must not be shorter than " + p + "put-retry-backoff (" + backoff + ")");
    return new KinesisSettings(
        kinesisConnection(c, p + "region", p + "endpoint-url", c.getBoolean(p + "cbor-enabled")),
        position,
        consumerType,
        consumerName.isEmpty() ? Optional.empty() : Optional.of(consumerName),
        nonNegativeInt(c, p + "max-fetch-records-per-shard"),
        c.getBoolean(p + "fail-on-data-loss"),
        new PutRetry(maxAttempts, backoff, maxBackoff),
        flatStrings(c.getConfig(p + "options")));
  }

  private static KinesisConnection kinesisConnection(Config c, String regionKey, String endpointKey,
      boolean cborEnabled) {
    String region = c.getString(regionKey).trim();
    check(region.isEmpty() || AWS_REGION.matcher(region).matches(),
        regionKey + " must be an AWS region such as us-east-1, got '" + region + "'");
    String endpoint = c.getString(endpointKey).trim();
    check(endpoint.isEmpty() || endpoint.startsWith("http://") || endpoint.startsWith("https://"),
        endpointKey + " must be an http:// or https:// URL (or empty for the region's endpoint), got '"
            + endpoint + "'");
    return new KinesisConnection(region, endpoint.isEmpty() ? Optional.empty() : Optional.of(endpoint),
        cborEnabled);
  }

  /**
   * The attributed-stream sink connects like the Kinesis source unless it names its own region or
   * endpoint.
   */
  private static KinesisSinkSettings kinesisSink(Config c) {
    String p = "adlake.attribution.kinesis-sink.";
    KinesisConnection source = kinesisConnection(c, "adlake.source.kinesis.region",
        "adlake.source.kinesis.endpoint-url", c.getBoolean("adlake.source.kinesis.cbor-enabled"));
    KinesisConnection own = kinesisConnection(c, p + "region", p + "endpoint-url", source.cborEnabled());
    KinesisConnection connection = new KinesisConnection(
        own.region().isEmpty() ? source.region() : own.region(),
        own.endpointUrl().isPresent() ? own.endpointUrl() : source.endpointUrl(),
        source.cborEnabled());
    boolean enabled = c.getBoolean(p + "enabled");
    String stream = kinesisName(c.getString(p + "stream"), p + "stream");
    if (enabled) {
      requireRegion(connection, p + "region (or adlake.source.kinesis.region)", p + "enabled = true");
    }
    return new KinesisSinkSettings(enabled, stream, connection);
  }

  private static void requireRegion(KinesisConnection connection, String key, String because) {
    check(!connection.region().isEmpty(), key + " must name the AWS region of the streams (e.g. us-east-1) when "
        + because);
  }

  private static String kinesisName(String value, String key) {
    check(value.length() <= KINESIS_NAME_MAX && STREAM_NAME.matcher(value).matches(), key
        + " must be a valid Kinesis name ([A-Za-z0-9._-], 1-" + KINESIS_NAME_MAX + " chars), got '" + value + "'");
    return value;
  }

  private static IngestSettings ingest(Config c) {
    long maxBytes = c.getBytes("adlake.ingest.max-record-bytes");
    check(maxBytes > 0, "adlake.ingest.max-record-bytes must be > 0, got " + maxBytes);
    Map<String, Double> rates = new LinkedHashMap<>();
    for (Map.Entry<String, ConfigValue> e : c.getConfig("adlake.ingest.usd-rates").entrySet()) {
      String currency = stripQuotes(e.getKey());
      check(currency.matches("[A-Z]{3}"), "adlake.ingest.usd-rates." + currency
          + ": keys are ISO-4217 codes such as EUR");
      double rate = c.getDouble("adlake.ingest.usd-rates." + e.getKey());
      check(rate > 0, "adlake.ingest.usd-rates." + currency + " must be > 0, got " + rate);
      rates.put(currency, rate);
    }
    java.time.Instant minEventTime;
    try {
      minEventTime = java.time.Instant.parse(c.getString("adlake.ingest.min-event-time").trim());
    } catch (java.time.format.DateTimeParseException e) {
      throw new ConfigurationException("adlake.ingest.min-event-time must be an ISO-8601 UTC instant such as "
          + "2000-01-01T00:00:00Z, got '" + c.getString("adlake.ingest.min-event-time") + "'", e);
    }
    return new IngestSettings(maxBytes, nonNegative(c, "adlake.ingest.dedup-window"), rates, minEventTime,
        nonNegative(c, "adlake.ingest.max-future-skew"));
  }

  private static AttributionSettings attribution(Config c) {
    String p = "adlake.attribution.";
    return new AttributionSettings(
        identifier(c.getString(p + "table"), p + "table"),
        positive(c, p + "click-window"),
        nonNegative(c, p + "click-skew"),
        nonNegative(c, p + "impression-watermark"),
        nonNegative(c, p + "click-watermark"),
        c.getDouble(p + "premium-bid-threshold"),
        c.getDouble(p + "click-revenue-multiplier"),
        mergeMode(c.getString(p + "merge-mode")),
        c.getLong(p + "fraud-min-engagement-seconds"),
        kinesisSink(c));
  }

  private static String mergeMode(String value) {
    check(List.of("auto", "merge-on-read", "copy-on-write").contains(value),
        "adlake.attribution.merge-mode must be auto, merge-on-read or copy-on-write, got '" + value + "'");
    return value;
  }

  private static GeneratorSettings generator(Config c) {
    String p = "adlake.generator.";
    double eventRate = c.getDouble(p + "event-rate");
    check(eventRate > 0, p + "event-rate must be > 0, got " + eventRate);
    return new GeneratorSettings(
        c.getLong(p + "seed"),
        eventRate,
        share(c, p + "response-rate"),
        share(c, p + "win-rate"),
        share(c, p + "click-rate"),
        share(c, p + "repeat-click-share"),
        share(c, p + "outside-window-click-share"),
        share(c, p + "bot-click-share"),
        share(c, p + "duplicate-share"),
        share(c, p + "malformed-share"),
        share(c, p + "out-of-order-share"),
        nonNegative(c, p + "out-of-order-max"),
        share(c, p + "late-share"),
        nonNegative(c, p + "late-delay"),
        atLeastOne(c, p + "campaigns"),
        atLeastOne(c, p + "publishers"),
        atLeastOne(c, p + "bidders"),
        atLeastOne(c, p + "creatives-per-campaign"));
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
    check(value != null && IDENTIFIER.matcher(value).matches(), key + " must be a plain identifier "
        + "(letters, digits, underscore; not starting with a digit), got '" + value + "'");
    return value;
  }

  private static String streamName(Config c, String key) {
    String value = c.getString(key);
    check(STREAM_NAME.matcher(value).matches(),
        key + " must be a valid topic/stream name ([A-Za-z0-9._-], 1-249 chars), got '" + value + "'");
    return value;
  }

  private static String nonBlank(Config c, String key) {
    String value = c.getString(key).trim();
    check(!value.isEmpty(), key + " must not be empty");
    return value;
  }

  private static Duration positive(Config c, String key) {
    Duration d = c.getDuration(key);
    check(!d.isNegative() && !d.isZero(), key + " must be a duration > 0, got " + d);
    return d;
  }

  private static Duration nonNegative(Config c, String key) {
    Duration d = c.getDuration(key);
    check(!d.isNegative(), key + " must be a duration >= 0, got " + d);
    return d;
  }

  private static double share(Config c, String key) {
    double v = c.getDouble(key);
    check(v >= 0 && v <= 1, key + " must be a share between 0 and 1, got " + v);
    return v;
  }

  private static long nonNegativeLong(Config c, String key) {
    long v = c.getLong(key);
    check(v >= 0, key + " must be >= 0, got " + v);
    return v;
  }

  private static int nonNegativeInt(Config c, String key) {
    int v = c.getInt(key);
    check(v >= 0, key + " must be >= 0, got " + v);
    return v;
  }

  private static int atLeastOne(Config c, String key) {
    int v = c.getInt(key);
    check(v >= 1, key + " must be >= 1, got " + v);
    return v;
  }

  private static <E extends Enum<E>> E enumValue(Class<E> type, Config c, String key) {
    String raw = c.getString(key).trim();
    try {
      return Enum.valueOf(type, raw.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      List<String> allowed = new ArrayList<>();
      for (E constant : type.getEnumConstants()) {
        allowed.add(constant.name().toLowerCase(Locale.ROOT));
      }
      throw new ConfigurationException(key + " must be one of " + allowed + ", got '" + raw + "'");
    }
  }

  private static Map<String, String> flatStrings(Config c) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, ConfigValue> e : c.entrySet()) {
      out.put(stripQuotes(e.getKey()), String.valueOf(e.getValue().unwrapped()));
    }
    return out;
  }

  private static String stripQuotes(String path) {
    return path.startsWith("\"") && path.endsWith("\"") ? path.substring(1, path.length() - 1) : path;
  }

  private static void check(boolean condition, String message) {
    if (!condition) {
      throw new ConfigurationException(message);
    }
  }
}
