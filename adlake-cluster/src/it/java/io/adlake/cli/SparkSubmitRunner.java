package io.adlake.cli;

import static java.util.Objects.requireNonNull;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Runs {@code adlake <command>} from the shaded cluster jar under Spark's own {@code SparkSubmit} in a child JVM, the
 * way {@code spark-submit --class io.adlake.cli.Main <jar>} does on a cluster: the master is spark-submit's
 * ({@code adlake.spark.master} is emptied), the classpath is a Spark distribution's, everything else comes from the
 * jar.
 */
final class SparkSubmitRunner {
  private final String classpath;
  private final String master;
  private final Map<String, String> environment;
  private final Duration timeout;

  /**
   * @param classpath what the driver JVM (and, through {@code environment}, a worker's executors) load Spark from
   * @param master spark-submit's {@code --master}
   * @param environment added to the driver's environment (a local cluster's workers and executors inherit it)
   * @param timeout how long one command may run before it counts as hung and is killed
   */
  SparkSubmitRunner(String classpath, String master, Map<String, String> environment, Duration timeout) {
    this.classpath = requireNonNull(classpath, "classpath");
    this.master = requireNonNull(master, "master");
    this.environment = Map.copyOf(environment);
    this.timeout = requireNonNull(timeout, "timeout");
  }

  static Path jar() {
    return Path.of(ItEnvironment.property("adlake.jar"));
  }

  /**
   * A Spark distribution of the module's line plus its Iceberg runtime ({@code icebergRuntime} instead, if given), as
   * the build wrote it: without the AWS SDK and without what the jar bundles.
   */
  static String distributionClasspath(Path icebergRuntime) throws IOException {
    String file = Files.readString(Path.of(ItEnvironment.property("adlake.it.spark-classpath"))).trim();
    return Stream.of(file.split(File.pathSeparator))
        .map(
            entry ->
                icebergRuntime != null && entry.contains("/iceberg-spark-runtime-")
                    ? icebergRuntime.toAbsolutePath().toString()
                    : entry)
        .collect(Collectors.joining(File.pathSeparator));
  }

  /**
   * Runs {@code adlake <command> --env local --conf <each of conf>}; its output goes to {@code <dir>/<command>.log}
   * and is returned. Fails the test, with the output's tail, if the command fails or outlasts the timeout.
   */
  String submit(Path dir, List<String> conf, String... command) throws Exception {
    List<String> args = new ArrayList<>();
    args.add(ItEnvironment.java());
    args.add("-Xmx1536m");
    args.addAll(Arrays.asList(ItEnvironment.property("adlake.it.jvm-options").trim().split("\\s+")));
    args.addAll(
        List.of(
            "-cp",
            classpath,
            "org.apache.spark.deploy.SparkSubmit",
            "--master",
            master,
            "--conf",
            "spark.ui.enabled=false",
            "--conf",
            "spark.driver.host=127.0.0.1",
            "--conf",
            "spark.driver.bindAddress=127.0.0.1",
            "--class",
            "io.adlake.cli.Main",
            jar().toAbsolutePath().toString()));
    args.addAll(Arrays.asList(command));
    // conf/local.conf names local[2]; empty, the master is spark-submit's, as on a cluster.
    args.addAll(List.of("--env", "local", "--conf", "adlake.spark.master=\"\""));
    for (String setting : conf) {
      args.addAll(List.of("--conf", setting));
    }
    Path log = dir.resolve(command[0] + ".log");
    ProcessBuilder builder = new ProcessBuilder(args).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    builder.environment().putAll(environment);
    Process process = builder.start();
    boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (!finished) {
      // A local cluster's executors are children of the driver: stop them with it.
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
    String output = Files.readString(log);
    assertTrue(finished, command[0] + " did not finish in " + timeout + ":\n" + tail(output));
    assertEquals(0, process.exitValue(), command[0] + " failed:\n" + tail(output));
    return output;
  }

  static String tail(String output) {
    String[] lines = output.split("\n");
    return String.join("\n", Arrays.copyOfRange(lines, Math.max(0, lines.length - 60), lines.length));
  }
}
