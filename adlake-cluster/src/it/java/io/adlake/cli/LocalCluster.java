package io.adlake.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Master {@code local-cluster[2,1,1024]} for {@code SparkSubmit}: a standalone Master and two Workers inside the driver
 * JVM, each Worker launching its executor as a JVM of its own, as on a cluster. Tasks then leave the driver JVM: UDFs,
 * accumulators, {@code foreachBatch} functions, Kafka consumers and Iceberg writers are serialized to and opened in the
 * executors, and streaming state moves between them, which {@code local[…]} never does.
 *
 * <p>Needs no Spark distribution: a Worker builds an executor's command with Spark's launcher library, which wants a
 * {@code SPARK_HOME} with a {@code jars} directory and the Scala version, and appends {@code SPARK_DIST_CLASSPATH} (the
 * setting of Spark's "Hadoop free" distributions). An empty {@code jars} directory, the build's Scala version and the
 * driver's classpath are enough; the Workers inherit them from the driver's environment.
 */
final class LocalCluster {
  static final String MASTER = "local-cluster[2,1,1024]";

  private final Path sparkHome;
  private final Map<String, String> environment;

  LocalCluster(Path sparkHome, String distributionClasspath) throws IOException {
    this.sparkHome = Files.createDirectories(sparkHome);
    Files.createDirectories(sparkHome.resolve("jars"));
    this.environment =
        Map.of(
            "SPARK_HOME", sparkHome.toString(),
            "SPARK_SCALA_VERSION", ItEnvironment.property("adlake.it.scala-binary"),
            "SPARK_DIST_CLASSPATH", distributionClasspath);
  }

  /** The environment of the driver's JVM, which its Workers inherit. */
  Map<String, String> environment() {
    return environment;
  }

  interface Submission {
    void run() throws Exception;
  }

  /**
   * Runs {@code submission}, which must start exactly one application on this cluster, and returns the ids of its
   * executors whose log shows a task that ran there.
   */
  Set<String> executorsThatRanTasks(Submission submission) throws Exception {
    // Each Worker keeps an application's executors' output under SPARK_HOME/work/<app id>/<executor id>/.
    Path applications = sparkHome.resolve("work");
    Set<Path> before = children(applications);
    try {
      submission.run();
    } catch (AssertionError | Exception e) {
      // The driver's output says only that executors were lost; their own logs say why.
      Set<Path> started = new TreeSet<>(children(applications));
      started.removeAll(before);
      StringBuilder logs = new StringBuilder();
      for (Path application : started) {
        for (Path executor : children(application)) {
          Path log = executor.resolve("stderr");
          if (Files.isRegularFile(log)) {
            List<String> lines = Files.readAllLines(log);
            logs.append("\n--- ")
                .append(executor)
                .append("/stderr, last lines:\n")
                .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
            break;
          }
        }
      }
      throw new AssertionError(e.getMessage() + logs, e);
    }
    Set<Path> started = new TreeSet<>(children(applications));
    started.removeAll(before);
    assertEquals(1, started.size(), "one application started: " + started);
    Set<String> ids = new TreeSet<>();
    for (Path executor : children(started.iterator().next())) {
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
