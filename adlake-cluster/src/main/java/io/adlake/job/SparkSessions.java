package io.adlake.job;

import io.adlake.config.AdlakeConfig;
import io.adlake.config.AdlakeConfig.CatalogSettings;
import io.adlake.lake.CatalogPreflight;
import java.io.File;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * Builds the SparkSession every job runs in: Iceberg extensions, the configured catalog, sane
 * defaults.
 */
public final class SparkSessions {
  private SparkSessions() {}

  /** Checks first that the catalog's server answers: cheaper than starting Spark to find out. */
  public static SparkSession create(AdlakeConfig config) {
    CatalogPreflight.requireReachable(config.catalog());
    SparkSession.Builder builder = SparkSession.builder().appName(config.appName());
    config.spark().master().ifPresent(builder::master);
    sparkProperties(config).forEach(builder::config);
    SparkSession spark = builder.getOrCreate();
    // On Glue / EMR the platform may have built the session already; runtime settings still apply.
    spark
        .conf()
        .set("spark.sql.shuffle.partitions", Integer.toString(config.spark().shufflePartitions()));
    spark.conf().set("spark.sql.session.timeZone", "UTC");
    return spark;
  }

  static Map<String, String> sparkProperties(AdlakeConfig config) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put(
        "spark.sql.extensions",
        "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions");
    p.put("spark.sql.shuffle.partitions", Integer.toString(config.spark().shufflePartitions()));
    p.put("spark.sql.session.timeZone", "UTC");
    p.putAll(catalogProperties(config.catalog()));
    p.putAll(config.spark().extra());
    return p;
  }

  /** {@code spark.sql.catalog.<name>.*} for the configured catalog type. */
  public static Map<String, String> catalogProperties(CatalogSettings catalog) {
    String prefix = "spark.sql.catalog." + catalog.name();
    Map<String, String> p = new LinkedHashMap<>();
    p.put(prefix, "org.apache.iceberg.spark.SparkCatalog");
    switch (catalog.type()) {
      case HADOOP -> p.put(prefix + ".type", "hadoop");
      case REST -> p.put(prefix + ".type", "rest");
      case GLUE -> {
        p.put(prefix + ".catalog-impl", "org.apache.iceberg.aws.glue.GlueCatalog");
        p.put(prefix + ".io-impl", "org.apache.iceberg.aws.s3.S3FileIO");
      }
    }
    p.put(prefix + ".warehouse", location(catalog.warehouse()));
    catalog.uri().ifPresent(uri -> p.put(prefix + ".uri", uri));
    // foreachBatch runs on a cloned session whose catalog would cache table state: a job that
    // writes
    // and then reads (ledger check, reports) must always see the latest commit.
    p.put(prefix + ".cache-enabled", "false");
    catalog.properties().forEach((k, v) -> p.put(prefix + "." + k, v));
    return p;
  }

  /** A location with a scheme stays as it is; a plain path becomes an absolute file URI. */
  public static String location(String pathOrUri) {
    URI uri = URI.create(pathOrUri.replace('\\', '/').replace(" ", "%20"));
    if (uri.getScheme() != null && uri.getScheme().length() > 1) {
      return pathOrUri;
    }
    return new File(pathOrUri).getAbsoluteFile().toURI().toString();
  }
}
