package io.adlake.source;

import io.adlake.config.AdlakeConfig.KinesisConnection;
import io.adlake.config.ConfigurationException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import software.amazon.awssdk.core.SdkSystemSetting;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.KinesisClientBuilder;
import software.amazon.awssdk.services.kinesis.model.ResourceInUseException;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/**
 * Kinesis clients and the streams they need, as {@link KafkaTopics} is for Kafka: connect, check
 * that streams exist (failing with the setting to fix), create missing ones for the generator.
 */
public final class KinesisStreams {
  /** AWS creates a stream in about 30 s; give it a margin. */
  private static final Duration ACTIVE_TIMEOUT = Duration.ofMinutes(2);

  private static final Duration POLL = Duration.ofMillis(100);

  private KinesisStreams() {}

  /**
   * A synchronous client on the connection's region and endpoint, with the AWS default credentials
   * chain.
   *
   * @throws ConfigurationException when no region is configured
   */
  public static KinesisClient connect(KinesisConnection connection) {
    if (connection.region().isEmpty()) {
      throw new ConfigurationException(
          "adlake.source.kinesis.region is not set: name the AWS region of the "
              + "Kinesis streams, e.g. --conf adlake.source.kinesis.region=us-east-1");
    }
    applyCborSetting(connection);
    KinesisClientBuilder builder =
        KinesisClient.builder()
            .region(Region.of(connection.region()))
            // Named, not discovered: with several HTTP clients on a platform's classpath the SDK
            // refuses to pick one. The JDK's HTTP client: no dependency, in every SDK version.
            .httpClientBuilder(UrlConnectionHttpClient.builder());
    connection.endpointUrl().ifPresent(url -> builder.endpointOverride(URI.create(url)));
    return builder.build();
  }

  /**
   * The SDK reads CBOR on or off from a system property when it builds a client, and has no
   * per-client switch; local servers such as kinesalite only speak JSON.
   */
  static void applyCborSetting(KinesisConnection connection) {
    if (!connection.cborEnabled()) {
      System.setProperty(SdkSystemSetting.CBOR_ENABLED.property(), "false");
    }
  }

  /**
   * Fails, naming the streams and the setting to fix, when a stream is missing or Kinesis does not
   * answer.
   */
  public static void requireStreams(
      KinesisClient client,
      KinesisConnection connection,
      Collection<String> streams,
      String settingHint) {
    List<String> missing = new ArrayList<>();
    try {
      for (String stream : streams) {
        if (status(client, stream) == null) {
          missing.add(stream);
        }
      }
    } catch (SdkClientException e) {
      throw unreachable(connection, e);
    }
    if (!missing.isEmpty()) {
      throw new IllegalStateException(
          "Kinesis at "
              + connection.endpoint()
              + " has no stream(s) "
              + missing.stream().sorted().toList()
              + ". Create them (adlake generate --to kinesis creates the four "
              + "event streams) or fix "
              + settingHint);
    }
  }

  /**
   * Creates the streams that do not exist with {@code shards} shards, and waits until all are
   * active.
   */
  public static void ensure(
      KinesisClient client, KinesisConnection connection, Collection<String> streams, int shards) {
    try {
      for (String stream : streams) {
        if (status(client, stream) == null) {
          try {
            client.createStream(r -> r.streamName(stream).shardCount(shards));
          } catch (ResourceInUseException e) {
            // created concurrently by someone else: fine, wait for it below
          }
        }
      }
      awaitActive(client, connection, streams);
    } catch (SdkClientException e) {
      throw unreachable(connection, e);
    }
  }

  private static void awaitActive(
      KinesisClient client, KinesisConnection connection, Collection<String> streams) {
    long deadline = System.nanoTime() + ACTIVE_TIMEOUT.toNanos();
    for (String stream : streams) {
      StreamStatus status;
      while ((status = status(client, stream)) != StreamStatus.ACTIVE
          && status != StreamStatus.UPDATING) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "Kinesis stream "
                  + stream
                  + " at "
                  + connection.endpoint()
                  + " is not active after "
                  + ACTIVE_TIMEOUT.toSeconds()
                  + " s (status "
                  + status
                  + ")");
        }
        try {
          Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(
              "Interrupted while waiting for Kinesis stream " + stream, e);
        }
      }
    }
  }

  /** The stream's status, or null when it does not exist. */
  private static StreamStatus status(KinesisClient client, String stream) {
    try {
      return client
          .describeStreamSummary(r -> r.streamName(stream))
          .streamDescriptionSummary()
          .streamStatus();
    } catch (ResourceNotFoundException e) {
      return null;
    }
  }

  private static IllegalStateException unreachable(
      KinesisConnection connection, SdkClientException e) {
    return new IllegalStateException(
        "Kinesis at "
            + connection.endpoint()
            + " did not answer: "
            + e.getMessage()
            + ". Check adlake.source.kinesis.region and .endpoint-url, and that AWS credentials are available.",
        e);
  }
}
