package io.adlake.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * AWS Glue hands a job's {@code main} its own arguments ({@code --JOB_NAME x --JOB_ID y --TempDir
 * s3://… --job-bookmark-option …}). They are not adlake's: drop them, with their values, before
 * parsing.
 *
 * <p>A Glue job's one {@code --conf} argument chains Spark settings in its value; they are split
 * into one {@code --conf} each, which adlake passes to the Spark session as any {@code --conf
 * spark.*}.
 *
 * <p>Glue job arguments are {@code --key value} pairs only, in no guaranteed order, so a Glue job
 * cannot pass the subcommand as the first word: it passes {@code --adlake-command ingest}, which
 * becomes the first word.
 */
final class GlueArguments {
  /**
   * Glue's lower-case special parameters; upper-case ones (--JOB_NAME, --TempDir…) are matched by
   * shape.
   */
  private static final Set<String> GLUE_PARAMETERS =
      Set.of(
          "--job-bookmark-option",
          "--job-language",
          "--extra-jars",
          "--extra-files",
          "--extra-py-files",
          "--user-jars-first",
          "--datalake-formats",
          "--enable-metrics",
          "--enable-observability-metrics",
          "--enable-continuous-cloudwatch-log",
          "--enable-continuous-log-filter",
          "--enable-spark-ui",
          "--spark-event-logs-path",
          "--enable-glue-datacatalog",
          "--enable-job-insights",
          "--enable-auto-scaling",
          "--continuous-log-logGroup",
          "--continuous-log-logStreamPrefix",
          "--continuous-log-conversionPattern",
          "--encryption-type",
          "--class",
          "--scriptLocation",
          "--additional-python-modules",
          "--python-modules-installer-option",
          "--auto-scale-within-microbatch",
          "--redshift-tmp-dir");

  /** --JOB_NAME, --JOB_ID, --JOB_RUN_ID, --TempDir, --SECURITY_CONFIGURATION, --WORKFLOW_NAME, … */
  private static final Pattern GLUE_SHAPE = Pattern.compile("--(?:[A-Z][A-Z0-9_]*|TempDir)");

  /** The Glue job argument naming the subcommand (glue/job-*.json). */
  static final String COMMAND = "--adlake-command";

  private GlueArguments() {}

  static String[] strip(String[] args) {
    List<String> kept = new ArrayList<>();
    String command = null;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
      if (name.equals(COMMAND)) {
        command =
            arg.contains("=")
                ? arg.substring(arg.indexOf('=') + 1)
                : (i + 1 < args.length ? args[++i] : "");
        continue;
      }
      if (name.equals("--conf") && !arg.contains("=") && i + 1 < args.length) {
        // Glue takes one --conf key, so a job chains its Spark settings in the value
        // ("spark.a=x --conf spark.b=y"): each pair is a setting of its own.
        for (String setting : args[++i].split("\\s+--conf\\s+")) {
          kept.addAll(List.of("--conf", setting.trim()));
        }
        continue;
      }
      if (GLUE_PARAMETERS.contains(name) || GLUE_SHAPE.matcher(name).matches()) {
        boolean valueFollows =
            !arg.contains("=") && i + 1 < args.length && !args[i + 1].startsWith("--");
        if (valueFollows) {
          i++;
        }
        continue;
      }
      kept.add(arg);
    }
    if (command != null) {
      kept.add(0, command);
    }
    return kept.toArray(String[]::new);
  }
}
