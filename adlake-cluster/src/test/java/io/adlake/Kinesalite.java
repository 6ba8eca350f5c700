package io.adlake;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * A real Kinesis-compatible server for a test class: kinesalite (npm, installed by the build into
 * src/test/kinesalite/node_modules), in memory, on 127.0.0.1, started through its JS API by {@code
 * src/test/kinesalite/start.js} and stopped by {@link #close()} (or when the test JVM dies: the
 * script exits when its standard input closes).
 *
 * <p>kinesalite checks that requests are signed but not by whom, so the AWS SDK's default chain
 * gets placeholder keys here (system properties, only when none are set). It speaks JSON only: the
 * configs from {@link #overrides()} turn CBOR off.
 */
public final class Kinesalite implements AutoCloseable {
  private static final Path HOME = ClusterModule.path("src", "test", "kinesalite");
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

  private final Process process;
  private final int port;

  private Kinesalite(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /**
   * Starts a server whose CreateStream takes {@code createStreamMs} (the stream is CREATING until
   * then). Fails, naming what to install, when the build could not install kinesalite (no npm) or
   * there is no {@code node} to run it: a Kinesis test must not pass by skipping.
   */
  public static Kinesalite start(long createStreamMs) {
    if (!Files.isDirectory(HOME.resolve("node_modules/kinesalite"))) {
      throw new IllegalStateException(
          "kinesalite, the Kinesis test server, is not installed under "
              + HOME.toAbsolutePath()
              + "/node_modules: the build installs it with 'npm ci' in generate-test-resources. Install "
              + "Node.js with npm (apt-get install nodejs npm, or https://nodejs.org) and build again; "
              + "bin/check-prerequisites lists everything the tests need.");
    }
    setIfAbsent("aws.accessKeyId", "kinesalite-placeholder");
    setIfAbsent("aws.secretAccessKey", "kinesalite-placeholder");
    try {
      Process process =
          new ProcessBuilder("node", "start.js", "0", Long.toString(createStreamMs))
              .directory(HOME.toFile())
              .redirectErrorStream(true)
              .start();
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      List<String> seen = new ArrayList<>();
      CompletableFuture<Integer> ready =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  for (String line; (line = out.readLine()) != null; ) {
                    seen.add(line);
                    if (line.startsWith("READY ")) {
                      return Integer.parseInt(line.substring("READY ".length()).trim());
                    }
                  }
                  throw new IllegalStateException("kinesalite exited before it was ready: " + seen);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
      try {
        int port = ready.get(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        // Keep draining its output so the child never blocks on a full pipe.
        Thread drain =
            new Thread(
                () -> {
                  try {
                    while (out.readLine() != null) {
                      // discard
                    }
                  } catch (IOException ignored) {
                    // the process ended
                  }
                },
                "kinesalite-output");
        drain.setDaemon(true);
        drain.start();
        return new Kinesalite(process, port);
      } catch (ExecutionException | TimeoutException e) {
        process.destroyForcibly();
        throw new IllegalStateException(
            "kinesalite did not start within " + READY_TIMEOUT.toSeconds() + " s: " + seen, e);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot run 'node' for kinesalite, the Kinesis test server: install Node.js (apt-get "
              + "install nodejs, or https://nodejs.org) and put node on the PATH ("
              + e.getMessage()
              + ")",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void setIfAbsent(String property, String value) {
    if (System.getProperty(property) == null) {
      System.setProperty(property, value);
    }
  }

  /** One record as GetRecords returns it, with the shard it was read from. */
  public record Received(
      String shardId, String partitionKey, String sequenceNumber, byte[] data, Instant arrival) {}

  /** Every record of a stream, shard after shard, each shard in sequence order. */
  public static List<Received> readAll(KinesisClient client, String stream) {
    List<Received> all = new ArrayList<>();
    for (Shard shard : client.listShards(r -> r.streamName(stream)).shards()) {
      String iterator =
          client
              .getShardIterator(
                  r ->
                      r.streamName(stream)
                          .shardId(shard.shardId())
                          .shardIteratorType(ShardIteratorType.TRIM_HORIZON))
              .shardIterator();
      while (iterator != null) {
        String current = iterator;
        GetRecordsResponse response =
            client.getRecords(r -> r.shardIterator(current).limit(10_000));
        for (Record record : response.records()) {
          all.add(
              new Received(
                  shard.shardId(),
                  record.partitionKey(),
                  record.sequenceNumber(),
                  record.data().asByteArray(),
                  record.approximateArrivalTimestamp()));
        }
        // Everything was written before reading: an empty answer is the end of the shard's data.
        iterator = response.records().isEmpty() ? null : response.nextShardIterator();
      }
    }
    return all;
  }

  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  /** Config overrides that point adlake's Kinesis settings at this server. */
  public String[] overrides() {
    return new String[] {
      "adlake.source.kinesis.region=us-east-1",
      "adlake.source.kinesis.endpoint-url=" + endpoint(),
      "adlake.source.kinesis.cbor-enabled=false",
      "adlake.source.kinesis.put-retry-backoff=20ms",
      "adlake.source.kinesis.put-retry-max-backoff=500ms"
    };
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
