package io.adlake.faults;

import io.adlake.ClusterModule;
import io.adlake.config.AdlakeConfig;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * {@code adlake run} (or another command) in a child JVM, launched as {@code bin/adlake} does (the
 * pom's Java 17 flags, the local classpath Maven writes, the launcher's log configuration), so that
 * a test can kill it like a crashed driver. Its output goes to a log file the test watches.
 */
public record JobProcess(String label, Process process, Path log) {
  private static final Path TARGET = ClusterModule.path("target");

  /**
   * @param crashPoint value of {@code adlake.testing.crash-point} for this run, if any
   */
  static JobProcess start(
      String label, Path log, String trigger, List<String> conf, Optional<String> crashPoint)
      throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "run",
                "--jobs",
                "ingest,attribution,aggregate",
                "--env",
                "local",
                "--trigger",
                trigger));
    for (String setting : conf) {
      args.addAll(List.of("--conf", setting));
    }
    return launch(
        label,
        log,
        crashPoint
            .map(point -> List.of("-D" + CrashPoint.PROPERTY + "=" + point))
            .orElse(List.of()),
        "io.adlake.cli.Main",
        args,
        "run --trigger " + trigger + crashPoint.map(p -> ", crash point " + p).orElse(""));
  }

  /**
   * {@code adlake <args>} in a child JVM, with {@code jvmOptions} (system properties, {@code
   * -Duser.timezone}, …) after the launcher's.
   */
  /**
   * The arguments of {@code run --jobs ingest --source files --trigger available-now} over {@code
   * config}'s catalog, checkpoints and stream names, reading the files under {@code filesPath};
   * {@code settings} come first (a master, for instance).
   */
  static List<String> filesIngestArguments(
      AdlakeConfig config, String filesPath, String... settings) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "run",
                "--jobs",
                "ingest",
                "--env",
                "local",
                "--source",
                "files",
                "--trigger",
                "available-now"));
    List<String> conf = new ArrayList<>(List.of(settings));
    conf.addAll(
        List.of(
            "adlake.spark.shuffle-partitions=2",
            "adlake.catalog.warehouse=" + config.catalog().warehouse(),
            "adlake.catalog.namespace=" + config.catalog().namespace(),
            "adlake.streaming.checkpoint-root=" + config.streaming().checkpointRoot(),
            "adlake.source.files.path=" + filesPath,
            "adlake.streams.bid-requests=" + config.streams().bidRequests(),
            "adlake.streams.bid-responses=" + config.streams().bidResponses(),
            "adlake.streams.impressions=" + config.streams().impressions(),
            "adlake.streams.clicks=" + config.streams().clicks(),
            "adlake.streams.conversions=" + config.streams().conversions()));
    for (String setting : conf) {
      args.addAll(List.of("--conf", setting));
    }
    return args;
  }

  public static JobProcess launch(
      String label, Path log, List<String> jvmOptions, List<String> args) throws IOException {
    return launch(label, log, jvmOptions, "io.adlake.cli.Main", args, String.join(" ", args));
  }

  /** As {@link #launch(String, Path, List, List)}, with another main class (of the test's). */
  public static JobProcess launchMain(
      String label, Path log, List<String> jvmOptions, Class<?> mainClass, List<String> args)
      throws IOException {
    return launch(
        label,
        log,
        jvmOptions,
        mainClass.getName(),
        args,
        mainClass.getSimpleName() + " " + String.join(" ", args));
  }

  private static JobProcess launch(
      String label,
      Path log,
      List<String> jvmOptions,
      String mainClass,
      List<String> args,
      String header)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx1536m");
    // Short-lived and on two busy cores: the C1 compiler alone costs far less CPU while it warms up
    // (its code
    // cache is then 48 MB by default, which Spark fills: the JVM would stop compiling).
    command.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:ReservedCodeCacheSize=256m"));
    command.addAll(
        Arrays.asList(
            Files.readString(TARGET.resolve("launcher/jvm.options")).trim().split("\\s+")));
    command.add("-Dlog4j2.configurationFile=" + TARGET.resolve("launcher/log4j2.properties"));
    command.addAll(jvmOptions);
    // The test classes too: their CrashingWrites is the WriteFaults that a crash point arms.
    command.addAll(
        List.of(
            "-cp",
            TARGET.resolve("classes")
                + File.pathSeparator
                + TARGET.resolve("test-classes")
                + File.pathSeparator
                + Files.readString(TARGET.resolve("local-classpath.txt")).trim()));
    command.add(mainClass);
    command.addAll(args);
    Files.createDirectories(log.getParent());
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    Files.writeString(
        log,
        String.format("%n==== %s: %s%n", label, header),
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    return new JobProcess(label, builder.start(), log);
  }

  /**
   * @return whether it ended within {@code timeout}
   */
  public boolean awaitExit(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public int exitValue() {
    return process.exitValue();
  }

  /** SIGKILL, as a lost driver host: no shutdown hook, no query stop, nothing flushed. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /** The lines this run wrote so far (the log file holds every run of one scenario). */
  public List<String> lines() throws IOException {
    List<String> all = Files.readAllLines(log);
    int start = 0;
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i).startsWith("==== " + label + ":")) {
        start = i;
      }
    }
    return all.subList(start, all.size());
  }

  public long countLines(Predicate<String> which) throws IOException {
    return lines().stream().filter(which).count();
  }

  /**
   * Waits until {@code which} matches at least {@code count} lines; false if the process ended
   * first.
   */
  public boolean awaitLines(Predicate<String> which, long count, Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (countLines(which) >= count) {
        return true;
      }
      if (!process.isAlive()) {
        return countLines(which) >= count;
      }
      Thread.sleep(200);
    }
    throw new AssertionError(
        label
            + ": no "
            + count
            + " matching lines within "
            + timeout.toSeconds()
            + " s:\n"
            + tail());
  }

  public String tail() throws IOException {
    List<String> lines = lines();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }
}
