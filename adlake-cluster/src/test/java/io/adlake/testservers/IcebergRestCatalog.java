package io.adlake.testservers;

import java.io.File;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * An Iceberg REST catalog for tests: {@code io.adlake.testservers.RestCatalogServer} from {@code
 * src/test/servers} in a child JVM on 127.0.0.1, a JdbcCatalog on a SQLite file whose tables (data
 * and metadata) live in an {@link S3Proxy} bucket, written with S3FileIO.
 */
public final class IcebergRestCatalog implements AutoCloseable {
  private static final Pattern READY = Pattern.compile("^READY (\\d+)$");

  private final ChildServer server;
  private final S3Proxy s3;
  private final String warehouse;

  private IcebergRestCatalog(ChildServer server, S3Proxy s3, String warehouse) {
    this.server = server;
    this.s3 = s3;
    this.warehouse = warehouse;
  }

  /**
   * @param warehouse where the catalog puts new namespaces and tables, e.g. {@code s3://bucket/wh}
   */
  public static IcebergRestCatalog start(Path directory, S3Proxy s3, String warehouse)
      throws IOException {
    Files.createDirectories(directory);
    Properties p = new Properties();
    p.setProperty("uri", "jdbc:sqlite:" + directory.resolve("catalog.db"));
    p.setProperty("warehouse", warehouse);
    s3.s3FileIoProperties().forEach(p::setProperty);
    Path file = directory.resolve("rest-catalog.properties");
    try (Writer out = Files.newBufferedWriter(file)) {
      p.store(out, "adlake test REST catalog");
    }
    Path build = ChildServer.built("adlake.test-servers.rest-catalog");
    String classpath =
        build.resolve("classes")
            + File.pathSeparator
            + Files.readString(build.resolve("classpath.txt")).trim();
    return new IcebergRestCatalog(
        ChildServer.start(
            "rest-catalog",
            List.of("-cp", classpath, "io.adlake.testservers.RestCatalogServer", file.toString()),
            READY),
        s3,
        warehouse);
  }

  /**
   * What an operator would set ({@code key=value} settings) for adlake's catalog {@code name} on
   * this server: type, URI, warehouse, S3FileIO on the S3 server, and s3a settings for Spark's
   * Hadoop file system on it.
   */
  public List<String> adlakeSettings(String name) {
    List<String> settings =
        new ArrayList<>(
            List.of(
                "adlake.catalog.name=" + name,
                "adlake.catalog.type=rest",
                "adlake.catalog.uri=" + uri(),
                "adlake.catalog.warehouse=" + warehouse));
    s3.s3FileIoProperties()
        .forEach((k, v) -> settings.add("adlake.catalog.properties.\"" + k + "\"=" + v));
    s3.s3aProperties()
        .forEach((k, v) -> settings.add("adlake.spark.extra.\"spark.hadoop." + k + "\"=" + v));
    return settings;
  }

  public String uri() {
    return "http://127.0.0.1:" + server.readyValue();
  }

  @Override
  public void close() {
    server.close();
  }

  @Override
  public String toString() {
    return "REST catalog at " + uri() + ": " + server;
  }
}
