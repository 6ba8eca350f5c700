package io.adlake.peers.connect;

import java.time.DateTimeException;
import java.util.AbstractCollection;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.iceberg.connect.IcebergSinkTask;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Iceberg's sink task, except that a record whose values do not fit its table goes to Connect's
 * errant-record reporter (logged, and sent to the dead-letter topic) instead of killing the task.
 *
 * <p>Why: Connect's {@code errors.tolerance} covers the converter and the SMTs, not {@code
 * SinkTask.put}, and Iceberg's sink 1.10 converts values to the table's types inside {@code put}: a
 * JSON record such as {@code "tmax": "not-a-number"} (valid JSON, a string where the table has a
 * long) throws a {@code DataException} there and the task fails until restarted by hand, on the
 * same record again. The sink never calls the reporter itself.
 *
 * <p>How: the sink saves a batch's records one by one in iteration order, so the batch is handed
 * over through a collection that remembers which record it last gave out. When the sink throws a
 * conversion error, that record is reported and the rest of the batch is handed over again; the
 * records before it are already written, and the failed one never reached a data file (the sink
 * converts a record fully before writing it). Errors that are not about a record's values (writing,
 * committing, the catalog) still fail the task.
 */
public class TolerantIcebergSinkTask extends IcebergSinkTask {

  private static final Logger LOG = LoggerFactory.getLogger(TolerantIcebergSinkTask.class);

  /** Records this JVM's tasks reported because their values did not fit their table. */
  static final AtomicLong UNCONVERTIBLE = new AtomicLong();

  private ErrantRecordReporter reporter;

  @Override
  public void start(Map<String, String> props) {
    super.start(props);
    reporter = context.errantRecordReporter();
  }

  @Override
  public void put(Collection<SinkRecord> records) {
    List<SinkRecord> rest =
        records instanceof List<SinkRecord> list ? list : new ArrayList<>(records);
    while (true) {
      Batch batch = new Batch(rest);
      try {
        super.put(batch);
        return;
      } catch (DataException e) {
        int failed = batch.current();
        if (reporter == null || failed < 0 || !isConversionError(e)) {
          throw e;
        }
        SinkRecord record = rest.get(failed);
        LOG.warn(
            "Record {}-{}@{} does not fit its table, reported as errant: {}",
            record.topic(),
            record.kafkaPartition(),
            record.kafkaOffset(),
            rootMessage(e));
        // With errors.tolerance=none the reporter throws, and the task fails as the stock one does.
        reporter.report(record, e);
        UNCONVERTIBLE.incrementAndGet();
        rest = rest.subList(failed + 1, rest.size());
      }
    }
  }

  /**
   * A value that cannot become the column's type: a number that is not one, a bad date, a string
   * for a list.
   */
  private static boolean isConversionError(DataException e) {
    Throwable cause = e.getCause();
    return cause instanceof IllegalArgumentException
        || cause instanceof UnsupportedOperationException
        || cause instanceof DateTimeException
        || cause instanceof ClassCastException
        || (cause instanceof ConnectException && cause.getCause() == null);
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }

  /** A batch's records that remembers the index of the record it handed out last. */
  private static final class Batch extends AbstractCollection<SinkRecord> {
    private final List<SinkRecord> records;
    private int current = -1;

    Batch(List<SinkRecord> records) {
      this.records = records;
    }

    int current() {
      return current;
    }

    @Override
    public Iterator<SinkRecord> iterator() {
      return new Iterator<>() {
        private int next;

        @Override
        public boolean hasNext() {
          return next < records.size();
        }

        @Override
        public SinkRecord next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          current = next;
          return records.get(next++);
        }
      };
    }

    @Override
    public int size() {
      return records.size();
    }
  }
}
