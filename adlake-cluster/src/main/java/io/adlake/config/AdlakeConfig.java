package io.adlake.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The whole configuration, read once from HOCON by {@link ConfigLoader} and validated there. Nothing
 * below the CLI reads raw keys: jobs take these records.
 */
public record AdlakeConfig(
    String appName,
    SparkSettings spark,
    CatalogSettings catalog,
    StreamNames streams,
    SourceSettings source,
    StreamingSettings streaming,
    IngestSettings ingest,
    AttributionSettings attribution,
    AggregateSettings aggregate,
    MaintenanceSettings maintenance,
    GeneratorSettings generator) {

  public AdlakeConfig {
    requireNonNull(appName, "appName");
    requireNonNull(spark, "spark");
    requireNonNull(catalog, "catalog");
    requireNonNull(streams, "streams");
    requireNonNull(source, "source");
    requireNonNull(streaming, "streaming");
    requireNonNull(ingest, "ingest");
    requireNonNull(attribution, "attribution");
    requireNonNull(aggregate, "aggregate");
    requireNonNull(maintenance, "maintenance");
    requireNonNull(generator, "generator");
  }

  /** Spark session settings. {@code master} is empty when the platform supplies it. */
  public record SparkSettings(Optional<String> master, int shufflePartitions, Map<String, String> extra) {
    public SparkSettings {
      extra = Map.copyOf(extra);
    }
  }

  public enum CatalogType {
    HADOOP,
    REST,
    GLUE
  }

  /** Where the Iceberg tables live. */
  public record CatalogSettings(
      String name, CatalogType type, String warehouse, Optional<String> uri, String namespace,
      Map<String, String> properties) {
    public CatalogSettings {
      properties = Map.copyOf(properties);
    }

    /** {@code catalog.namespace.table}, for SQL; both parts were validated as identifiers. */
    public String qualified(String table) {
      return name + "." + namespace + "." + table;
    }
  }

  /** Topic / stream / directory name of each of the four event streams. */
  public record StreamNames(String bidRequests, String bidResponses, String impressions, String clicks) {}

  public enum SourceType {
    KAFKA,
    FILES,
    KINESIS
  }

  /** How the records of a stream are encoded. */
  public enum RecordFormat {
    /** UTF-8 JSON text, one event per record. */
    JSON,
    /** Avro in the Confluent wire format (magic byte, schema id, Avro binary), schemas in a registry. */
    AVRO
  }

  /**
   * A Confluent-compatible schema registry: {@code url} empty when none is configured; {@code compatibility}
   * is what producers set on the subjects they register.
   */
  public record SchemaRegistrySettings(Optional<String> url, String compatibility, Duration timeout) {
    public SchemaRegistrySettings {
      requireNonNull(url, "url");
      requireNonNull(compatibility, "compatibility");
      requireNonNull(timeout, "timeout");
    }

    public SchemaRegistrySettings withUrl(String newUrl) {
      return new SchemaRegistrySettings(Optional.of(newUrl), compatibility, timeout);
    }
  }

  public record SourceSettings(SourceType type, KafkaSettings kafka, FileSettings files, KinesisSettings kinesis,
      RecordFormat format, SchemaRegistrySettings schemaRegistry) {
    public SourceSettings {
      requireNonNull(format, "format");
      requireNonNull(schemaRegistry, "schemaRegistry");
    }
  }

  public record KafkaSettings(
      String bootstrapServers, String startingOffsets, long maxOffsetsPerTrigger, boolean failOnDataLoss,
      Map<String, String> options) {
    public KafkaSettings {
      options = Map.copyOf(options);
    }

    public KafkaSettings withBootstrapServers(String servers) {
      return new KafkaSettings(servers, startingOffsets, maxOffsetsPerTrigger, failOnDataLoss, options);
    }
  }

  public record FileSettings(String path, int maxFilesPerTrigger) {}

  /**
   * Where adlake's Kinesis clients connect. {@code region} is empty when no setting named one (then only
   * Kinesis-free commands can run); {@code endpointUrl} is empty for the region's public endpoint.
   */
  public record KinesisConnection(String region, Optional<String> endpointUrl, boolean cborEnabled) {
    public KinesisConnection {
      requireNonNull(region, "region");
      requireNonNull(endpointUrl, "endpointUrl");
    }

    /** The endpoint URL as given, or the region's public endpoint. */
    public String endpoint() {
      return endpointUrl.orElseGet(() -> "https://kinesis." + region + ".amazonaws.com"
          + (region.startsWith("cn-") ? ".cn" : ""));
    }
  }

  /**
   * How records that were refused are re-sent: up to {@code maxAttempts} PutRecords attempts per record,
   * waiting a random time up to {@code backoff} doubled per attempt, at most {@code maxBackoff}.
   */
  public record PutRetry(int maxAttempts, Duration backoff, Duration maxBackoff) {}

  /** The Kinesis source (Spark's {@code aws-kinesis} connector) and how adlake writes to Kinesis. */
  public record KinesisSettings(
      KinesisConnection connection,
      String startingPosition,
      String consumerType,
      Optional<String> consumerName,
      int maxFetchRecordsPerShard,
      boolean failOnDataLoss,
      PutRetry putRetry,
      Map<String, String> options) {
    public KinesisSettings {
      requireNonNull(connection, "connection");
      requireNonNull(consumerName, "consumerName");
      requireNonNull(putRetry, "putRetry");
      options = Map.copyOf(options);
    }
  }

  /** The optional output stream of attributed clicks, written after each micro-batch's MERGE. */
  public record KinesisSinkSettings(boolean enabled, String stream, KinesisConnection connection) {}

  public record StreamingSettings(String checkpointRoot, Duration triggerInterval) {}

  /** Bronze ingest: record size limit, de-duplication window, currency rates for the enriched table. */
  /**
   * Bronze ingest: size limit, de-duplication window, USD rates, and the plausible event times: not before
   * {@code minEventTime}, not more than {@code maxFutureSkew} after the record arrived.
   */
  public record IngestSettings(long maxRecordBytes, Duration dedupWindow, Map<String, Double> usdRates,
      java.time.Instant minEventTime, Duration maxFutureSkew) {
    public IngestSettings {
      usdRates = Map.copyOf(usdRates);
    }
  }

  public record AttributionSettings(
      String table,
      Duration clickWindow,
      Duration clickSkew,
      Duration impressionWatermark,
      Duration clickWatermark,
      double premiumBidThreshold,
      double clickRevenueMultiplier,
      String mergeMode,
      long fraudMinEngagementSeconds,
      KinesisSinkSettings kinesisSink) {}

  /**
   * The windowed metrics jobs: the watermark delay of every metrics query, and how long after its request
   * (response), response (impression) and impression (click) a downstream event still counts in the hourly
   * funnel of its originating request; at most about how many bronze rows one micro-batch reads per table (0: all).
   */
  public record AggregateSettings(Duration watermark, Duration responseWithin, Duration impressionWithin,
      Duration clickWithin, long maxRowsPerTrigger) {}

  /** The maintain command; see conf/application.conf, adlake.maintenance. */
  public record MaintenanceSettings(Duration closedAfter, long targetFileSizeBytes, int minInputFiles,
      Duration snapshotRetention, int retainLast, Duration ledgerRetention, Duration orphanMinAge,
      boolean allowShortOrphanAge) {}

  public record GeneratorSettings(
      long seed,
      double eventRate,
      double responseRate,
      double winRate,
      double clickRate,
      double repeatClickShare,
      double outsideWindowClickShare,
      double botClickShare,
      double duplicateShare,
      double malformedShare,
      double outOfOrderShare,
      Duration outOfOrderMax,
      double lateShare,
      Duration lateDelay,
      int campaigns,
      int publishers,
      int bidders,
      int creativesPerCampaign) {}
}
