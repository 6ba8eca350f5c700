package io.adlake.geo;

import io.adlake.config.AdlakeConfig.GeoIpSettings;
import io.adlake.config.ConfigurationException;
import java.io.Serializable;
import java.util.Optional;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkFiles;
import org.apache.spark.sql.SparkSession;

/**
 * The City database of {@code adlake.enrichment.geoip.path}, shipped with the application to every
 * executor ({@code SparkContext.addFile}): a task opens the executor's copy once per JVM ({@link
 * CityDatabase#shared}). Any Hadoop URI works because Spark fetches it with the Hadoop file
 * systems.
 */
public final class GeoIpFile implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String fileName;
  private final String configured;

  private GeoIpFile(String fileName, String configured) {
    this.fileName = fileName;
    this.configured = configured;
  }

  /**
   * Ships the configured file and opens the driver's copy, so that a missing or corrupt file stops
   * the job at start, not in its first task.
   *
   * @return empty when the setting is empty (no geography)
   * @throws ConfigurationException naming the setting when the file cannot be used
   */
  public static Optional<GeoIpFile> ship(SparkSession spark, GeoIpSettings settings) {
    if (settings.path().isEmpty()) {
      return Optional.empty();
    }
    String configured = settings.path().get();
    try {
      spark.sparkContext().addFile(configured);
    } catch (Exception e) { // Scala code: checked exceptions (FileNotFoundException) undeclared
      throw new ConfigurationException(
          CityDatabase.SETTING
              + " = '"
              + configured
              + "' cannot be used: Spark could not ship it ("
              + e.getMessage()
              + "). Set it to a GeoLite2-City or GeoIP2-City .mmdb file (a local path or any Hadoop "
              + "URI), or to \"\" to leave the geo_* columns NULL.",
          e);
    }
    GeoIpFile file = new GeoIpFile(new Path(configured).getName(), configured);
    file.open();
    return Optional.of(file);
  }

  /** This JVM's open copy (SparkFiles: the driver's or the executor's). */
  public CityDatabase open() {
    return CityDatabase.shared(java.nio.file.Path.of(SparkFiles.get(fileName)), configured);
  }

  @Override
  public String toString() {
    return configured;
  }
}
