package io.adlake.testservers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * An S3-compatible object store for tests: s3proxy with its filesystem backend, in a child JVM on
 * 127.0.0.1, holding one bucket and checking AWS signatures (v2 or v4) against dummy credentials.
 * Every object is a file under the bucket's directory, so a test sees what landed in the bucket
 * without an S3 client.
 */
public final class S3Proxy implements AutoCloseable {
  public static final String ACCESS_KEY = "adlake-test";
  public static final String SECRET_KEY = "adlake-test-secret";
  public static final String REGION = "us-east-1";

  /**
   * Jetty's "Started ServerConnector@…{HTTP/1.1, (http/1.1)}{127.0.0.1:<port>}": port 0 let it
   * choose.
   */
  private static final Pattern READY =
      Pattern.compile("ServerConnector@\\S+\\{.*}\\{127\\.0\\.0\\.1:(\\d+)}");

  private final ChildServer server;

  /**
   * The filesystem backend keeps a bucket as a directory named after it, an object as a file below.
   */
  private final Path bucketDirectory;

  private S3Proxy(ChildServer server, Path bucketDirectory) {
    this.server = server;
    this.bucketDirectory = bucketDirectory;
  }

  /** Starts s3proxy with its objects under {@code directory}; the bucket exists from the start. */
  public static S3Proxy start(Path directory, String bucket) throws IOException {
    Path objects = directory.resolve("objects");
    Path bucketDirectory = Files.createDirectories(objects.resolve(bucket));
    Properties p = new Properties();
    p.setProperty("s3proxy.endpoint", "http://127.0.0.1:0");
    p.setProperty("s3proxy.authorization", "aws-v2-or-v4");
    p.setProperty("s3proxy.identity", ACCESS_KEY);
    p.setProperty("s3proxy.credential", SECRET_KEY);
    p.setProperty("jclouds.provider", "filesystem-nio2");
    p.setProperty("jclouds.filesystem.basedir", objects.toString());
    Path file = directory.resolve("s3proxy.properties");
    try (Writer out = Files.newBufferedWriter(file)) {
      p.store(out, "adlake test S3 server");
    }
    ChildServer server =
        ChildServer.start(
            "s3proxy",
            List.of(
                "-jar",
                ChildServer.built("adlake.test-servers.s3proxy-jar").toString(),
                "--properties",
                file.toString()),
            READY);
    return new S3Proxy(server, bucketDirectory);
  }

  public String endpoint() {
    return "http://127.0.0.1:" + server.readyValue();
  }

  public String bucket() {
    return bucketDirectory.getFileName().toString();
  }

  /** Iceberg catalog properties for S3FileIO against this server. */
  public Map<String, String> s3FileIoProperties() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("io-impl", "org.apache.iceberg.aws.s3.S3FileIO");
    p.put("s3.endpoint", endpoint());
    p.put("s3.path-style-access", "true");
    p.put("s3.access-key-id", ACCESS_KEY);
    p.put("s3.secret-access-key", SECRET_KEY);
    p.put("client.region", REGION);
    return p;
  }

  /** Hadoop settings for {@code s3a://} against this server (Spark's checkpoints). */
  public Map<String, String> s3aProperties() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("fs.s3a.endpoint", endpoint());
    p.put("fs.s3a.endpoint.region", REGION);
    p.put("fs.s3a.path.style.access", "true");
    p.put("fs.s3a.connection.ssl.enabled", "false");
    p.put(
        "fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    p.put("fs.s3a.access.key", ACCESS_KEY);
    p.put("fs.s3a.secret.key", SECRET_KEY);
    return p;
  }

  /** Keys of the objects under {@code prefix}, sorted. */
  public List<String> objects(String prefix) {
    Path root = bucketDirectory.resolve(prefix);
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(root)) {
      return files
          .filter(Files::isRegularFile)
          .map(f -> bucketDirectory.relativize(f).toString().replace('\\', '/'))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    server.close();
  }

  @Override
  public String toString() {
    return "s3proxy at " + endpoint() + ", bucket " + bucket() + ": " + server;
  }
}
