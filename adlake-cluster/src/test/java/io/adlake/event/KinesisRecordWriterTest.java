package io.adlake.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.adlake.Kinesalite;
import io.adlake.Kinesalite.Received;
import io.adlake.config.AdlakeConfig.KinesisConnection;
import io.adlake.config.AdlakeConfig.PutRetry;
import io.adlake.source.KinesisStreams;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;

/**
 * PutRecords batching and retries against a real Kinesis-compatible server (kinesalite). kinesalite
 * never refuses single records of a request, so those partial failures are injected by a client
 * that forwards only some records of a request and reports the others as throttled; a whole request
 * refused because its stream is still being created comes from the server itself.
 */
class KinesisRecordWriterTest {
  /** A CreateStream takes this long: long enough to write into a stream that is still CREATING. */
  private static final long CREATE_STREAM_MS = 1000;

  private static final AtomicInteger STREAMS = new AtomicInteger();
  private static Kinesalite kinesis;
  private static KinesisConnection connection;
  private static KinesisClient client;

  @BeforeAll
  static void server() {
    kinesis = Kinesalite.start(CREATE_STREAM_MS);
    connection = new KinesisConnection("us-east-1", Optional.of(kinesis.endpoint()), false);
    client = KinesisStreams.connect(connection);
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
    if (kinesis != null) {
      kinesis.close();
    }
  }

  @Test
  void requestsStayWithinFiveHundredRecordsAndFiveMebibytes() {
    String stream = activeStream(2);
    List<PutRecordsRequest> requests = Collections.synchronizedList(new ArrayList<>());
    try (KinesisRecordWriter writer =
        new KinesisRecordWriter(
            intercepting(
                client,
                (request, real) -> {
                  requests.add(request);
                  return real.putRecords(request);
                }),
            retry(3))) {
      for (int i = 0; i < 1201; i++) {
        writer.put(stream, "key-" + i, ("small-" + i).getBytes(StandardCharsets.UTF_8));
      }
      byte[] large = new byte[900 * 1024];
      for (int i = 0; i < 12; i++) {
        Arrays.fill(large, (byte) i);
        writer.put(stream, "large-" + i, large.clone());
      }
      writer.flush();
    }

    // 500 records at most; 5 MiB at most: the last 201 small records and 5 × 900 KiB fit, a sixth
    // does not.
    assertEquals(
        List.of(500, 500, 206, 5, 2), requests.stream().map(r -> r.records().size()).toList());
    for (PutRecordsRequest request : requests) {
      long bytes =
          request.records().stream()
              .mapToLong(
                  e ->
                      e.data().asByteArray().length
                          + e.partitionKey().getBytes(StandardCharsets.UTF_8).length)
              .sum();
      assertTrue(bytes <= 5L * 1024 * 1024, "request of " + bytes + " bytes");
    }
    List<Received> received = Kinesalite.readAll(client, stream);
    assertEquals(1213, received.size());
    Received large7 =
        received.stream().filter(r -> r.partitionKey().equals("large-7")).findFirst().orElseThrow();
    byte[] expected = new byte[900 * 1024];
    Arrays.fill(expected, (byte) 7);
    assertTrue(Arrays.equals(expected, large7.data()), "a large record arrives byte for byte");
  }

  @Test
  void recordsARequestLeftFailedAreResentAndEachArrivesOnce() {
    String stream = activeStream(2);
    AtomicInteger calls = new AtomicInteger();
    KinesisClient throttlingEveryOtherRecordOnce =
        intercepting(
            client,
            (request, real) ->
                calls.incrementAndGet() == 1
                    ? throttleEveryOther(request, real)
                    : real.putRecords(request));
    List<String> keys = new ArrayList<>();
    try (KinesisRecordWriter writer =
        new KinesisRecordWriter(throttlingEveryOtherRecordOnce, retry(5))) {
      for (int i = 0; i < 300; i++) {
        keys.add("k" + i);
        writer.put(stream, "k" + i, ("v" + i).getBytes(StandardCharsets.UTF_8));
      }
      writer.flush();
      assertEquals(2, writer.requests(), "one request, then one retry of the 150 refused records");
    }

    List<String> received =
        Kinesalite.readAll(client, stream).stream()
            .map(r -> r.partitionKey() + "=" + new String(r.data(), StandardCharsets.UTF_8))
            .sorted()
            .toList();
    assertEquals(
        keys.stream().map(k -> k + "=v" + k.substring(1)).sorted().toList(),
        received,
        "every record exactly once");
  }

  @Test
  void aStreamThatIsStillBeingCreatedIsRetriedUntilItIsActive() {
    String stream = "writer-" + STREAMS.incrementAndGet();
    client.createStream(r -> r.streamName(stream).shardCount(1));
    long started = System.nanoTime();
    try (KinesisRecordWriter writer =
        new KinesisRecordWriter(
            KinesisStreams.connect(connection),
            new PutRetry(60, Duration.ofMillis(20), Duration.ofMillis(200)))) {
      writer.put(stream, "only", "record".getBytes(StandardCharsets.UTF_8));
      writer.flush();
      assertTrue(
          writer.requests() > 1,
          "the first PutRecords found the stream CREATING (ResourceNotFound)");
    }
    assertTrue(System.nanoTime() - started >= Duration.ofMillis(CREATE_STREAM_MS / 2).toNanos());
    List<Received> received = Kinesalite.readAll(client, stream);
    assertEquals(
        List.of("record"),
        received.stream().map(r -> new String(r.data(), StandardCharsets.UTF_8)).toList());
  }

  @Test
  void recordsStillRefusedAfterTheLastAttemptFailTheFlushNamingStreamAndSetting() {
    String stream = activeStream(1);
    KinesisClient alwaysThrottling =
        intercepting(client, KinesisRecordWriterTest::throttleEveryOther);
    try (KinesisRecordWriter writer = new KinesisRecordWriter(alwaysThrottling, retry(3))) {
      writer.put(stream, "a", new byte[] {1});
      writer.put(stream, "b", new byte[] {2});
      IllegalStateException e = assertThrows(IllegalStateException.class, writer::flush);
      assertTrue(
          e.getMessage().contains(stream)
              && e.getMessage().contains("after 3 attempts")
              && e.getMessage().contains("ProvisionedThroughputExceededException")
              && e.getMessage().contains("adlake.source.kinesis.put-max-attempts"),
          e.getMessage());
      assertEquals(3, writer.requests());
    }
  }

  @Test
  void aMissingStreamFailsAfterTheRetries() {
    try (KinesisRecordWriter writer =
        new KinesisRecordWriter(KinesisStreams.connect(connection), retry(2))) {
      writer.put("no-such-stream", "k", new byte[] {1});
      IllegalStateException e = assertThrows(IllegalStateException.class, writer::flush);
      assertTrue(
          e.getMessage().contains("no-such-stream")
              && e.getMessage().contains("ResourceNotFoundException"),
          e.getMessage());
    }
  }

  @Test
  void aRecordOverOneMebibyteIsRefusedBeforeAnyRequest() {
    try (KinesisRecordWriter writer =
        new KinesisRecordWriter(KinesisStreams.connect(connection), retry(2))) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> writer.put("s", "key", new byte[1024 * 1024]));
      assertTrue(
          e.getMessage().contains("key") && e.getMessage().contains("1048576"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> writer.put("s", "", new byte[1]));
      assertEquals(0, writer.requests());
    }
  }

  private static PutRetry retry(int attempts) {
    return new PutRetry(attempts, Duration.ofMillis(10), Duration.ofMillis(50));
  }

  private static String activeStream(int shards) {
    String stream = "writer-" + STREAMS.incrementAndGet();
    KinesisStreams.ensure(client, connection, List.of(stream), shards);
    return stream;
  }

  /**
   * Sends the odd-numbered records and reports the even-numbered ones throttled, as Kinesis does.
   */
  private static PutRecordsResponse throttleEveryOther(
      PutRecordsRequest request, KinesisClient real) {
    List<PutRecordsRequestEntry> forwarded = new ArrayList<>();
    for (int i = 1; i < request.records().size(); i += 2) {
      forwarded.add(request.records().get(i));
    }
    List<PutRecordsResultEntry> written =
        forwarded.isEmpty()
            ? List.of()
            : real.putRecords(r -> r.streamName(request.streamName()).records(forwarded)).records();
    List<PutRecordsResultEntry> results = new ArrayList<>();
    for (int i = 0; i < request.records().size(); i++) {
      results.add(
          i % 2 == 1
              ? written.get(i / 2)
              : PutRecordsResultEntry.builder()
                  .errorCode("ProvisionedThroughputExceededException")
                  .errorMessage("Rate exceeded for shard (injected by the test)")
                  .build());
    }
    return PutRecordsResponse.builder()
        .records(results)
        .failedRecordCount((request.records().size() + 1) / 2)
        .build();
  }

  /**
   * A client whose PutRecords goes through {@code putRecords}; it closes nothing of the real one.
   */
  private static KinesisClient intercepting(
      KinesisClient real,
      BiFunction<PutRecordsRequest, KinesisClient, PutRecordsResponse> putRecords) {
    return new KinesisClient() {
      @Override
      public PutRecordsResponse putRecords(PutRecordsRequest request) {
        return putRecords.apply(request, real);
      }

      @Override
      public String serviceName() {
        return real.serviceName();
      }

      @Override
      public void close() {}
    };
  }
}
