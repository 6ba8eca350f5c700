package io.adlake.job;

import io.adlake.config.AdlakeConfig;
import io.adlake.config.ConfigurationException;
import io.adlake.lake.StreamingReaders;
import io.adlake.source.EventSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.Trigger;

/**
 * The streaming jobs that {@code run} can put in one Spark application, and how to wait for them.
 */
public enum StreamingJobs {
  INGEST {
    @Override
    List<StreamingQuery> start(
        SparkSession spark,
        AdlakeConfig config,
        EventSource source,
        Trigger trigger,
        ProgressLog progress) {
      return IngestJob.start(spark, config, source, trigger, progress.out());
    }
  },
  ATTRIBUTION {
    @Override
    List<StreamingQuery> start(
        SparkSession spark,
        AdlakeConfig config,
        EventSource source,
        Trigger trigger,
        ProgressLog progress) {
      return List.of(AttributionJob.start(spark, config, source, trigger, progress));
    }
  },
  /** Reads the bronze tables that INGEST writes; writes campaign_metrics_5m's conversions. */
  CONVERSIONS {
    @Override
    List<StreamingQuery> start(
        SparkSession spark,
        AdlakeConfig config,
        EventSource source,
        Trigger trigger,
        ProgressLog progress) {
      return List.of(
          ConversionJob.start(
              spark, config, trigger, progress, progress.out(), UnaryOperator.identity()));
    }
  },
  /** Reads the bronze tables that INGEST writes. */
  AGGREGATE {
    @Override
    List<StreamingQuery> start(
        SparkSession spark,
        AdlakeConfig config,
        EventSource source,
        Trigger trigger,
        ProgressLog progress) {
      return AggregateJob.start(spark, config, trigger, progress);
    }

    @Override
    List<Phase> availableNowPhases() {
      return List.of(
          (spark, config, source, trigger, progress) ->
              AggregateJob.startFirstStage(spark, config, trigger, progress),
          (spark, config, source, trigger, progress) ->
              List.of(AggregateJob.startFunnelRollup(spark, config, trigger, progress)));
    }
  };

  /** Starts some of a job's queries. */
  @FunctionalInterface
  interface Phase {
    List<StreamingQuery> start(
        SparkSession spark,
        AdlakeConfig config,
        EventSource source,
        Trigger trigger,
        ProgressLog progress);
  }

  /**
   * A job's queries in the order an available-now run must finish them, each phase reading what the
   * one before wrote. One phase unless the job reads its own output.
   */
  List<Phase> availableNowPhases() {
    return List.of(this::start);
  }

  abstract List<StreamingQuery> start(
      SparkSession spark,
      AdlakeConfig config,
      EventSource source,
      Trigger trigger,
      ProgressLog progress);

  /** Every job, in the order run starts them: the default of run, the demo and the soak. */
  public static List<StreamingJobs> all() {
    return List.of(values());
  }

  public static List<StreamingJobs> parse(List<String> names) {
    List<StreamingJobs> jobs = new ArrayList<>();
    for (String name : names) {
      try {
        jobs.add(valueOf(name.trim().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new ConfigurationException(
            "Unknown job '"
                + name
                + "'; jobs: "
                + Arrays.stream(values()).map(j -> j.name().toLowerCase(Locale.ROOT)).toList());
      }
    }
    return jobs;
  }

  /**
   * Groups of phases started together, each group after the one before has finished. A continuous
   * run starts everything at once (the jobs over bronze follow the ingest's commits). A run that
   * stops when its input is processed (available-now) runs the jobs that read the source first,
   * then the conversions over the bronze tables they wrote, then each aggregation phase (the
   * campaign metrics read the conversions' columns too).
   */
  static List<List<Phase>> phases(List<StreamingJobs> jobs, Trigger trigger) {
    if (!trigger.equals(Trigger.AvailableNow())) {
      return List.of(jobs.stream().map(job -> (Phase) job::start).toList());
    }
    List<List<Phase>> groups = new ArrayList<>();
    List<Phase> sourceReaders =
        jobs.stream()
            .filter(job -> job != AGGREGATE && job != CONVERSIONS)
            .map(job -> (Phase) job::start)
            .toList();
    if (!sourceReaders.isEmpty()) {
      groups.add(sourceReaders);
    }
    if (jobs.contains(CONVERSIONS)) {
      groups.add(List.of(CONVERSIONS::start));
    }
    if (jobs.contains(AGGREGATE)) {
      AGGREGATE.availableNowPhases().forEach(phase -> groups.add(List.of(phase)));
    }
    return groups;
  }

  /** Returns when every query has ended; throws as soon as one fails. */
  private static void awaitAll(List<StreamingQuery> queries) throws StreamingQueryException {
    while (true) {
      boolean ended = true;
      for (StreamingQuery query : queries) {
        ended &= query.awaitTermination(200);
      }
      if (ended) {
        return;
      }
    }
  }

  /**
   * Starts the jobs in one session and blocks until all have finished (available-now) or one fails;
   * then the others are stopped and the failure is thrown.
   */
  public static void runAll(
      SparkSession spark,
      AdlakeConfig config,
      List<StreamingJobs> jobs,
      Trigger trigger,
      ProgressLog progress)
      throws StreamingQueryException {
    spark.streams().addListener(progress);
    EventSource source = EventSource.from(config);
    System.out.printf(
        "Reading from %s; tables in catalog %s, namespace %s%n",
        source.describe(), config.catalog().name(), config.catalog().namespace());
    if (trigger.equals(Trigger.AvailableNow())) {
      for (String moved :
          StreamingReaders.moveExpiredInitialOffsets(
              spark, config.catalog(), Checkpoints.root(config))) {
        System.out.println(
            "Checkpoint " + moved + " (apache/iceberg#18000: available-now needs it)");
      }
    }
    List<StreamingQuery> queries = new ArrayList<>();
    try {
      List<List<Phase>> groups = phases(jobs, trigger);
      for (List<Phase> group : groups) {
        long start = System.nanoTime();
        List<StreamingQuery> started = new ArrayList<>();
        for (Phase phase : group) {
          started.addAll(phase.start(spark, config, source, trigger, progress));
        }
        queries.addAll(started);
        awaitAll(started);
        if (groups.size() > 1) {
          System.out.printf(
              "  %s done in %.1f s%n",
              started.stream().map(StreamingQuery::name).collect(Collectors.joining(", ")),
              (System.nanoTime() - start) / 1e9);
        }
      }
    } finally {
      for (StreamingQuery query : queries) {
        if (query.isActive()) {
          try {
            query.stop();
          } catch (TimeoutException e) {
            System.err.printf("Query %s did not stop in time: %s%n", query.name(), e.getMessage());
          }
        }
      }
      // Progress events (and the late_events rows written from them) are delivered asynchronously.
      try {
        spark.sparkContext().listenerBus().waitUntilEmpty(TimeUnit.SECONDS.toMillis(60));
      } catch (TimeoutException e) {
        System.err.println(
            "Progress events still queued after 60 s; the last late_events rows may be missing");
      }
      spark.streams().removeListener(progress);
    }
  }
}
