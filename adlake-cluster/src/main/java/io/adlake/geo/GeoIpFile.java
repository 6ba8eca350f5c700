package io.adlake.geo;

import io.adlake.config.AdlakeConfig.GeoIpSettings;
import io.adlake.config.ConfigurationException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Optional;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/**
 * The City database of {@code adlake.enrichment.geoip.path}, read once by the driver (any Hadoop
 * URI) and broadcast to the executors: each executor JVM writes its copy to a local temporary file
 * once and opens it memory-mapped ({@link CityDatabase#shared}).
 *
 * <p>A broadcast rather than {@code SparkContext.addFile}: with Spark 4.1 on a standalone cluster
 * the executors never fetched a file added that way once the session was running (Spark 4 ships the
 * artifacts of a task's session; the context's file was not among them), so every lookup failed
 * there, while local mode, whose executor is the driver, found it.
 */
public final class GeoIpFile implements Serializable {
  private static final long serialVersionUID = 2L;

  private final String configured;
  private final Broadcast<byte[]> contents;

  private GeoIpFile(String configured, Broadcast<byte[]> contents) {
    this.configured = configured;
    this.contents = contents;
  }

  /**
   * Reads the configured file, opens it on the driver, so that a missing or corrupt file stops the
   * job at start, not in its first task, and broadcasts it.
   *
   * @return empty when the setting is empty (no geography)
   * @throws ConfigurationException naming the setting when the file cannot be used
   */
  public static Optional<GeoIpFile> ship(SparkSession spark, GeoIpSettings settings) {
    if (settings.path().isEmpty()) {
      return Optional.empty();
    }
    String configured = settings.path().get();
    byte[] bytes;
    try {
      Path path = new Path(configured);
      FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      try (InputStream in = fs.open(path)) {
        bytes = in.readAllBytes();
      }
    } catch (IOException | RuntimeException e) {
      throw new ConfigurationException(
          CityDatabase.SETTING
              + " = '"
              + configured
              + "' cannot be used: it could not be read ("
              + e
              + "). Set it to a GeoLite2-City or GeoIP2-City .mmdb file (a local path or any Hadoop "
              + "URI), or to \"\" to leave the geo_* columns NULL.",
          e);
    }
    // Checked before the broadcast: the driver's copy of a corrupt file fails here.
    CityDatabase.shared(key(configured, -1), () -> localCopy(bytes), configured);
    GeoIpFile file =
        new GeoIpFile(
            configured, JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(bytes));
    file.open();
    return Optional.of(file);
  }

  /** This JVM's open copy, written from the broadcast on first use. */
  public CityDatabase open() {
    return CityDatabase.shared(
        key(configured, contents.id()), () -> localCopy(contents.value()), configured);
  }

  private static String key(String configured, long broadcast) {
    return configured + "#" + broadcast;
  }

  /** The bytes as a temporary file, deleted when the JVM exits. */
  private static java.nio.file.Path localCopy(byte[] bytes) {
    try {
      java.nio.file.Path file = Files.createTempFile("adlake-geoip-", ".mmdb");
      file.toFile().deleteOnExit();
      Files.write(file, bytes);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("Writing the GeoIP database to a local file failed", e);
    }
  }

  @Override
  public String toString() {
    return configured;
  }
}
