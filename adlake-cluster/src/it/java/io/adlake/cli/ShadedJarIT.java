package io.adlake.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded cluster jar of this module's Spark line, run the way a cluster runs it: Spark's own {@code
 * SparkSubmit} in child JVMs whose classpath holds only what a Spark distribution of that exact version and its
 * Iceberg runtime hold, against a Kafka broker in a child JVM of its own. {@code generate} → {@code run} (ingest,
 * attribution, aggregate) → {@code report --sql}: the attributed rows equal the generator's ground truth, the
 * metrics tables equal their aggregation recomputed in batch SQL over bronze, and every record read is accounted
 * for. Everything else adlake needs (Kafka connector and client, picocli, HOCON, conf files) must come from the jar.
 *
 * <p>The same class runs in each Spark line's module (adlake-cluster, adlake-cluster-spark4.0,
 * adlake-cluster-spark3.5); it uses nothing but the JDK, JUnit and Jackson, so no Spark of its own.
 */
class ShadedJarIT {
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

  /** A jar of one line only: its own Kafka connector, and no Spark, Scala or Iceberg classes of any line. */
  @Test
  void theJarHoldsOnlyItsLinesConnectorAndNoSparkScalaOrIcebergClasses() throws IOException {
    String scala = ItEnvironment.property("adlake.it.scala-binary");
    Set<String> foreign = new TreeSet<>();
    Map<String, String> sparkArtifacts = new TreeMap<>();
    try (JarFile jar = new JarFile(SparkSubmitRunner.jar().toFile())) {
      for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
        String name = entries.nextElement().getName();
        boolean kafkaConnector =
            name.startsWith("org/apache/spark/sql/kafka010/")
                || name.startsWith("org/apache/spark/kafka010/");
        if (name.endsWith(".class")
            && (name.startsWith("scala/")
                || name.startsWith("org/apache/iceberg/")
                || (name.startsWith("org/apache/spark/") && !kafkaConnector))) {
          foreign.add(name.substring(0, name.lastIndexOf('/')));
        }
        if (name.startsWith("META-INF/maven/org.apache.spark/") && name.endsWith("pom.properties")) {
          Properties pom = new Properties();
          pom.load(jar.getInputStream(jar.getEntry(name)));
          sparkArtifacts.put(pom.getProperty("artifactId"), pom.getProperty("version"));
        }
      }
    }
    assertEquals(Set.of(), foreign, "packages that belong to the platform, not to " + SparkSubmitRunner.jar());
    assertEquals(
        Set.of("spark-sql-kafka-0-10_" + scala, "spark-token-provider-kafka-0-10_" + scala),
        sparkArtifacts.keySet(),
        "the bundled Spark artifacts: the Kafka connector of this line's Scala " + scala + " only");
    assertEquals(
        ItEnvironment.property("adlake.it.spark-kafka-version"),
        sparkArtifacts.get("spark-sql-kafka-0-10_" + scala),
        "the connector of this line");
  }

  /** With the line's own Iceberg runtime, and with each further one the module names (older runtimes). */
  @Test
  void generateRunAndReportGiveTheGroundTruthOnEachIcebergRuntime() throws Exception {
    List<Path> runtimes = new ArrayList<>();
    runtimes.add(null);
    for (String extra : ItEnvironment.property("adlake.it.iceberg-runtimes").split(",")) {
      if (!extra.isBlank()) {
        runtimes.add(Path.of(extra.trim()));
      }
    }
    for (int i = 0; i < runtimes.size(); i++) {
      // The full run (dimensions, the conversions job, and two executor JVMs where the module asks for them) on the
      // line's own runtime; an older runtime runs the other three jobs in local mode (the dimensions and the
      // conversions job use nothing of Iceberg that they do not).
      generateRunAndReport("it" + i, runtimes.get(i), i == 0);
    }
  }

  private void generateRunAndReport(String name, Path icebergRuntime, boolean full) throws Exception {
    String classpath = SparkSubmitRunner.distributionClasspath(icebergRuntime);
    // A guard against a hung command, not a time target: on a busy 2-core machine `run` with four jobs took over 5
    // minutes.
    Duration hang = Duration.ofMinutes(12);
    SparkSubmitRunner spark = new SparkSubmitRunner(classpath, "local[2]", Map.of(), hang);
    GroundTruthRun run = new GroundTruthRun(work.resolve(name), name, broker.bootstrapServers(), full);
    run.generate(spark);
    if (full && Boolean.parseBoolean(ItEnvironment.property("adlake.it.executor-jvms"))) {
      // `run` on two executor JVMs: what local mode hides (serialization, per-executor readers and state) shows here.
      LocalCluster cluster = new LocalCluster(work.resolve(name + "-spark-home"), classpath);
      SparkSubmitRunner onCluster =
          new SparkSubmitRunner(classpath, LocalCluster.MASTER, cluster.environment(), hang);
      Set<String> executors = cluster.executorsThatRanTasks(() -> run.run(onCluster));
      assertTrue(
          executors.size() >= 2,
          "`run`'s tasks ran in two executor JVMs, not in the driver: executors with tasks " + executors);
    } else {
      run.run(spark);
    }
    run.assertTablesEqualTheGroundTruth(spark);
  }

}
