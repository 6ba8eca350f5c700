package io.adlake.faults;

import static org.apache.spark.sql.functions.udf;

import java.util.Optional;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF0;
import org.apache.spark.sql.types.DataTypes;

/**
 * Fails the first attempt of every task that reads an ingest micro-batch, once per task, so that
 * Spark retries it (a master such as {@code local[2,3]} allows retries): armed by the JVM system
 * property {@value #PROPERTY}{@code =true} of a job the fault suite launches.
 */
record TaskFailure() {
  static final String PROPERTY = "adlake.testing.fail-first-task-attempts";

  static Optional<TaskFailure> armed() {
    return Boolean.getBoolean(PROPERTY) ? Optional.of(new TaskFailure()) : Optional.empty();
  }

  /** {@code rows}, whose reading fails in each task's first attempt, after it read its rows. */
  Dataset<Row> failFirstAttempt(Dataset<Row> rows) {
    UDF0<Boolean> failOnce =
        () -> {
          TaskContext task = TaskContext.get();
          if (task != null && task.attemptNumber() == 0) {
            throw new IllegalStateException(
                PROPERTY
                    + ": first attempt of task "
                    + task.partitionId()
                    + " of stage "
                    + task.stageId()
                    + " fails");
          }
          return true;
        };
    return rows.filter(udf(failOnce, DataTypes.BooleanType).asNondeterministic().apply());
  }
}
