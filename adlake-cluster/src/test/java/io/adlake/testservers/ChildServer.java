package io.adlake.testservers;

import io.adlake.ClusterModule;
import io.adlake.embedded.ChildProcesses;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server in a child JVM, so that its dependencies stay off the test classpath. Its output goes to
 * a log file; it counts as started when a line matches the readiness pattern, whose first group
 * (the port it bound), or the whole match if it has no group, {@link #readyValue} returns. {@link
 * #close} closes its standard input, asks it to stop (SIGTERM) and waits for it.
 */
final class ChildServer implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

  private final String name;
  private final Process process;
  private final Path log;
  private final String readyValue;

  private ChildServer(String name, Process process, Path log, String readyValue) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.readyValue = readyValue;
  }

  /**
   * A file or directory that the build's generate-test-resources phase made, named by a system
   * property.
   */
  static Path built(String property) {
    String value = System.getProperty(property);
    if (value == null || !Files.exists(Path.of(value))) {
      throw new IllegalStateException(
          "System property "
              + property
              + " ("
              + value
              + ") does not name what "
              + "`mvn generate-test-resources` builds: run these tests through Maven (mvn test -Dtest=...)");
    }
    return Path.of(value);
  }

  /**
   * Starts {@code java <jvmArguments>} and waits for a line matching {@code ready}. The child's
   * stdout and stderr go to {@code target/test-servers/<name>.log}.
   */
  static ChildServer start(String name, List<String> jvmArguments, Pattern ready)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    command.addAll(jvmArguments);
    return start(name, command, Map.of(), ready, START_TIMEOUT);
  }

  /**
   * Starts {@code command} with {@code environment} added to this process's, and waits up to {@code
   * timeout} for a line matching {@code ready}. Output goes to {@code
   * target/test-servers/<name>.log}.
   */
  static ChildServer start(
      String name,
      List<String> command,
      Map<String, String> environment,
      Pattern ready,
      Duration timeout)
      throws IOException {
    Path log = ClusterModule.path("target", "test-servers", name + ".log");
    Files.createDirectories(log.getParent());
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(environment);
    Process process = builder.start();
    CompletableFuture<String> readyLine = new CompletableFuture<>();
    Thread copier = new Thread(() -> copyOutput(process, log, ready, readyLine), name + "-output");
    copier.setDaemon(true);
    copier.start();
    try {
      return new ChildServer(
          name, process, log, readyLine.get(timeout.toSeconds(), TimeUnit.SECONDS));
    } catch (ExecutionException | TimeoutException e) {
      process.destroyForcibly();
      throw new IllegalStateException(
          name
              + " did not start within "
              + timeout.toSeconds()
              + " s; its output, "
              + log
              + ":\n"
              + tail(log),
          e);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while starting " + name, e);
    }
  }

  /**
   * Copies every line to the log; completes {@code readyLine} with the first group of the ready
   * line.
   */
  private static void copyOutput(
      Process process, Path log, Pattern ready, CompletableFuture<String> readyLine) {
    try (BufferedReader in =
            new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        PrintWriter out = new PrintWriter(Files.newBufferedWriter(log), true)) {
      String line;
      while ((line = in.readLine()) != null) {
        out.println(line);
        Matcher matcher = ready.matcher(line);
        if (!readyLine.isDone() && matcher.find()) {
          readyLine.complete(matcher.groupCount() > 0 ? matcher.group(1) : matcher.group());
        }
      }
      readyLine.completeExceptionally(
          new IllegalStateException("exited with " + process.waitFor()));
    } catch (IOException | InterruptedException e) {
      readyLine.completeExceptionally(e);
    }
  }

  String readyValue() {
    return readyValue;
  }

  @Override
  public void close() {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // Already gone; destroy() below makes sure.
    }
    ChildProcesses.stop(process, STOP_TIMEOUT);
  }

  private static String tail(Path log) {
    if (!Files.exists(log)) {
      return "(no output)";
    }
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String toString() {
    return name + " (pid " + process.pid() + ", log " + log + ")";
  }
}
