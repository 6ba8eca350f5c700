package io.adlake;

import java.nio.file.Path;

/**
 * Files of this module (its build output, its test tools). Tests run in the repository's top level,
 * where conf/, glue/, emr/, athena/ and docker-compose.yml are; the build names this module's
 * directory in a system property.
 */
public final class ClusterModule {
  private ClusterModule() {}

  public static Path path(String first, String... more) {
    return Path.of(System.getProperty("adlake.module", "adlake-cluster"), first)
        .resolve(Path.of("", more))
        .toAbsolutePath();
  }
}
