package io.adlake.faults;

import static org.apache.spark.sql.functions.udf;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.StageInfo;
import org.apache.spark.shuffle.FetchFailedException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF0;
import org.apache.spark.sql.types.DataTypes;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Fails the first attempt of every task that reads an ingest micro-batch, once per task, so that
 * Spark retries it (a master such as {@code local[2,3]} allows retries): armed by the JVM system
 * property {@value #PROPERTY}{@code =true} of a job the fault suite launches. The failure is a
 * fetch failure of the shuffle the task reads: Spark then runs the stage that wrote it again, so
 * anything counted in that earlier stage by a transformation (an accumulator) is counted twice,
 * while a plain task failure would only retry the task. Works in local mode only, where tasks run
 * in the driver's JVM and can see the stages the scheduler started.
 */
record TaskFailure() {
  static final String PROPERTY = "adlake.testing.fail-first-task-attempts";

  /** Stage id → ids of its parent stages, and shuffle map stage id → its shuffle id. */
  private static final Map<Integer, List<Object>> PARENTS = new ConcurrentHashMap<>();

  private static final Map<Integer, Integer> SHUFFLES = new ConcurrentHashMap<>();
  private static final AtomicBoolean LISTENING = new AtomicBoolean();

  static Optional<TaskFailure> armed() {
    return Boolean.getBoolean(PROPERTY) ? Optional.of(new TaskFailure()) : Optional.empty();
  }

  /** {@code rows}, whose reading fails in each task's first attempt, after it read its rows. */
  Dataset<Row> failFirstAttempt(Dataset<Row> rows) {
    if (LISTENING.compareAndSet(false, true)) {
      rows.sparkSession().sparkContext().addSparkListener(new StageParents());
    }
    UDF0<Boolean> failOnce =
        () -> {
          TaskContext task = TaskContext.get();
          if (task != null && task.stageAttemptNumber() == 0 && task.attemptNumber() == 0) {
            String message =
                PROPERTY
                    + ": first attempt of task "
                    + task.partitionId()
                    + " of stage "
                    + task.stageId()
                    + " fails";
            Optional<Integer> shuffle = shuffleRead(task.stageId());
            if (shuffle.isPresent()) {
              throw new FetchFailedException(
                  SparkEnv.get().blockManager().blockManagerId(),
                  shuffle.get(),
                  0L,
                  0,
                  task.partitionId(),
                  message + " to fetch shuffle " + shuffle.get(),
                  null);
            }
            throw new IllegalStateException(message);
          }
          return true;
        };
    return rows.filter(udf(failOnce, DataTypes.BooleanType).asNondeterministic().apply());
  }

  private static Optional<Integer> shuffleRead(int stageId) {
    return PARENTS.getOrDefault(stageId, List.of()).stream()
        .map(parent -> SHUFFLES.get((Integer) parent))
        .filter(shuffle -> shuffle != null)
        .findFirst();
  }

  /** Records, as each job starts, its stages' parents and shuffles (skipped stages included). */
  private static final class StageParents extends SparkListener {
    @Override
    public void onJobStart(SparkListenerJobStart job) {
      for (StageInfo stage : CollectionConverters.asJava(job.stageInfos())) {
        PARENTS.put(stage.stageId(), CollectionConverters.asJava(stage.parentIds()));
        if (stage.shuffleDepId().isDefined()) {
          SHUFFLES.put(stage.stageId(), (Integer) stage.shuffleDepId().get());
        }
      }
    }
  }
}
