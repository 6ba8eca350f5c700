package io.adlake.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/check-prerequisites, which {@code make test} runs before Maven: on a machine made to lack
 * Node.js, npm and a JDK for Trino (a PATH without node and npm, an empty JVM directory) it names
 * each with how to install it and exits 1; with them it exits 0 and says what it found.
 */
class PrerequisitesCheckTest {
  private static final Set<String> NODE_COMMANDS = Set.of("node", "nodejs", "npm", "npx");

  @TempDir Path dir;

  @Test
  void aMachineWithoutNodeNpmOrANewJdkIsToldEachAndHowToInstallIt() throws Exception {
    Path jvms = Files.createDirectories(dir.resolve("jvm"));
    javaHome(jvms, "jdk-21", "21.0.5");
    Result result = run(pathWithout(NODE_COMMANDS), jvms);
    assertEquals(1, result.code, result.stderr);
    assertEquals(
        List.of(
            "make test: missing prerequisites:",
            "  - Node.js: no 'node' on the PATH; the Kinesis tests run kinesalite with it (apt-get"
                + " install nodejs npm, or https://nodejs.org)",
            "  - npm: no 'npm' on the PATH; the build installs kinesalite with 'npm ci' (apt-get"
                + " install npm, or https://nodejs.org)",
            "  - a JDK 24.0.1 or newer for TrinoInteropTest (Trino 476 refuses older Java): "
                + jvms
                + " has jdk-21 (21.0.5) (install a JDK 24 or newer there, e.g. 'apt-get install"
                + " temurin-25-jdk' from the Adoptium repository, or point TRINO_JAVA_HOME at one)",
            "Install them and run 'make test' again (README.md, 'make test needs'). Docker is"
                + " optional."),
        result.stderr.lines().toList());
    assertEquals("", result.stdout);
  }

  @Test
  void aMachineWithEverythingPassesAndNamesTheJdkTrinoWillUse() throws Exception {
    Path jvms = Files.createDirectories(dir.resolve("jvm"));
    javaHome(jvms, "jdk-21", "21.0.5");
    javaHome(jvms, "jdk-25", "25.0.1");
    Result result = run(System.getenv("PATH"), jvms);
    assertEquals(0, result.code, result.stderr);
    assertTrue(result.stdout.startsWith("Prerequisites: Java "), result.stdout);
    assertTrue(
        result.stdout.strip().endsWith("JDK for Trino: " + jvms.resolve("jdk-25") + " (25.0.1)"),
        result.stdout);
  }

  /** A Java home as the script sees one: a release file and an executable bin/java. */
  private static void javaHome(Path jvms, String name, String version) throws IOException {
    Path bin = Files.createDirectories(jvms.resolve(name).resolve("bin"));
    Files.writeString(jvms.resolve(name).resolve("release"), "JAVA_VERSION=\"" + version + "\"\n");
    Files.copy(Path.of("/bin/true"), bin.resolve("java"), StandardCopyOption.REPLACE_EXISTING);
  }

  /** A PATH of one directory linking every command of this PATH but {@code left out}. */
  private String pathWithout(Set<String> leftOut) throws IOException {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    for (String entry : System.getenv("PATH").split(File.pathSeparator)) {
      Path directory = Path.of(entry);
      if (!Files.isDirectory(directory)) {
        continue;
      }
      try (Stream<Path> commands = Files.list(directory)) {
        for (Path command : commands.toList()) {
          Path link = bin.resolve(command.getFileName());
          if (!leftOut.contains(command.getFileName().toString()) && !Files.exists(link)) {
            Files.createSymbolicLink(link, command.toRealPath());
          }
        }
      }
    }
    return bin.toString();
  }

  private record Result(int code, String stdout, String stderr) {}

  /**
   * The script copied into an empty checkout, so that no kinesalite installed in this one makes npm
   * unnecessary.
   */
  private Result run(String path, Path jvmDirectory) throws Exception {
    Path checkout = Files.createDirectories(dir.resolve("checkout/bin"));
    Path script = checkout.resolve("check-prerequisites");
    Files.copy(Path.of("bin/check-prerequisites"), script, StandardCopyOption.REPLACE_EXISTING);
    ProcessBuilder builder = new ProcessBuilder("bash", script.toString());
    Map<String, String> env = builder.environment();
    env.put("PATH", path);
    env.put("ADLAKE_JVM_DIR", jvmDirectory.toString());
    env.remove("TRINO_JAVA_HOME");
    builder.redirectOutput(dir.resolve("stdout").toFile());
    builder.redirectError(dir.resolve("stderr").toFile());
    Process process = builder.start();
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "bin/check-prerequisites did not end");
    return new Result(
        process.exitValue(),
        Files.readString(dir.resolve("stdout"), StandardCharsets.UTF_8),
        Files.readString(dir.resolve("stderr"), StandardCharsets.UTF_8));
  }
}
