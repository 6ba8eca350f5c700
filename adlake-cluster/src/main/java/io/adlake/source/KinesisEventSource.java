package io.adlake.source;

import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.conv;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.md5;
import static org.apache.spark.sql.functions.shiftright;
import static org.apache.spark.sql.functions.substring;

import io.adlake.config.AdlakeConfig.KinesisConsumerType;
import io.adlake.config.AdlakeConfig.KinesisSettings;
import io.adlake.config.AdlakeConfig.StreamNames;
import io.adlake.event.EventType;
import io.adlake.event.RawRecord;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.Predicate;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.sources.DataSourceRegister;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * One Kinesis data stream per event stream, read with the Amazon Kinesis Data Streams connector for
 * Spark Structured Streaming (format {@code aws-kinesis}), which the platforms provide: EMR 7.1+
 * bundles it, Glue takes it with {@code --extra-jars}. It is not on Maven Central, so this class
 * only maps settings onto its options and its rows onto {@link RawRecord}.
 *
 * <p>Where a record came from, in the columns every source fills:
 *
 * <ul>
 *   <li>{@code record_source} = {@code <stream>/<sequence number>}. The sequence number (up to 56
 *       decimal digits) fits no BIGINT, and it is what reaches the record again (GetShardIterator
 *       AT_SEQUENCE_NUMBER), so it is kept whole, as text, in the column that quarantine keeps.
 *   <li>{@code source_partition} = the top 31 bits of the record's 128-bit hash key, MD5 of its
 *       partition key (adlake's writers never set an explicit hash key). The connector does not say
 *       which shard a record came from; this number does: its shard is the one whose HashKeyRange
 *       (ListShards) holds {@code source_partition × 2^97}. Records with one partition key share
 *       it, like a Kafka partition.
 *   <li>{@code source_offset} = NULL: the connector exposes no number that fits (no sub-sequence
 *       number), and a truncated sequence number would point nowhere.
 *   <li>{@code received_at} = the record's ApproximateArrivalTimestamp.
 * </ul>
 *
 * Records a KPL producer aggregated into one Kinesis record share its sequence number.
 */
public final class KinesisEventSource implements EventSource {
  public static final String FORMAT = "aws-kinesis";

  /**
   * The Kinesis hash key is 128 bits; source_partition keeps the top 31 so it fits a non-negative
   * INT.
   */
  public static final int HASH_KEY_SHIFT = 128 - 31;

  static final String MISSING_CONNECTOR =
      "adlake.source.type = kinesis needs Spark's '"
          + FORMAT
          + "' data source "
          + "(the Amazon Kinesis Data Streams connector for Spark Structured Streaming), and it is not on the classpath. "
          + "It is not on Maven Central. On EMR 7.1+ add --jars "
          + "/usr/share/aws/kinesis/spark-sql-kinesis/lib/spark-streaming-sql-kinesis-connector.jar; on AWS Glue "
          + "upload that jar (or a build of github.com/awslabs/spark-sql-kinesis-connector, Spark 3.5 / Scala 2.12 "
          + "line) to S3 and add it to the job's --extra-jars; with spark-submit pass it with --jars. "
          + "Or read from Kafka or files (adlake.source.type).";

  private final KinesisSettings settings;
  private final StreamNames streams;
  private final Predicate<String> formatAvailable;

  /**
   * How often this source has been read per stream, for distinct enhanced fan-out consumer names.
   */
  private final Map<String, Integer> readings = new HashMap<>();

  public KinesisEventSource(KinesisSettings settings, StreamNames streams) {
    this(settings, streams, KinesisEventSource::isFormatAvailable);
  }

  /**
   * @param formatAvailable whether Spark can load a data source by its short name (tests replace
   *     it)
   */
  KinesisEventSource(
      KinesisSettings settings, StreamNames streams, Predicate<String> formatAvailable) {
    this.settings = requireNonNull(settings, "settings");
    this.streams = requireNonNull(streams, "streams");
    this.formatAvailable = requireNonNull(formatAvailable, "formatAvailable");
  }

  @Override
  public Dataset<Row> readStream(SparkSession spark, EventType type) {
    requireConnector();
    // Covers the driver, and the executors of a local master; cluster executors need the env
    // (README).
    KinesisStreams.applyCborSetting(settings.connection());
    String stream = type.streamName(streams);
    int reading = readings.merge(stream, 1, Integer::sum);
    return rawRecords(
        spark
            .readStream()
            .format(FORMAT)
            .options(connectorOptions(settings, stream, reading))
            .load());
  }

  /**
   * The connector's options for one stream: the settings first, then {@code
   * adlake.source.kinesis.options}, which win.
   *
   * @param reading 1 for the first reading of this stream in the application, 2 for the second, …
   */
  public static Map<String, String> connectorOptions(
      KinesisSettings settings, String stream, int reading) {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("kinesis.streamName", stream);
    options.put("kinesis.region", settings.connection().region());
    // The signing region; otherwise the connector guesses it from the endpoint's host name, which
    // fails for
    // anything but *.amazonaws.com.
    options.put("kinesis.kinesisRegion", settings.connection().region());
    options.put("kinesis.endpointUrl", settings.connection().endpoint());
    options.put("kinesis.startingPosition", settings.startingPosition().name());
    options.put("kinesis.consumerType", settings.consumerType().toString());
    settings
        .consumerName()
        .ifPresent(
            name -> {
              if (settings.consumerType() == KinesisConsumerType.SUBSCRIBE_TO_SHARD) {
                options.put(
                    "kinesis.consumerName",
                    name + "-" + stream + (reading > 1 ? "-" + reading : ""));
              }
            });
    options.put("kinesis.failOnDataLoss", Boolean.toString(settings.failOnDataLoss()));
    if (settings.maxFetchRecordsPerShard() > 0) {
      options.put(
          "kinesis.maxFetchRecordsPerShard", Integer.toString(settings.maxFetchRecordsPerShard()));
    }
    options.putAll(settings.options());
    return options;
  }

  /**
   * The connector's rows ({@code data, streamName, partitionKey, sequenceNumber,
   * approximateArrivalTimestamp}) as {@link RawRecord} columns; see the class comment for what each
   * position column holds.
   */
  public static Dataset<Row> rawRecords(Dataset<Row> connectorRows) {
    return connectorRows.select(
        col("data").as(RawRecord.RAW),
        concat_ws("/", col("streamName"), col("sequenceNumber")).as(RawRecord.SOURCE),
        hashKeyPrefix(col("partitionKey")).as(RawRecord.PARTITION),
        lit(null).cast("long").as(RawRecord.OFFSET),
        col("approximateArrivalTimestamp").as(RawRecord.RECEIVED_AT));
  }

  /**
   * The top 31 bits of MD5(partition key), which is how Kinesis places a record among its shards.
   */
  static Column hashKeyPrefix(Column partitionKey) {
    Column top32 = conv(substring(md5(partitionKey.cast("binary")), 1, 8), 16, 10).cast("long");
    return shiftright(top32, 32 - 31).cast("int");
  }

  @Override
  public void requireStreams(Collection<EventType> types) {
    requireConnector();
    try (KinesisClient client = KinesisStreams.connect(settings.connection())) {
      KinesisStreams.requireStreams(
          client,
          settings.connection(),
          types.stream().map(t -> t.streamName(streams)).toList(),
          "adlake.streams.*");
    }
  }

  private void requireConnector() {
    if (!formatAvailable.test(FORMAT)) {
      throw new IllegalStateException(MISSING_CONNECTOR);
    }
  }

  /**
   * Whether a {@link DataSourceRegister} with this short name is on the classpath: the lookup Spark
   * does for {@code format(name)}, so a missing connector is reported at start, with where to get
   * it.
   */
  static boolean isFormatAvailable(String shortName) {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    Iterator<DataSourceRegister> providers =
        ServiceLoader.load(
                DataSourceRegister.class,
                loader != null ? loader : KinesisEventSource.class.getClassLoader())
            .iterator();
    while (true) {
      try {
        if (!providers.hasNext()) {
          return false;
        }
        if (shortName.equalsIgnoreCase(providers.next().shortName())) {
          return true;
        }
      } catch (ServiceConfigurationError | LinkageError e) {
        // A provider that cannot load (a connector built for another Spark) is not the one asked
        // for.
      }
    }
  }

  @Override
  public String describe() {
    return "kinesis " + settings.connection().endpoint();
  }
}
