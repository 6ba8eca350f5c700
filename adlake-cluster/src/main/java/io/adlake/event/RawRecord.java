package io.adlake.event;

/**
 * Column names of a raw record as every source delivers it: the bytes and where they came from.
 * Kept on every parsed row so a bad record can be traced to its topic, partition and offset.
 */
public final class RawRecord {
  /** The record's bytes (binary). */
  public static final String RAW = "raw";

  /** Topic or file the record was read from; for Kinesis {@code <stream>/<sequence number>}. */
  public static final String SOURCE = "record_source";

  /** Kafka partition; for Kinesis the top 31 bits of the record's hash key; null for files. */
  public static final String PARTITION = "source_partition";

  /**
   * Kafka offset, or the 1-based line number in a file; null for Kinesis (the sequence number is
   * too big).
   */
  public static final String OFFSET = "source_offset";

  /**
   * When the source received the record (Kafka log-append or create time; Kinesis arrival; file
   * read time).
   */
  public static final String RECEIVED_AT = "received_at";

  private RawRecord() {}
}
