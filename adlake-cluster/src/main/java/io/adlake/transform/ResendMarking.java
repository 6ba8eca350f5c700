package io.adlake.transform;

import io.adlake.event.RawRecord;
import java.io.Serializable;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapGroupsWithStateFunction;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.streaming.GroupState;
import org.apache.spark.sql.streaming.GroupStateTimeout;
import org.apache.spark.sql.streaming.OutputMode;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Re-sent records marked, not dropped: every record passes through with {@link #DUPLICATE} set when
 * a record of the same key arrived earlier within the window. The first arrival of a key is kept;
 * later ones, in the same micro-batch or in later ones while the key's state lives, are duplicates;
 * the state expires when the watermark on arrival time ({@link RawRecord#RECEIVED_AT}) passes the
 * first arrival plus the window. This is {@code dropDuplicatesWithinWatermark}'s rule, but the sink
 * sees every record read, so it counts reads and duplicates with actions on its persisted batch,
 * which are exact when Spark re-runs tasks or stages (accumulators updated in a transformation are
 * not).
 */
public final class ResendMarking {
  /** Boolean column: true for a re-send of a key already seen within the window. */
  public static final String DUPLICATE = "_duplicate";

  private static final String KEY = "_resend_key";

  private ResendMarking() {}

  /**
   * {@code records} with {@link #DUPLICATE} added, keyed by {@code key} (never null for a record
   * that may be a duplicate), within {@code window} of arrival time.
   */
  public static Dataset<Row> mark(Dataset<Row> records, Column key, Duration window) {
    if (window.isNegative()) {
      throw new IllegalArgumentException("De-duplication window must not be negative: " + window);
    }
    Dataset<Row> keyed =
        records
            .withColumn(KEY, key)
            // Arrival time, not event time: a late event is never taken for a re-send's twin.
            .withWatermark(RawRecord.RECEIVED_AT, Attribution.interval(window));
    StructType schema = keyed.schema();
    StructType marked = schema.add(DUPLICATE, DataTypes.BooleanType, false);
    return keyed
        .groupByKey((MapFunction<Row, String>) row -> row.getAs(KEY), Encoders.STRING())
        .flatMapGroupsWithState(
            new FirstArrivalWins(schema, window.toMillis()),
            OutputMode.Append(),
            Encoders.LONG(),
            Encoders.row(marked),
            GroupStateTimeout.EventTimeTimeout())
        .drop(KEY);
  }

  /**
   * Per key: the state is when the key's window ends (first arrival + window, in epoch
   * milliseconds), which is also its event-time timeout.
   */
  static final class FirstArrivalWins
      implements FlatMapGroupsWithStateFunction<String, Row, Long, Row> {
    private static final long serialVersionUID = 1L;
    private final int receivedAt;
    private final Comparator<Row> arrivalOrder;
    private final long windowMillis;

    FirstArrivalWins(StructType schema, long windowMillis) {
      this.receivedAt = schema.fieldIndex(RawRecord.RECEIVED_AT);
      this.arrivalOrder =
          new ArrivalOrder(
              receivedAt,
              schema.fieldIndex(RawRecord.SOURCE),
              schema.fieldIndex(RawRecord.PARTITION),
              schema.fieldIndex(RawRecord.OFFSET));
      this.windowMillis = windowMillis;
    }

    @Override
    public Iterator<Row> call(String key, Iterator<Row> rows, GroupState<Long> state) {
      if (state.hasTimedOut()) {
        state.remove();
        return Collections.emptyIterator();
      }
      List<Row> arrivals = new ArrayList<>();
      rows.forEachRemaining(arrivals::add);
      // Which copy is first must not depend on the order rows reach this task, so that a
      // re-executed batch marks the same rows.
      arrivals.sort(arrivalOrder);
      List<Row> out = new ArrayList<>(arrivals.size());
      long watermark = watermark(state);
      // A key whose window the watermark has passed is new again, even before its state expires.
      boolean seen = state.exists() && state.get() >= watermark;
      if (seen) {
        // Spark clears a key's timeout whenever it calls this function with data.
        state.setTimeoutTimestamp(state.get());
      } else if (state.exists()) {
        state.remove();
      }
      for (Row row : arrivals) {
        out.add(withMark(row, seen));
        if (!seen) {
          Long arrived = epochMillis(row.get(receivedAt));
          // A record just above the previous batch's watermark can have a window that the current
          // one has already passed: nothing to remember then.
          if (arrived != null && arrived + windowMillis >= watermark) {
            state.update(arrived + windowMillis);
            state.setTimeoutTimestamp(arrived + windowMillis);
          }
          seen = true;
        }
      }
      return out.iterator();
    }

    /** The watermark that evicts state in this batch; none on a batch DataFrame. */
    private static long watermark(GroupState<Long> state) {
      try {
        return state.getCurrentWatermarkMs();
      } catch (UnsupportedOperationException batchQuery) {
        return Long.MIN_VALUE;
      }
    }

    private static Row withMark(Row row, boolean duplicate) {
      Object[] values = new Object[row.size() + 1];
      for (int i = 0; i < row.size(); i++) {
        values[i] = row.get(i);
      }
      values[row.size()] = duplicate;
      return RowFactory.create(values);
    }
  }

  /** Smallest arrival time first, then source, partition and offset; nulls last. */
  private record ArrivalOrder(int receivedAt, int source, int partition, int offset)
      implements Comparator<Row>, Serializable {
    @Override
    public int compare(Row a, Row b) {
      int byTime = nullsLast(epochMillis(a.get(receivedAt)), epochMillis(b.get(receivedAt)));
      if (byTime != 0) {
        return byTime;
      }
      int bySource = nullsLast(a.<String>getAs(source), b.<String>getAs(source));
      if (bySource != 0) {
        return bySource;
      }
      int byPartition = nullsLast(number(a.get(partition)), number(b.get(partition)));
      return byPartition != 0
          ? byPartition
          : nullsLast(number(a.get(offset)), number(b.get(offset)));
    }

    private static Long number(Object value) {
      return value == null ? null : ((Number) value).longValue();
    }

    private static <T extends Comparable<T>> int nullsLast(T a, T b) {
      if (a == null || b == null) {
        return a == null ? (b == null ? 0 : 1) : -1;
      }
      return a.compareTo(b);
    }
  }

  /** A timestamp as Spark hands it over (Timestamp, or Instant with the Java 8 time API). */
  private static Long epochMillis(Object timestamp) {
    if (timestamp instanceof Timestamp t) {
      return t.getTime();
    }
    if (timestamp instanceof Instant i) {
      return i.toEpochMilli();
    }
    return null;
  }
}
