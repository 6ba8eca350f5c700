package io.adlake.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

/** What the build hands the integration tests (failsafe's system properties) and the JDK their child JVMs run on. */
final class ItEnvironment {
  private ItEnvironment() {}

  static String property(String name) {
    String value = System.getProperty(name);
    assertTrue(value != null, "system property " + name + " is set by the build (failsafe)");
    return value;
  }

  /** The java of the JDK running the tests: the child JVMs run the same one. */
  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
