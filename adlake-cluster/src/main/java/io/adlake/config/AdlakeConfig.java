package io.adlake.config;

import static io.adlake.config.Setting.Rule.AT_LEAST_ONE;
import static io.adlake.config.Setting.Rule.AWS_REGION;
import static io.adlake.config.Setting.Rule.HTTP_URL;
import static io.adlake.config.Setting.Rule.IDENTIFIER;
import static io.adlake.config.Setting.Rule.KINESIS_NAME;
import static io.adlake.config.Setting.Rule.NON_NEGATIVE;
import static io.adlake.config.Setting.Rule.NOT_BLANK;
import static io.adlake.config.Setting.Rule.POSITIVE;
import static io.adlake.config.Setting.Rule.SHARE;
import static io.adlake.config.Setting.Rule.STREAM_NAME;
import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The whole configuration, and the one declaration of every setting: each record component is a key
 * (its name in kebab case under the record's path), its type is the key's type, and its {@link
 * Setting} gives the default, the rule and the meaning. conf/application.conf is rendered from here
 * ({@code make conf}); {@link ConfigLoader} binds HOCON to these records by key name and checks
 * each rule; the compact constructors check the rules that join several keys. Nothing below the CLI
 * reads raw keys: jobs take these records.
 */
public record AdlakeConfig(
    @Setting(
            value = "adlake",
            rule = NOT_BLANK,
            doc =
                "Name of the Spark application, shown in the Spark UI and in the Glue / EMR consoles.")
        String appName,
    SparkSettings spark,
    CatalogSettings catalog,
    @Setting(
            doc =
                "Names of the five event streams: Kafka topics, Kinesis streams or sub-directories of the "
                    + "files source.")
        StreamNames streams,
    SourceSettings source,
    StreamingSettings streaming,
    IngestSettings ingest,
    @Setting(
            doc =
                "Look-ups the ingest adds to bid_requests_enriched beyond the request's own fields "
                    + "(docs/dimensions.md#geography-from-the-device-ip).")
        EnrichmentSettings enrichment,
    AttributionSettings attribution,
    @Setting(
            doc =
                "The conversions command: last-touch attribution of each conversion to a click or an "
                    + "impression of the same user, the user's journey, and multi-touch credit per campaign "
                    + "(docs/conversions.md). It reads the bronze conversions, clicks and impressions tables.")
        ConversionSettings conversions,
    @Setting(
            doc =
                "The metrics queries stream from the bronze Iceberg tables (validated and de-duplicated by the "
                    + "ingest), so their rows equal the same aggregation in batch SQL over bronze.")
        AggregateSettings aggregate,
    @Setting(
            doc =
                "The maintain command: compaction, delete-file and manifest rewrites, snapshot expiry and "
                    + "orphan removal for every adlake table, beside the running streams.")
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
    requireNonNull(enrichment, "enrichment");
    requireNonNull(attribution, "attribution");
    requireNonNull(conversions, "conversions");
    requireNonNull(aggregate, "aggregate");
    requireNonNull(maintenance, "maintenance");
    requireNonNull(generator, "generator");
    if (source.type() == SourceType.KINESIS) {
      KINESIS_NAME.check("adlake.streams.bid-requests", streams.bidRequests());
      KINESIS_NAME.check("adlake.streams.bid-responses", streams.bidResponses());
      KINESIS_NAME.check("adlake.streams.impressions", streams.impressions());
      KINESIS_NAME.check("adlake.streams.clicks", streams.clicks());
      KINESIS_NAME.check("adlake.streams.conversions", streams.conversions());
    }
  }

  /** Spark session settings. {@code master} is empty when the platform supplies it. */
  public record SparkSettings(
      @Setting(
              value = "",
              doc =
                  "Spark master URL. Empty: take it from spark-submit or the platform (Glue, EMR). "
                      + "local.conf sets local[2].")
          Optional<String> master,
      @Setting(
              value = "8",
              rule = POSITIVE,
              doc =
                  "spark.sql.shuffle.partitions for joins and aggregations. "
                      + "Spark's 200 costs ~7x on small micro-batches.")
          int shufflePartitions,
      @Setting(
              doc =
                  "Further Spark settings passed through unchanged, e.g. \"spark.executor.memory\" = \"4g\".")
          Map<String, String> extra) {
    public SparkSettings {
      extra = Map.copyOf(extra);
    }
  }

  public enum CatalogType {
    HADOOP,
    REST,
    GLUE;

    @Override
    public String toString() {
      return spelling(this);
    }
  }

  /** Where the Iceberg tables live. */
  public record CatalogSettings(
      @Setting(
              value = "adlake",
              rule = IDENTIFIER,
              doc = "Spark catalog name under which the Iceberg tables are registered.")
          String name,
      @Setting(
              value = "hadoop",
              doc =
                  "hadoop (a warehouse directory, no server), rest (Iceberg REST catalog) or "
                      + "glue (AWS Glue Data Catalog).")
          CatalogType type,
      @Setting(
              value = "warehouse",
              rule = NOT_BLANK,
              doc = "Warehouse root: a local directory or an s3:// URI.")
          String warehouse,
      @Setting(value = "", doc = "Catalog server URI; required when type = rest.")
          Optional<String> uri,
      @Setting(
              value = "adlake",
              rule = IDENTIFIER,
              doc = "Namespace (database) that holds every adlake table.")
          String namespace,
      @Setting(
              doc =
                  "Further catalog properties, set as spark.sql.catalog.<name>.<key>, e.g. \"io-impl\", "
                      + "\"s3.endpoint\".")
          Map<String, String> properties) {
    public CatalogSettings {
      properties = Map.copyOf(properties);
      if (type == CatalogType.REST) {
        require(
            uri.isPresent(),
            "adlake.catalog.uri is required when adlake.catalog.type = rest (e.g. http://127.0.0.1:8181)");
        HTTP_URL.check("adlake.catalog.uri", uri);
      }
    }

    /** {@code catalog.namespace.table}, for SQL; both parts were validated as identifiers. */
    public String qualified(String table) {
      return name + "." + namespace + "." + table;
    }
  }

  /** Topic / stream / directory name of each of the five event streams. */
  public record StreamNames(
      @Setting(value = "bid-requests", rule = STREAM_NAME, doc = "Bid requests (OpenRTB).")
          String bidRequests,
      @Setting(value = "bid-responses", rule = STREAM_NAME, doc = "Bid responses (OpenRTB).")
          String bidResponses,
      @Setting(value = "impressions", rule = STREAM_NAME, doc = "Impressions (an ad was shown).")
          String impressions,
      @Setting(value = "clicks", rule = STREAM_NAME, doc = "Clicks on shown ads.") String clicks,
      @Setting(
              value = "conversions",
              rule = STREAM_NAME,
              doc = "Advertiser conversions (pixels and postbacks).")
          String conversions) {

    /**
     * Each stream named by its own key under {@code adlake.streams}, for options that name a
     * stream.
     */
    public static StreamNames byKey() {
      return new StreamNames(
          "bid-requests", "bid-responses", "impressions", "clicks", "conversions");
    }
  }

  public enum SourceType {
    KAFKA,
    FILES,
    KINESIS;

    @Override
    public String toString() {
      return spelling(this);
    }
  }

  /**
   * How the records of a stream are encoded; also the type of the CLI's --format, spelled JSON and
   * AVRO there.
   */
  public enum RecordFormat {
    /** UTF-8 JSON text, one event per record. */
    JSON,
    /**
     * Avro in the Confluent wire format (magic byte, schema id, Avro binary), schemas in a
     * registry.
     */
    AVRO
  }

  public record SourceSettings(
      @Setting(
              value = "kafka",
              doc = "Where the streaming jobs read events from: kafka, files or kinesis.")
          SourceType type,
      @Setting(
              value = "json",
              doc =
                  "How the records are encoded: json (UTF-8 JSON text) or avro (Confluent wire "
                      + "format: magic byte 0, 4-byte big-endian schema id, Avro binary; writer schemas fetched from "
                      + "schema-registry by id). avro needs kafka or kinesis (the files source reads JSON lines). "
                      + "`generate --format` writes either.")
          RecordFormat format,
      @Setting(
              doc =
                  "A Confluent-compatible schema registry (Confluent Schema Registry, Apicurio Registry's "
                      + "http://host:8080/apis/ccompat/v7, Karapace), spoken to over its REST API. Used with format = avro.")
          SchemaRegistrySettings schemaRegistry,
      KafkaSettings kafka,
      FileSettings files,
      @Setting(
              doc =
                  "Kinesis Data Streams, read with Spark's `aws-kinesis` connector (not on Maven Central: EMR "
                      + "7.1+ ships it under /usr/share/aws/kinesis/spark-sql-kinesis/lib/, Glue takes it via --extra-jars). "
                      + "Also where `generate --to kinesis` and the attributed-stream sink write. Credentials: the AWS "
                      + "default provider chain.")
          KinesisSettings kinesis) {
    public SourceSettings {
      requireNonNull(format, "format");
      requireNonNull(schemaRegistry, "schemaRegistry");
      if (type == SourceType.KINESIS) {
        require(
            kinesis.region().isPresent(),
            "adlake.source.kinesis.region must name the AWS region of the "
                + "streams (e.g. us-east-1) when adlake.source.type = kinesis");
      }
      if (format == RecordFormat.AVRO) {
        require(
            type != SourceType.FILES,
            "adlake.source.format = avro needs a record source (kafka or kinesis): "
                + "the files source reads JSON lines. Set adlake.source.format = json or adlake.source.type = kafka");
        require(
            schemaRegistry.url().isPresent(),
            "adlake.source.schema-registry.url must name a "
                + "Confluent-compatible schema registry when adlake.source.format = avro (e.g. http://127.0.0.1:8081)");
      }
    }
  }

  /**
   * The compatibility levels of a Confluent-compatible schema registry, spelled as its REST API
   * spells them.
   */
  public enum SchemaCompatibility {
    BACKWARD,
    BACKWARD_TRANSITIVE,
    FORWARD,
    FORWARD_TRANSITIVE,
    FULL,
    FULL_TRANSITIVE,
    NONE
  }

  /**
   * A Confluent-compatible schema registry: {@code url} empty when none is configured; {@code
   * compatibility} is what producers set on the subjects they register.
   */
  public record SchemaRegistrySettings(
      @Setting(
              value = "",
              rule = HTTP_URL,
              doc = "Base URL; empty = none. Required with format = avro.")
          Optional<String> url,
      @Setting(
              value = "BACKWARD",
              doc =
                  "The compatibility `generate --format avro` sets on each <topic>-value "
                      + "subject before registering: BACKWARD (new readers read old data: add fields with defaults), "
                      + "FORWARD, FULL (each also _TRANSITIVE) or NONE.")
          SchemaCompatibility compatibility,
      @Setting(
              value = "10 seconds",
              rule = POSITIVE,
              doc = "Timeout of each registry request (connect and answer).")
          Duration timeout) {}

  public record KafkaSettings(
      @Setting(
              value = "127.0.0.1:9092",
              rule = NOT_BLANK,
              doc = "Kafka bootstrap servers, host:port[,host:port].")
          String bootstrapServers,
      @Setting(
              value = "earliest",
              doc =
                  "Where a query without a checkpoint starts: earliest, latest or Spark's "
                      + "JSON offsets (Spark's own default is latest).")
          String startingOffsets,
      @Setting(
              value = "0",
              rule = NON_NEGATIVE,
              doc = "Upper bound of records read per micro-batch from each topic; 0 = no bound.")
          long maxOffsetsPerTrigger,
      @Setting(
              value = "true",
              doc =
                  "Fail the query when offsets were deleted before they were read (retention), "
                      + "instead of skipping them.")
          boolean failOnDataLoss,
      @Setting(
              doc =
                  "Further Kafka source options, passed as-is, e.g. \"kafka.security.protocol\" = \"SASL_SSL\".")
          Map<String, String> options) {
    public KafkaSettings {
      options = Map.copyOf(options);
      require(
          startingOffsets.equals("earliest")
              || startingOffsets.equals("latest")
              || startingOffsets.startsWith("{"),
          "adlake.source.kafka.starting-offsets must be earliest, latest or Spark's JSON offsets, got '"
              + startingOffsets
              + "'");
    }
  }

  public record FileSettings(
      @Setting(
              value = "events",
              rule = NOT_BLANK,
              doc =
                  "Root directory of the files source; one sub-directory per stream holds JSON-lines files.")
          String path,
      @Setting(
              value = "0",
              rule = NON_NEGATIVE,
              doc = "Upper bound of new files read per micro-batch from each stream; 0 = no bound.")
          int maxFilesPerTrigger) {}

  /**
   * Where adlake's Kinesis clients connect. {@code region} is empty when no setting named one (then
   * only Kinesis-free commands can run); {@code endpointUrl} is empty for the region's public
   * endpoint.
   */
  public record KinesisConnection(
      String region, Optional<String> endpointUrl, boolean cborEnabled) {
    public KinesisConnection {
      requireNonNull(region, "region");
      requireNonNull(endpointUrl, "endpointUrl");
    }

    /** The endpoint URL as given, or the region's public endpoint. */
    public String endpoint() {
      return endpointUrl.orElseGet(
          () ->
              "https://kinesis."
                  + region
                  + ".amazonaws.com"
                  + (region.startsWith("cn-") ? ".cn" : ""));
    }
  }

  /**
   * How records that were refused are re-sent: up to {@code maxAttempts} PutRecords attempts per
   * record, waiting a random time up to {@code backoff} doubled per attempt, at most {@code
   * maxBackoff}.
   */
  public record PutRetry(int maxAttempts, Duration backoff, Duration maxBackoff) {}

  /** Where a Kinesis query without a checkpoint starts. */
  public enum KinesisStartingPosition {
    TRIM_HORIZON,
    LATEST
  }

  /** How the connector reads a shard; {@link #toString()} is the connector's own spelling. */
  public enum KinesisConsumerType {
    GET_RECORDS("GetRecords"),
    SUBSCRIBE_TO_SHARD("SubscribeToShard");

    private final String spelling;

    KinesisConsumerType(String spelling) {
      this.spelling = spelling;
    }

    @Override
    public String toString() {
      return spelling;
    }
  }

  /**
   * The Kinesis source (Spark's {@code aws-kinesis} connector) and how adlake writes to Kinesis.
   */
  public record KinesisSettings(
      @Setting(
              value = "",
              rule = AWS_REGION,
              doc =
                  "AWS region of the streams, e.g. us-east-1. Required with "
                      + "type = kinesis, generate --to kinesis and the attributed-stream sink.")
          Optional<String> region,
      @Setting(
              value = "",
              rule = HTTP_URL,
              doc =
                  "Kinesis endpoint URL. Empty: the region's public endpoint "
                      + "(https://kinesis.<region>.amazonaws.com). A local Kinesis-compatible server: e.g. "
                      + "http://127.0.0.1:4567.")
          Optional<String> endpointUrl,
      @Setting(
              value = "TRIM_HORIZON",
              doc =
                  "Where a query without a checkpoint starts: TRIM_HORIZON (oldest "
                      + "retained record) or LATEST (the connector's own default is LATEST); other positions go in options.")
          KinesisStartingPosition startingPosition,
      @Setting(
              value = "GetRecords",
              doc =
                  "GetRecords (polling, shares each shard's 2 MB/s read limit) or "
                      + "SubscribeToShard (enhanced fan-out: a dedicated 2 MB/s per consumer and shard, billed extra).")
          KinesisConsumerType consumerType,
      @Setting(
              value = "",
              rule = KINESIS_NAME,
              doc =
                  "Enhanced fan-out consumer name; required with "
                      + "SubscribeToShard. Each reading of a stream registers \"<consumer-name>-<stream>\" (the n-th reading "
                      + "of the same stream in one application \"...-<n>\"): jobs that run separately at the same time need "
                      + "different names.")
          Optional<String> consumerName,
      @Setting(
              value = "0",
              rule = NON_NEGATIVE,
              doc =
                  "Upper bound of records read per shard per micro-batch "
                      + "(kinesis.maxFetchRecordsPerShard); 0 = the connector's default (100,000).")
          int maxFetchRecordsPerShard,
      @Setting(
              value = "true",
              doc =
                  "Fail the query when a shard it has to read was deleted or its records "
                      + "expired (retention), instead of skipping them (the connector's own default skips).")
          boolean failOnDataLoss,
      @Setting(
              value = "true",
              doc =
                  "Whether the AWS SDK speaks CBOR to Kinesis. Local servers (kinesalite) need "
                      + "false; false sets the JVM-wide system property aws.cborEnabled=false, the only switch the SDK has. "
                      + "For the connector on a cluster also pass it to the executors (spark.executorEnv.CBOR_ENABLED=false).")
          boolean cborEnabled,
      @Setting(
              value = "10",
              rule = AT_LEAST_ONE,
              doc =
                  "Writing (generate --to kinesis, the attributed-stream "
                      + "sink): PutRecords attempts per record before the write fails (for the sink: the micro-batch fails, "
                      + "and the restarted query retries it). Refused records (throttling, a stream still being created) "
                      + "are re-sent.")
          int putMaxAttempts,
      @Setting(
              value = "100 ms",
              rule = POSITIVE,
              doc = "Before a re-send, wait a random time up to this, " + "doubled per attempt.")
          Duration putRetryBackoff,
      @Setting(value = "5 s", rule = POSITIVE, doc = "The longest wait before a re-send.")
          Duration putRetryMaxBackoff,
      @Setting(
              doc =
                  "Further connector options, passed as-is and winning over the ones above, e.g. "
                      + "\"kinesis.startingPosition\" = \"AT_TIMESTAMP 2026-11-21T09:00:00Z\".")
          Map<String, String> options) {
    public KinesisSettings {
      options = Map.copyOf(options);
      require(
          consumerType != KinesisConsumerType.SUBSCRIBE_TO_SHARD || consumerName.isPresent(),
          "adlake.source.kinesis.consumer-name is required when adlake.source.kinesis.consumer-type = "
              + "SubscribeToShard (enhanced fan-out registers a consumer under that name)");
      require(
          putRetryMaxBackoff.compareTo(putRetryBackoff) >= 0,
          "adlake.source.kinesis.put-retry-max-backoff ("
              + putRetryMaxBackoff
              + ") must not be shorter than adlake.source.kinesis.put-retry-backoff ("
              + putRetryBackoff
              + ")");
    }

    public KinesisConnection connection() {
      return new KinesisConnection(region.orElse(""), endpointUrl, cborEnabled);
    }

    public PutRetry putRetry() {
      return new PutRetry(putMaxAttempts, putRetryBackoff, putRetryMaxBackoff);
    }
  }

  /** The optional output stream of attributed clicks, written after each micro-batch's MERGE. */
  public record KinesisSinkSettings(
      @Setting(value = "false", doc = "Whether the attributed rows go to the stream.")
          boolean enabled,
      @Setting(
              value = "ad-attributed",
              rule = KINESIS_NAME,
              doc = "Stream name; it must exist (the job checks at start).")
          String stream,
      @Setting(
              value = "${adlake.source.kinesis.region}",
              rule = AWS_REGION,
              doc = "AWS region of the stream; by default the Kinesis source's.")
          Optional<String> region,
      @Setting(
              value = "${adlake.source.kinesis.endpoint-url}",
              rule = HTTP_URL,
              doc = "Kinesis endpoint URL; by default the Kinesis source's.")
          Optional<String> endpointUrl,
      @Setting(
              sameAs = "adlake.source.kinesis.cbor-enabled",
              doc = "The AWS SDK's CBOR switch is JVM-wide: the sink speaks as the source does.")
          boolean cborEnabled) {
    public KinesisSinkSettings {
      require(
          !enabled || region.isPresent(),
          "adlake.attribution.kinesis-sink.region (or "
              + "adlake.source.kinesis.region) must name the AWS region of the streams (e.g. us-east-1) when "
              + "adlake.attribution.kinesis-sink.enabled = true");
    }

    public KinesisConnection connection() {
      return new KinesisConnection(region.orElse(""), endpointUrl, cborEnabled);
    }
  }

  public record StreamingSettings(
      @Setting(
              value = "checkpoints",
              rule = NOT_BLANK,
              doc =
                  "Root of the checkpoint directories, one per query "
                      + "underneath (local path or s3:// URI).")
          String checkpointRoot,
      @Setting(
              value = "1 minute",
              rule = POSITIVE,
              doc =
                  "Processing-time trigger interval of the long-running "
                      + "jobs. Iceberg advises >= 1 minute in production: every trigger is a commit, and commits are what the "
                      + "table's metadata and readers pay for.")
          Duration triggerInterval) {}

  /**
   * Bronze ingest: size limit, de-duplication window, the plausible event times (not before {@code
   * minEventTime}, not more than {@code maxFutureSkew} after the record arrived) and USD rates.
   */
  public record IngestSettings(
      @Setting(
              value = "1048576",
              rule = POSITIVE,
              doc =
                  "A record larger than this many bytes goes to quarantine "
                      + "(reason too_large) without being parsed.")
          long maxRecordBytes,
      @Setting(
              value = "10 minutes",
              rule = NON_NEGATIVE,
              doc =
                  "A record whose id was already seen within this "
                      + "window of arrival time (Kafka timestamp) is a re-send: marked by a flatMapGroupsWithState whose "
                      + "state expires with the watermark on received_at, counted and dropped in the sink. Arrival time, not "
                      + "event time, so that late events are never dropped as \"late\" by the de-duplication.")
          Duration dedupWindow,
      @Setting(
              value = "2000-01-01T00:00:00Z",
              doc =
                  "A record stamped before this goes to quarantine (reason "
                      + "timestamp_out_of_range) instead of opening partitions and windows nobody will ever close. Backfills "
                      + "older than the bound: lower it.")
          Instant minEventTime,
      @Setting(
              value = "1 day",
              rule = NON_NEGATIVE,
              doc =
                  "A record stamped more than this after it arrived (a "
                      + "device clock years off) goes to quarantine (reason timestamp_out_of_range).")
          Duration maxFutureSkew,
      @Setting(
              value = "USD = 1.0, EUR = 1.08, GBP = 1.27, JPY = 0.0067",
              doc =
                  "USD per unit of each currency: the seed of the currency_rates table when it is "
                      + "empty (valid from 1970-01-01); bid floors and conversion values convert at the currency_rates rate of "
                      + "their event time, loaded with dims load. The generator uses these values.")
          Map<String, Double> usdRates) {
    public IngestSettings {
      usdRates = Map.copyOf(usdRates);
      usdRates.forEach(
          (currency, rate) -> {
            require(
                currency.matches("[A-Z]{3}"),
                "adlake.ingest.usd-rates." + currency + ": keys are ISO-4217 codes such as EUR");
            POSITIVE.check("adlake.ingest.usd-rates." + currency, rate);
          });
    }
  }

  public record EnrichmentSettings(
      @Setting(
              doc =
                  "City, region, postal code, time zone and coordinates of each bid request from its "
                      + "device.ip, looked up in a MaxMind City database (GeoLite2-City or GeoIP2-City, .mmdb).")
          GeoIpSettings geoip) {
    public EnrichmentSettings {
      requireNonNull(geoip, "geoip");
    }
  }

  public record GeoIpSettings(
      @Setting(
              value = "",
              doc =
                  "The .mmdb file: a local path or any Hadoop URI (s3://, hdfs://, abfs://); the job ships it "
                      + "to every executor. Empty = no geography (the geo_* columns are NULL). A file that is "
                      + "missing, unreadable or not a City database stops the start. Bring your own file and "
                      + "give the attribution its licence requires.")
          Optional<String> path) {
    public GeoIpSettings {
      path = path.filter(p -> !p.isBlank());
    }
  }

  /**
   * How the MERGE into the attribution table writes; {@code lake.MergeMode} resolves {@code AUTO}.
   */
  public enum MergeModeSetting {
    AUTO,
    MERGE_ON_READ,
    COPY_ON_WRITE;

    @Override
    public String toString() {
      return spelling(this);
    }
  }

  public record AttributionSettings(
      @Setting(
              value = "enriched_ad_data",
              rule = IDENTIFIER,
              doc = "Iceberg table of attributed clicks (impression joined to its first click).")
          String table,
      @Setting(
              value = "30 seconds",
              rule = POSITIVE,
              doc =
                  "A click is attributed when impression_time - "
                      + "click-skew <= click_time <= impression_time + click-window.")
          Duration clickWindow,
      @Setting(
              value = "30 seconds",
              rule = NON_NEGATIVE,
              doc =
                  "Tolerated device clock skew: clicks stamped up "
                      + "to this long before their impression still count.")
          Duration clickSkew,
      @Setting(
              value = "2 minutes",
              rule = NON_NEGATIVE,
              doc =
                  "Event-time watermark delay of the impressions: "
                      + "how late an impression may arrive and still be joined.")
          Duration impressionWatermark,
      @Setting(
              value = "2 minutes",
              rule = NON_NEGATIVE,
              doc =
                  "Event-time watermark delay of the clicks: how "
                      + "late a click may arrive and still be joined.")
          Duration clickWatermark,
      @Setting(
              value = "50",
              doc = "is_premium_ad = 'Yes' when bid_price is strictly greater than this (USD).")
          double premiumBidThreshold,
      @Setting(value = "1.2", doc = "click_revenue = click_price * this multiplier.")
          double clickRevenueMultiplier,
      @Setting(
              value = "auto",
              doc =
                  "How the MERGE into the table writes: auto, merge-on-read or copy-on-write. "
                      + "auto = merge-on-read on Iceberg >= 1.10 (a MERGE that only inserts writes just its new files), "
                      + "copy-on-write on older runtimes (Glue 5.0, EMR 7.7-7.9), whose MERGE fails on merge-on-read tables "
                      + "with identifier fields (apache/iceberg#11709). An existing table is switched on start when its mode "
                      + "cannot work here.")
          MergeModeSetting mergeMode,
      @Setting(
              value = "1",
              doc =
                  "is_suspected_fraud when engagement_duration (whole seconds) is below this; "
                      + "clicks within the impression's second, or before it, are implausible for a human.")
          long fraudMinEngagementSeconds,
      @Setting(
              doc =
                  "Optional output stream: after each micro-batch's MERGE commits, the batch's attributed rows "
                      + "go to this Kinesis stream as JSON (partition key impression_id), with the PutRecords retry of "
                      + "adlake.source.kinesis. At least once: a failed or replayed batch sends its rows again, so consumers "
                      + "de-duplicate on impression_id + click_id. It speaks CBOR or not as adlake.source.kinesis.cbor-enabled "
                      + "says: the AWS SDK's switch is JVM-wide.")
          KinesisSinkSettings kinesisSink) {}

  /**
   * Conversion attribution: the lookbacks of the last-touch rule and of the journey, the journey's
   * length, the time-decay model's half-life, and how late a touch may be read and still re-open
   * the conversions it belongs to.
   */
  public record ConversionSettings(
      @Setting(
              value = "24 hours",
              rule = POSITIVE,
              doc =
                  "A click of the conversion's click_id, or else the user's latest click, with "
                      + "click_time in [conversion_time - click-lookback, conversion_time] makes the conversion click_through.")
          Duration clickLookback,
      @Setting(
              value = "1 hour",
              rule = POSITIVE,
              doc =
                  "Without such a click, the user's latest impression with impression_time in "
                      + "[conversion_time - view-lookback, conversion_time] makes it view_through.")
          Duration viewLookback,
      @Setting(
              value = "${adlake.conversions.click-lookback}",
              rule = POSITIVE,
              doc =
                  "conversion_journeys holds the user's impressions and clicks within this before the "
                      + "conversion; the multi-touch models share the conversion over them.")
          Duration journeyLookback,
      @Setting(
              value = "50",
              rule = AT_LEAST_ONE,
              doc = "A journey keeps at most this many touches, the latest ones.")
          int maxTouches,
      @Setting(
              value = "6 hours",
              rule = POSITIVE,
              doc =
                  "time_decay model: a touch this long before the conversion gets half the weight of a "
                      + "touch at the conversion's time.")
          Duration timeDecayHalfLife,
      @Setting(
              value = "2 hours",
              rule = NON_NEGATIVE,
              doc =
                  "A touch read more than this behind the newest event time the job has read re-opens no "
                      + "conversion: it is counted in late_events (it stays in bronze, and conversions attributed later "
                      + "still find it). Within it, the tables do not depend on arrival order or micro-batches.")
          Duration lateness,
      @Setting(
              value = "0",
              rule = NON_NEGATIVE,
              doc =
                  "About this many bronze rows per micro-batch and input table (Iceberg's "
                      + "streaming-max-rows-per-micro-batch, whole files); 0 reads all new rows. Interval triggers only.")
          long maxRowsPerTrigger) {

    /** The longest time a touch can matter to a conversion after it: what a new touch re-opens. */
    public Duration reopenWindow() {
      Duration longest = clickLookback;
      for (Duration d : List.of(viewLookback, journeyLookback)) {
        if (d.compareTo(longest) > 0) {
          longest = d;
        }
      }
      return longest;
    }
  }

  /**
   * How long after its request (response), response (impression) and impression (click) a
   * downstream event still counts in the hourly funnel of its originating request.
   */
  public record FunnelWindows(
      @Setting(
              value = "5 seconds",
              rule = POSITIVE,
              doc = "A response counts when it follows its request within " + "this (event time).")
          Duration responseWithin,
      @Setting(
              value = "10 seconds",
              rule = POSITIVE,
              doc = "An impression counts when it follows its response " + "within this.")
          Duration impressionWithin,
      @Setting(
              value = "60 seconds",
              rule = POSITIVE,
              doc = "A click counts when it follows its impression within " + "this.")
          Duration clickWithin) {}

  /**
   * The windowed metrics jobs: the watermark delay of every metrics query, at most about how many
   * bronze rows one micro-batch reads per table (0: all), and the funnel's windows.
   */
  public record AggregateSettings(
      @Setting(
              value = "10 minutes",
              rule = NON_NEGATIVE,
              doc =
                  "Event-time watermark delay: how late an event "
                      + "may arrive and still correct its window's row. Later events are dropped by Spark, counted per table "
                      + "and micro-batch in the late_events table and shown in the progress line and by `report funnel`.")
          Duration watermark,
      @Setting(
              value = "0",
              rule = NON_NEGATIVE,
              doc =
                  "About this many bronze rows per micro-batch and input "
                      + "table (Iceberg's streaming-max-rows-per-micro-batch, whole files: at least one); 0 reads all new "
                      + "rows. Honoured by interval triggers; an available-now run reads everything in one batch (Iceberg's "
                      + "source does not split available-now runs).")
          long maxRowsPerTrigger,
      @Setting(
              doc =
                  "hourly_funnel_by_publisher counts each downstream event in the hour of its originating "
                      + "request when it follows its predecessor within these delays; later ones are not part of that "
                      + "request's funnel.")
          FunnelWindows funnel) {

    public Duration responseWithin() {
      return funnel.responseWithin();
    }

    public Duration impressionWithin() {
      return funnel.impressionWithin();
    }

    public Duration clickWithin() {
      return funnel.clickWithin();
    }
  }

  /** The maintain command. */
  public record MaintenanceSettings(
      @Setting(
              value = "2 hours",
              rule = NON_NEGATIVE,
              doc =
                  "Compaction rewrites only closed partitions: days "
                      + "that ended before (now - closed-after). Keep it above the largest watermark + window of the jobs "
                      + "writing the table, so that no streaming MERGE still touches a partition being compacted.")
          Duration closedAfter,
      @Setting(
              value = "0",
              rule = NON_NEGATIVE,
              doc =
                  "Target size of compacted files; 0 takes the table's write.target-file-size-bytes.")
          long targetFileSizeBytes,
      @Setting(
              value = "5",
              rule = AT_LEAST_ONE,
              doc = "A partition is compacted when it has at least this many files to combine.")
          int minInputFiles,
      @Setting(
              value = "3 days",
              rule = NON_NEGATIVE,
              doc = "Snapshots older than this are expired, keeping at least retain-last of them.")
          Duration snapshotRetention,
      @Setting(
              value = "20",
              rule = AT_LEAST_ONE,
              doc = "The number of newest snapshots expiry always keeps.")
          int retainLast,
      @Setting(
              value = "30 days",
              rule = NON_NEGATIVE,
              doc =
                  "Expiry never removes the newest snapshot of a "
                      + "streaming writer that committed within this: its summary is the exactly-once ledger a restart from "
                      + "the checkpoint consults.")
          Duration ledgerRetention,
      @Setting(
              value = "3 days",
              rule = NON_NEGATIVE,
              doc =
                  "Files in a table's location that no snapshot "
                      + "references are removed when older than this. Under 24 h a file being written by a running job could "
                      + "look orphaned: refused unless allow-short-orphan-age = true.")
          Duration orphanMinAge,
      @Setting(
              value = "false",
              doc = "Allow an orphan-min-age under 24 h (only when no job writes to the tables).")
          boolean allowShortOrphanAge) {
    private static final Duration SAFE_ORPHAN_AGE = Duration.ofHours(24);

    public MaintenanceSettings {
      require(
          orphanMinAge.compareTo(SAFE_ORPHAN_AGE) >= 0 || allowShortOrphanAge,
          "adlake.maintenance."
              + "orphan-min-age is "
              + orphanMinAge
              + ": under 24 h, files a running job is still writing could be "
              + "removed as orphans. Raise it, or set adlake.maintenance.allow-short-orphan-age = true if no job "
              + "writes to these tables.");
    }
  }

  /** The funnel `generate` writes: its rates, its flaws and the size of the simulated market. */
  public record GeneratorSettings(
      @Setting(
              value = "42",
              doc =
                  "Seed of the pseudo-random funnel; same seed + same start time = the same "
                      + "events, byte for byte.")
          long seed,
      @Setting(
              value = "2000",
              rule = POSITIVE,
              doc =
                  "Events per second of event time across all streams (for "
                      + "--count runs; --rate sets it too).")
          double eventRate,
      @Setting(value = "0.60", rule = SHARE, doc = "Share of requests answered.")
          double responseRate,
      @Setting(
              value = "0.15",
              rule = SHARE,
              doc = "Share of responses won (shown as an impression).")
          double winRate,
      @Setting(value = "0.02", rule = SHARE, doc = "Share of impressions clicked.")
          double clickRate,
      @Setting(
              value = "0.05",
              rule = SHARE,
              doc = "Share of clicked impressions that get a second click (first click wins).")
          double repeatClickShare,
      @Setting(
              value = "0.08",
              rule = SHARE,
              doc =
                  "Share of clicks placed outside the attribution window (they must not be attributed).")
          double outsideWindowClickShare,
      @Setting(
              value = "0.03",
              rule = SHARE,
              doc =
                  "Share of clicks a few hundred milliseconds after their impression (suspected fraud).")
          double botClickShare,
      @Setting(
              value = "0.01",
              rule = SHARE,
              doc = "Share of records re-sent unchanged (duplicates), per stream.")
          double duplicateShare,
      @Setting(value = "0.005", rule = SHARE, doc = "Share of extra malformed records, per stream.")
          double malformedShare,
      @Setting(
              value = "0.05",
              rule = SHARE,
              doc =
                  "Share of records delivered out of order, up to out-of-order-max after their event time.")
          double outOfOrderShare,
      @Setting(
              value = "5 seconds",
              rule = NON_NEGATIVE,
              doc = "How late an out-of-order record is delivered, at " + "most.")
          Duration outOfOrderMax,
      @Setting(
              value = "0.0",
              rule = SHARE,
              doc = "Share of records delivered late, late-delay after their event " + "time.")
          double lateShare,
      @Setting(
              value = "10 minutes",
              rule = NON_NEGATIVE,
              doc = "How late a late record is delivered.")
          Duration lateDelay,
      @Setting(value = "40", rule = AT_LEAST_ONE, doc = "Campaigns in the simulated market.")
          int campaigns,
      @Setting(value = "200", rule = AT_LEAST_ONE, doc = "Publishers in the simulated market.")
          int publishers,
      @Setting(value = "12", rule = AT_LEAST_ONE, doc = "Bidders in the simulated market.")
          int bidders,
      @Setting(value = "5", rule = AT_LEAST_ONE, doc = "Creatives of each campaign.")
          int creativesPerCampaign,
      @Setting(
              value = "50000",
              rule = AT_LEAST_ONE,
              doc =
                  "Users in the simulated market (the bid requests' user.id); fewer users see more ads "
                      + "each, so their journeys are longer.")
          int users,
      @Setting(
              doc =
                  "Conversions of the users who saw and clicked the ads, some organic, some beyond the "
                      + "lookbacks of adlake.conversions; the ground truth holds the attribution of each.")
          GeneratedConversions conversions) {}

  /** The conversions `generate` writes after the funnel's clicks and impressions. */
  public record GeneratedConversions(
      @Setting(
              value = "0.05",
              rule = SHARE,
              doc = "Share of clicks followed by a conversion of the same user (click-through).")
          double clickRate,
      @Setting(
              value = "0.001",
              rule = SHARE,
              doc =
                  "Share of impressions followed by a conversion of the same user (view-through) without "
                      + "a click.")
          double viewRate,
      @Setting(
              value = "0.0005",
              rule = SHARE,
              doc =
                  "Organic conversions, per bid request: users who saw no ad (they must stay "
                      + "unattributed).")
          double organicRate,
      @Setting(
              value = "0.3",
              rule = SHARE,
              doc = "Share of click-through conversions sent as a postback carrying the click_id.")
          double postbackShare,
      @Setting(
              value = "0.1",
              rule = SHARE,
              doc =
                  "Share of conversions placed at a lookback's edge: exactly on it, one millisecond past it, "
                      + "or up to a few hours past it.")
          double edgeShare,
      @Setting(
              value = "0.03",
              rule = SHARE,
              doc =
                  "Share of conversions the advertiser re-sends (same conversion_id, same record) "
                      + "minutes to hours later.")
          double resendShare,
      @Setting(
              value = "0.05",
              rule = SHARE,
              doc =
                  "Share of conversions without user_id (a postback may still carry the click_id).")
          double noUserShare,
      @Setting(
              value = "0.2",
              rule = SHARE,
              doc = "Share of conversions valued in EUR, GBP or JPY instead of USD.")
          double foreignCurrencyShare) {}

  /** The configured spelling of a choice whose constant is X_Y: x-y. */
  private static String spelling(Enum<?> choice) {
    return choice.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new ConfigurationException(message);
    }
  }
}
