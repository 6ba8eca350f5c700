package io.adlake.testservers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which Java runs the test Trino, and what a machine without a new enough one is told. */
class TrinoServerTest {
  @TempDir Path jvms;

  @Test
  void theNewestJavaHomeTrinoAcceptsIsChosen() throws IOException {
    javaHome("java-17-openjdk-amd64", "17.0.12");
    javaHome("temurin-24-jdk-amd64", "24.0.2");
    Path newest = javaHome("temurin-25-jdk-amd64", "25.0.1");
    javaHome("jdk-24-ea", "24-ea"); // below 24.0.1
    assertEquals(newest, TrinoServer.javaHome(null, jvms));
  }

  @Test
  void withoutANewEnoughJavaTheMessageSaysWhatToInstall() throws IOException {
    javaHome("java-17-openjdk-amd64", "17.0.12");
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> TrinoServer.javaHome(null, jvms));
    assertTrue(e.getMessage().contains("Trino 476 needs Java 24.0.1 or newer"), e.getMessage());
    assertTrue(e.getMessage().contains("java-17-openjdk-amd64 (17.0.12)"), e.getMessage());
    assertTrue(
        e.getMessage().contains("Install a JDK 24 or newer")
            && e.getMessage().contains("TRINO_JAVA_HOME"),
        e.getMessage());
  }

  @Test
  void aTrinoJavaHomeThatIsTooOldIsRefused() throws IOException {
    Path old = javaHome("java-17-openjdk-amd64", "17.0.12");
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> TrinoServer.javaHome(old.toString(), jvms));
    assertEquals(
        "TRINO_JAVA_HOME=" + old + " is Java 17.0.12; Trino 476 needs Java 24.0.1 or newer",
        e.getMessage());
  }

  /** A Java home as far as the lookup reads it: a release file and an executable bin/java. */
  private Path javaHome(String name, String version) throws IOException {
    Path home = Files.createDirectories(jvms.resolve(name));
    Files.writeString(
        home.resolve("release"), "IMPLEMENTOR=\"test\"\nJAVA_VERSION=\"" + version + "\"\n");
    Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
    Files.writeString(java, "#!/bin/sh\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    return home;
  }
}
