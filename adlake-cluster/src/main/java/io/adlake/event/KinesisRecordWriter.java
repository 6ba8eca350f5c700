package io.adlake.event;

import static java.util.Objects.requireNonNull;

import io.adlake.config.AdlakeConfig.PutRetry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.KinesisException;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;

/**
 * Writes records to Kinesis streams with PutRecords, for the generator and the attributed-stream
 * sink. Records are buffered per stream into requests within the API's limits (500 records, 5 MiB
 * of data and partition keys); the records a request leaves failed (throttling) and whole requests
 * that fail transiently (a stream still being created, throttling, a server or network error) are
 * re-sent with exponential backoff and full jitter, up to {@link PutRetry#maxAttempts()} attempts;
 * then {@link #flush()} throws, naming the stream and the errors.
 *
 * <p>At least once: a request that timed out may have been written before it is re-sent, and a
 * re-sent record lands after records that followed it. Readers de-duplicate on the record's own id.
 */
public final class KinesisRecordWriter implements AutoCloseable {
  static final int MAX_RECORDS_PER_REQUEST = 500;
  static final long MAX_BYTES_PER_REQUEST = 5L * 1024 * 1024;

  /** Data and partition key of one record. */
  static final long MAX_BYTES_PER_RECORD = 1024 * 1024;

  static final int MAX_PARTITION_KEY_CHARS = 256;

  private final KinesisClient client;
  private final PutRetry retry;
  private final Map<String, Batch> open = new LinkedHashMap<>();
  private long requests;

  /** Records of one stream waiting for their request. */
  private static final class Batch {
    final List<PutRecordsRequestEntry> entries = new ArrayList<>();
    long bytes;
  }

  /**
   * @param client closed with this writer
   */
  public KinesisRecordWriter(KinesisClient client, PutRetry retry) {
    this.client = requireNonNull(client, "client");
    this.retry = requireNonNull(retry, "retry");
  }

  /**
   * Buffers a record; sends the stream's buffer first when the record would not fit into its
   * request.
   */
  public void put(String stream, String partitionKey, byte[] data) {
    requireNonNull(stream, "stream");
    if (partitionKey == null
        || partitionKey.isEmpty()
        || partitionKey.length() > MAX_PARTITION_KEY_CHARS) {
      throw new IllegalArgumentException(
          "A Kinesis partition key has 1-"
              + MAX_PARTITION_KEY_CHARS
              + " characters; got "
              + (partitionKey == null
                  ? "null"
                  : partitionKey.length() + ": '" + partitionKey + "'"));
    }
    long size = data.length + partitionKey.getBytes(StandardCharsets.UTF_8).length;
    if (size > MAX_BYTES_PER_RECORD) {
      throw new IllegalArgumentException(
          "Record with partition key '"
              + partitionKey
              + "' for stream "
              + stream
              + " has "
              + size
              + " bytes; Kinesis takes at most "
              + MAX_BYTES_PER_RECORD
              + " per record");
    }
    Batch batch = open.computeIfAbsent(stream, s -> new Batch());
    if (batch.entries.size() == MAX_RECORDS_PER_REQUEST
        || batch.bytes + size > MAX_BYTES_PER_REQUEST) {
      send(stream, open.remove(stream).entries);
      batch = open.computeIfAbsent(stream, s -> new Batch());
    }
    batch.entries.add(
        PutRecordsRequestEntry.builder()
            .partitionKey(partitionKey)
            .data(SdkBytes.fromByteArray(data))
            .build());
    batch.bytes += size;
  }

  /**
   * Sends every buffered record; returns when all are written, or throws when a record could not
   * be.
   */
  public void flush() {
    while (!open.isEmpty()) {
      String stream = open.keySet().iterator().next();
      send(stream, open.remove(stream).entries);
    }
  }

  /** PutRecords calls made so far, retries included. */
  public long requests() {
    return requests;
  }

  private void send(String stream, List<PutRecordsRequestEntry> records) {
    List<PutRecordsRequestEntry> pending = records;
    String lastError = "";
    for (int attempt = 1; ; attempt++) {
      try {
        requests++;
        List<PutRecordsRequestEntry> batch = pending;
        PutRecordsResponse response = client.putRecords(r -> r.streamName(stream).records(batch));
        Integer failedCount = response.failedRecordCount();
        if (failedCount == null || failedCount == 0) {
          return;
        }
        pending = failed(batch, response.records());
        lastError =
            pending.size()
                + " of "
                + batch.size()
                + " records refused "
                + errorCodes(response.records());
      } catch (KinesisException e) {
        if (!isTransient(e)) {
          throw new IllegalStateException(
              "PutRecords to Kinesis stream "
                  + stream
                  + " failed: "
                  + e.awsErrorDetails().errorCode()
                  + ": "
                  + e.awsErrorDetails().errorMessage(),
              e);
        }
        lastError = "request failed: " + e.awsErrorDetails().errorCode();
      } catch (SdkClientException e) {
        lastError = "request failed: " + e.getMessage();
      }
      if (attempt >= retry.maxAttempts()) {
        throw new IllegalStateException(
            "PutRecords to Kinesis stream "
                + stream
                + ": "
                + pending.size()
                + " record(s) not written after "
                + attempt
                + " attempts (last: "
                + lastError
                + "). Check that the "
                + "stream exists and is active, raise its capacity, or raise adlake.source.kinesis.put-max-attempts / "
                + "put-retry-max-backoff to wait longer.");
      }
      sleep(attempt);
    }
  }

  private static List<PutRecordsRequestEntry> failed(
      List<PutRecordsRequestEntry> sent, List<PutRecordsResultEntry> results) {
    List<PutRecordsRequestEntry> failed = new ArrayList<>();
    for (int i = 0; i < sent.size(); i++) {
      if (results.get(i).errorCode() != null) {
        failed.add(sent.get(i));
      }
    }
    return failed;
  }

  private static Map<String, Integer> errorCodes(List<PutRecordsResultEntry> results) {
    Map<String, Integer> codes = new TreeMap<>();
    for (PutRecordsResultEntry r : results) {
      if (r.errorCode() != null) {
        codes.merge(r.errorCode(), 1, Integer::sum);
      }
    }
    return codes;
  }

  /**
   * Worth another attempt: throttling, a stream that is still being created (ResourceNotFound until
   * it is active), server errors. Bad arguments and missing permissions are not.
   */
  private static boolean isTransient(KinesisException e) {
    String code = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
    return e.isThrottlingException()
        || e.statusCode() >= 500
        || List.of(
                "ResourceNotFoundException",
                "ProvisionedThroughputExceededException",
                "LimitExceededException",
                "KMSThrottlingException")
            .contains(code);
  }

  /**
   * Full jitter: a random wait up to backoff × 2^(attempt-1), capped (spreads retries of many
   * writers).
   */
  private void sleep(int attempt) {
    long capMillis = retry.maxBackoff().toMillis();
    long ceiling = Math.min(capMillis, retry.backoff().toMillis() << Math.min(attempt - 1, 30));
    try {
      Thread.sleep(ThreadLocalRandom.current().nextLong(ceiling + 1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while retrying PutRecords", e);
    }
  }

  @Override
  public void close() {
    client.close();
  }
}
