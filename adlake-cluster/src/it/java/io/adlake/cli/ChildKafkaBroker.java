package io.adlake.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * adlake-embedded's KRaft broker in a child JVM with that module's classpath (Kafka 3.9 of the build's Scala), so the
 * integration tests need no Kafka of their own and the broker's libraries never meet Spark's.
 */
final class ChildKafkaBroker implements AutoCloseable {
  private final Process process;
  private final String bootstrapServers;

  private ChildKafkaBroker(Process process, String bootstrapServers) {
    this.process = process;
    this.bootstrapServers = bootstrapServers;
  }

  /** Starts a broker whose log lives under {@code logDir}; returns once it prints its bootstrap address. */
  static ChildKafkaBroker start(Path logDir) throws IOException {
    Path home = Path.of(ItEnvironment.property("adlake.it.broker"));
    String classpath =
        home.resolve("classes") + File.pathSeparator + Files.readString(home.resolve("broker-classpath.txt")).trim();
    Process process =
        new ProcessBuilder(
                ItEnvironment.java(),
                "-Xmx512m",
                "-cp",
                classpath,
                "io.adlake.embedded.EmbeddedKafkaBroker",
                logDir.toString())
            .redirectErrorStream(true)
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String bootstrapServers = null;
    List<String> seen = new ArrayList<>();
    for (String line = out.readLine(); line != null; line = out.readLine()) {
      if (line.startsWith("READY ")) {
        bootstrapServers = line.substring("READY ".length()).trim();
        break;
      }
      seen.add(line);
    }
    if (bootstrapServers == null) {
      process.destroyForcibly();
    }
    assertTrue(bootstrapServers != null, "the broker did not start:\n" + String.join("\n", seen));
    // Keep draining its output, so a chatty broker never blocks on a full pipe.
    Thread drain =
        new Thread(
            () -> {
              try {
                while (out.readLine() != null) {
                  // discard
                }
              } catch (IOException ignored) {
                // the broker ended
              }
            },
            "broker-output");
    drain.setDaemon(true);
    drain.start();
    return new ChildKafkaBroker(process, bootstrapServers);
  }

  String bootstrapServers() {
    return bootstrapServers;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
