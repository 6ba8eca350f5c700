package io.adlake.testservers;

import java.io.File;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * An Iceberg REST catalog for tests: {@code io.adlake.testservers.RestCatalogServer} from {@code src/test/servers}
 * in a child JVM on 127.0.0.1, a JdbcCatalog on a SQLite file whose tables (data and metadata) live in an
 * {@link S3Proxy} bucket, written with S3FileIO.
 */
public final class IcebergRestCatalog implements AutoCloseable {
  private static final Pattern READY = Pattern.compile("^READY (\\d+)$");

  private final ChildServer server;

  private IcebergRestCatalog(ChildServer server) {
    this.server = server;
  }

  /** @param warehouse where the catalog puts new namespaces and tables, e.g. {@code s3://bucket/wh} */
  public static IcebergRestCatalog start(Path directory, S3Proxy s3, String warehouse) throws IOException {
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
    String classpath = build.resolve("classes") + File.pathSeparator
        + Files.readString(build.resolve("classpath.txt")).trim();
    return new IcebergRestCatalog(ChildServer.start("rest-catalog",
        List.of("-cp", classpath, "io.adlake.testservers.RestCatalogServer", file.toString()), READY));
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
