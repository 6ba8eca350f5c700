package io.adlake.cli;

import io.adlake.config.AdlakeConfig;
import io.adlake.config.ConfigLoader;
import io.adlake.job.Checkpoints;
import io.adlake.job.SparkSessions;
import io.adlake.lake.TableMaintenance;
import io.adlake.lake.TableMaintenance.Report;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "maintain",
    mixinStandardHelpOptions = true,
    description =
        "Compact closed partitions, rewrite delete files and manifests, expire snapshots (keeping the "
            + "exactly-once ledger) and remove orphan files, for every adlake table, beside the running streams.")
final class MaintainCommand implements Callable<Integer> {
  @Mixin EnvOptions env;

  @Option(
      names = "--every",
      paramLabel = "INTERVAL",
      description =
          "Run again after each INTERVAL (e.g. 1h) until " + "stopped; without it, run once.")
  String every;

  @Option(
      names = "--tables",
      split = ",",
      paramLabel = "TABLE",
      description = "Only these tables (default: all " + "tables of the namespace).")
  List<String> tables = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    Duration interval = every == null ? null : ConfigLoader.duration(every, "--every");
    AdlakeConfig config = env.load();
    SparkSession spark = SparkSessions.create(config);
    TableMaintenance maintenance =
        new TableMaintenance(
            spark, config.catalog(), config.maintenance(), Checkpoints.root(config));
    do {
      List<String> names = tables.isEmpty() ? maintenance.tables() : tables;
      System.out.printf(
          "Maintaining %d table(s) in %s.%s%n",
          names.size(), config.catalog().name(), config.catalog().namespace());
      for (String name : names) {
        long start = System.nanoTime();
        Report r = maintenance.maintain(name, Instant.now());
        System.out.println(describe(r, (System.nanoTime() - start) / 1_000_000));
      }
      if (interval != null) {
        Thread.sleep(interval.toMillis());
      }
    } while (interval != null);
    return 0;
  }

  static String describe(Report r, long millis) {
    return String.format(
        "  %s: data files %,d -> %,d (%,.1f -> %,.1f MB; %,d rewritten into %,d%s), delete files "
            + "%,d -> %,d, snapshots expired %,d (kept the ledger snapshot of %d writer(s) and %d snapshot(s) where streaming readers stand), orphans removed %,d, "
            + "%,d ms",
        r.table(),
        r.before().dataFiles(),
        r.after().dataFiles(),
        r.before().dataBytes() / 1e6,
        r.after().dataBytes() / 1e6,
        r.rewrittenDataFiles(),
        r.addedDataFiles(),
        r.compactedBefore().map(c -> ", partitions before " + c).orElse(", whole table"),
        r.before().deleteFiles(),
        r.after().deleteFiles(),
        r.snapshotsExpired(),
        r.ledgerSnapshotsKept(),
        r.readerSnapshotsKept(),
        r.orphansRemoved(),
        millis);
  }
}
