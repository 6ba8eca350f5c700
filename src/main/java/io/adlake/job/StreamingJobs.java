package io.adlake.job;

import io.adlake.config.AdlakeConfig;
import io.adlake.config.ConfigurationException;
import io.adlake.source.EventSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.Trigger;

/** The streaming jobs that {@code run} can put in one Spark application, and how to wait for them. */
public enum StreamingJobs {
  INGEST {
    @Override
    List<StreamingQuery> start(SparkSession spark, AdlakeConfig config, EventSource source, Trigger trigger,
        ProgressLog progress) {
      return IngestJob.start(spark, config, source, trigger, progress.out());
    }
  },
  ATTRIBUTION {
    @Override
    List<StreamingQuery> start(SparkSession spark, AdlakeConfig config, EventSource source, Trigger trigger,
        ProgressLog progress) {
      return List.of(AttributionJob.start(spark, config, source, trigger, progress));
    }
  },
  /** Reads the bronze tables that INGEST writes. */
  AGGREGATE {
    @Override
    List<StreamingQuery> start(SparkSession spark, AdlakeConfig config, EventSource source, Trigger trigger,
        ProgressLog progress) {
      return AggregateJob.start(spark, config, trigger, progress);
    }
  };

  abstract List<StreamingQuery> start(SparkSession spark, AdlakeConfig config, EventSource source,
      Trigger trigger, ProgressLog progress);

  public static List<StreamingJobs> parse(List<String> names) {
    List<StreamingJobs> jobs = new ArrayList<>();
    for (String name : names) {
      try {
        jobs.add(valueOf(name.trim().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new ConfigurationException("Unknown job '" + name + "'; jobs: "
            + Arrays.stream(values()).map(j -> j.name().toLowerCase(Locale.ROOT)).toList());
      }
    }
    return jobs;
  }

  /**
   * Starts the jobs in one session and blocks until all have finished (available-now) or one fails;
   * then the others are stopped and the failure is thrown.
   */
  public static void runAll(SparkSession spark, AdlakeConfig config, List<StreamingJobs> jobs, Trigger trigger,
      ProgressLog progress) throws StreamingQueryException {
    spark.streams().addListener(progress);
    EventSource source = EventSource.from(config);
    System.out.printf("Reading from %s; tables in catalog %s, namespace %s%n", source.describe(),
        config.catalog().name(), config.catalog().namespace());
    List<StreamingQuery> queries = new ArrayList<>();
    // A run that stops when the input is processed (available-now) aggregates bronze after the ingest has
    // written it; a continuous run starts everything at once and the metrics follow the ingest's commits.
    boolean inPhases = trigger.equals(Trigger.AvailableNow()) && jobs.contains(INGEST) && jobs.contains(AGGREGATE);
    try {
      for (StreamingJobs job : jobs) {
        if (!(inPhases && job == AGGREGATE)) {
          queries.addAll(job.start(spark, config, source, trigger, progress));
        }
      }
      for (StreamingQuery query : queries) {
        query.awaitTermination();
      }
      if (inPhases) {
        for (StreamingQuery query : AGGREGATE.start(spark, config, source, trigger, progress)) {
          queries.add(query);
          query.awaitTermination();
        }
      }
    } finally {
      for (StreamingQuery query : queries) {
        if (query.isActive()) {
          try {
            query.stop();
          } catch (java.util.concurrent.TimeoutException e) {
            System.err.printf("Query %s did not stop in time: %s%n", query.name(), e.getMessage());
          }
        }
      }
      spark.streams().removeListener(progress);
    }
  }
}
