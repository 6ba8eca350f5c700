package io.adlake.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar under {@code SparkSubmit} with master {@code local-cluster[2,1,1024]}: a standalone Master and two
 * Workers inside the driver JVM, and each Worker launching its executor as a JVM of its own, as on a cluster. Every
 * other test runs Spark in {@code local[…]}, where tasks run in the driver JVM and closures are never serialized to
 * another process; here UDFs, accumulators, sinks' functions, Kafka consumers and Iceberg writers are shipped to and
 * opened in the executors, and streaming state moves between them. {@code generate} → {@code run} (ingest,
 * attribution, aggregate) → {@code report --sql} must give exactly the rows of {@link ShadedJarIT}'s checks, and the
 * tasks of {@code run} must have run in both executor JVMs.
 *
 * <p>Needs no Spark distribution: a Worker builds an executor's command with Spark's launcher library, which wants a
 * {@code SPARK_HOME} with a {@code jars} directory and the Scala version, and appends {@code SPARK_DIST_CLASSPATH} (the
 * setting of Spark's "Hadoop free" distributions). An empty {@code jars} directory, the build's Scala version and the
 * same distribution classpath as the driver's are enough; the Workers inherit them from the driver's environment.
 */
class ExecutorProcessesIT {
  private static final String MASTER = "local-cluster[2,1,1024]";

  private static ChildKafkaBroker broker;

  @TempDir static Path work;

  @BeforeAll
  static void startBroker() throws Exception {
    assertTrue(Files.isRegularFile(SparkSubmitRunner.jar()), "run after `mvn package`: " + SparkSubmitRunner.jar());
    broker = ChildKafkaBroker.start(work.resolve("broker"));
  }

  @AfterAll
  static void stopBroker() throws InterruptedException {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void pipelineOnTwoExecutorJvmsGivesTheGroundTruth() throws Exception {
    Path sparkHome = Files.createDirectories(work.resolve("spark-home"));
    Files.createDirectories(sparkHome.resolve("jars"));
    String classpath = SparkSubmitRunner.distributionClasspath(null);
    SparkSubmitRunner spark =
        new SparkSubmitRunner(
            classpath,
            MASTER,
            Map.of(
                "SPARK_HOME", sparkHome.toString(),
                "SPARK_SCALA_VERSION", ItEnvironment.property("adlake.it.scala-binary"),
                "SPARK_DIST_CLASSPATH", classpath),
            // A hang guard, not a speed limit: `run` took 4 minutes on two cores under a load of 20 to 30.
            Duration.ofMinutes(12));
    // Each Worker keeps an application's executors' output under SPARK_HOME/work/<app id>/<executor id>/.
    Path applications = sparkHome.resolve("work");

    GroundTruthRun run = new GroundTruthRun(work.resolve("cluster"), "cluster", broker.bootstrapServers(), false);
    run.generate(spark);
    Set<Path> before = children(applications);
    run.run(spark);
    Set<Path> started = new TreeSet<>(children(applications));
    started.removeAll(before);
    assertEquals(1, started.size(), "one application for `run`: " + started);
    Set<String> executorsWithTasks = executorsThatRanTasks(started.iterator().next());
    assertTrue(
        executorsWithTasks.size() >= 2,
        "`run`'s tasks ran in two executor JVMs, not in the driver: executors with tasks " + executorsWithTasks);

    run.assertTablesEqualTheGroundTruth(spark);
  }

  /** Executor ids (directories of the application's work directory) whose log shows a task that ran there. */
  private static Set<String> executorsThatRanTasks(Path application) throws IOException {
    Set<String> ids = new TreeSet<>();
    for (Path executor : children(application)) {
      Path log = executor.resolve("stderr");
      if (Files.isRegularFile(log)) {
        try (Stream<String> lines = Files.lines(log)) {
          if (lines.anyMatch(l -> l.contains("Executor: Finished task"))) {
            ids.add(executor.getFileName().toString());
          }
        }
      }
    }
    return ids;
  }

  private static Set<Path> children(Path dir) {
    if (!Files.isDirectory(dir)) {
      return Set.of();
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.filter(Files::isDirectory).collect(Collectors.toCollection(TreeSet::new));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
