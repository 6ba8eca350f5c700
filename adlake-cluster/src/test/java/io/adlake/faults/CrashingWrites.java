package io.adlake.faults;

import io.adlake.lake.WriteFaults;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The fault suite's {@link WriteFaults}, found by {@link java.util.ServiceLoader} on the test
 * classpath (META-INF/services): the {@link CrashPoint} of the system property {@value
 * CrashPoint#PROPERTY}, or nothing.
 */
public final class CrashingWrites implements WriteFaults {
  private final Optional<CrashPoint> armed =
      CrashPoint.parse(System.getProperty(CrashPoint.PROPERTY));

  @Override
  public Dataset<Row> mergeSource(Dataset<Row> rows, String qualifiedTable, long batchId) {
    return armed.map(point -> point.mergeSource(rows, qualifiedTable, batchId)).orElse(rows);
  }

  @Override
  public void afterCommit(String qualifiedTable, long batchId) {
    armed.ifPresent(point -> point.afterCommit(qualifiedTable, batchId));
  }

  @Override
  public Dataset<Row> ingestBatch(Dataset<Row> batch, String stream, long batchId) {
    return TaskFailure.armed().map(failure -> failure.failFirstAttempt(batch)).orElse(batch);
  }

  @Override
  public void duringCheckpointFileReplace(String query, String file) {
    armed.ifPresent(point -> point.duringCheckpointFileReplace(query, file));
  }
}
