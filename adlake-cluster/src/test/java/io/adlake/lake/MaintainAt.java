package io.adlake.lake;

import io.adlake.config.AdlakeConfig;
import io.adlake.config.ConfigLoader;
import io.adlake.job.Checkpoints;
import io.adlake.job.SparkSessions;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * {@code maintain} of one table as if it were a given instant, in a JVM of its own (started by
 * {@link MaintenanceTimeZoneTest} with another default time zone): {@code <now> <table>
 * <key=value>...}, the settings as {@code --conf} takes them on top of {@code conf/local.conf}.
 */
public final class MaintainAt {
  private MaintainAt() {}

  public static void main(String[] args) {
    Instant now = Instant.parse(args[0]);
    List<String> settings = Arrays.asList(args).subList(2, args.length);
    AdlakeConfig config = ConfigLoader.load("local", settings);
    SparkSession spark = SparkSessions.create(config);
    TableMaintenance.Report report =
        new TableMaintenance(
                spark, config.catalog(), config.maintenance(), Checkpoints.root(config))
            .maintain(args[1], now);
    System.out.println("maintained as of " + now + ": " + report);
    spark.stop();
  }
}
