package io.adlake.event;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;

/**
 * Parses raw records of one event type with its explicit schema, in JSON or, through an {@link
 * EventDecoder}, another format. Pure: a DataFrame in, a DataFrame out, the same on a batch and on
 * a stream. Every input row comes out once, either valid ({@link #REASON} null) or with the reason
 * it cannot be used; nothing is dropped here.
 */
public final class EventParser {
  /** Why the record is unusable; null for a valid record. */
  public static final String REASON = "quarantine_reason";

  /** {@code event_timestamp} parsed to a timestamp. */
  public static final String EVENT_TIME = "event_time";

  public static final String MALFORMED = "malformed_json";
  public static final String INVALID_TIMESTAMP = "invalid_timestamp";
  public static final String TIMESTAMP_OUT_OF_RANGE = "timestamp_out_of_range";
  public static final String TOO_LARGE = "too_large";
  public static final String MISSING_FIELD_PREFIX = "missing_field:";

  private static final String PARSED = "_event";

  private EventParser() {}

  /**
   * @param raw the columns of {@link RawRecord}
   * @return the raw record's metadata columns, every field of the type's schema, {@link
   *     #EVENT_TIME} and {@link #REASON}
   */
  public static Dataset<Row> parse(Dataset<Row> raw, EventType type) {
    return parse(raw, type, Long.MAX_VALUE);
  }

  /**
   * As {@link #parse(Dataset, EventType)}; a record over {@code maxRecordBytes} is not parsed at
   * all.
   */
  public static Dataset<Row> parse(Dataset<Row> raw, EventType type, long maxRecordBytes) {
    return parse(raw, type, maxRecordBytes, null, null);
  }

  /**
   * As {@link #parse(Dataset, EventType, long)}; an event time before {@code minEventTime} or more
   * than {@code maxFutureSkew} after the record's {@code received_at} is {@link
   * #TIMESTAMP_OUT_OF_RANGE} (no bound when null).
   */
  public static Dataset<Row> parse(
      Dataset<Row> raw,
      EventType type,
      long maxRecordBytes,
      Instant minEventTime,
      Duration maxFutureSkew) {
    return parse(raw, type, EventDecoder.json(), maxRecordBytes, minEventTime, maxFutureSkew);
  }

  /** As {@link #parse(Dataset, EventType)}, the records in {@code decoder}'s format. */
  public static Dataset<Row> parse(Dataset<Row> raw, EventType type, EventDecoder decoder) {
    return parse(raw, type, decoder, Long.MAX_VALUE, null, null);
  }

  /**
   * As {@link #parse(Dataset, EventType, long, java.time.Instant, java.time.Duration)}, in {@code
   * decoder}'s format.
   */
  public static Dataset<Row> parse(
      Dataset<Row> raw,
      EventType type,
      EventDecoder decoder,
      long maxRecordBytes,
      Instant minEventTime,
      Duration maxFutureSkew) {
    Column tooLarge = length(col(RawRecord.RAW)).gt(lit(maxRecordBytes));
    Column decoded = when(tooLarge, lit(null)).otherwise(decoder.decode(col(RawRecord.RAW), type));

    // The record's own columns first: RawRecord's, and any a caller added (a re-send mark).
    List<Column> columns = new ArrayList<>();
    for (String name : raw.columns()) {
      columns.add(col(name));
    }
    for (StructField field : type.schema().fields()) {
      columns.add(col(PARSED + "." + field.name()).as(field.name()));
    }
    // try_cast: a malformed timestamp must give NULL (quarantined as INVALID_TIMESTAMP), also under
    // Spark 4's
    // default ANSI mode, where a plain cast fails the whole batch. SQL try_cast exists since Spark
    // 3.2.
    Column eventTime = expr("try_cast(" + PARSED + ".event_timestamp AS TIMESTAMP)");
    columns.add(eventTime.as(EVENT_TIME));
    Column reason = reason(type, decoder.failure(col(RawRecord.RAW), col(PARSED)), eventTime);
    if (minEventTime != null) {
      reason =
          reason.when(eventTime.lt(lit(Timestamp.from(minEventTime))), lit(TIMESTAMP_OUT_OF_RANGE));
    }
    if (maxFutureSkew != null) {
      reason =
          reason.when(
              eventTime.gt(
                  col(RawRecord.RECEIVED_AT)
                      .plus(
                          org.apache.spark.sql.functions.expr(
                              "INTERVAL " + maxFutureSkew.toMillis() + " MILLISECONDS"))),
              lit(TIMESTAMP_OUT_OF_RANGE));
    }
    columns.add(when(tooLarge, lit(TOO_LARGE)).otherwise(reason).as(REASON));
    return raw.withColumn(PARSED, decoded).select(columns.toArray(Column[]::new));
  }

  private static Column reason(EventType type, Column decodeFailure, Column eventTime) {
    Column reason = when(decodeFailure.isNotNull(), decodeFailure);
    for (String field : type.requiredFields()) {
      Column value = col(PARSED + "." + field);
      Column missing = value.isNull().or(value.cast("string").equalTo(lit("")));
      reason = reason.when(missing, concat(lit(MISSING_FIELD_PREFIX), lit(field)));
    }
    reason = reason.when(eventTime.isNull(), lit(INVALID_TIMESTAMP));
    for (Map.Entry<String, Column> rule : type.invalidValues(col(PARSED)).entrySet()) {
      reason = reason.when(rule.getValue(), lit(rule.getKey()));
    }
    return reason;
  }

  /** The usable records, without the raw bytes and the reason. */
  public static Dataset<Row> valid(Dataset<Row> parsed) {
    return parsed.filter(col(REASON).isNull()).drop(REASON, RawRecord.RAW);
  }

  /** The unusable records, with their raw bytes, source position and reason. */
  public static Dataset<Row> invalid(Dataset<Row> parsed) {
    return parsed
        .filter(col(REASON).isNotNull())
        .select(
            col(RawRecord.RAW),
            col(RawRecord.SOURCE),
            col(RawRecord.PARTITION),
            col(RawRecord.OFFSET),
            col(RawRecord.RECEIVED_AT),
            col(REASON));
  }
}
