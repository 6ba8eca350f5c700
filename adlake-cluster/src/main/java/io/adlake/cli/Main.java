package io.adlake.cli;

import io.adlake.config.ConfigurationException;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The one entry point: {@code spark-submit --class io.adlake.cli.Main adlake.jar <command>
 * [options]}.
 */
@Command(
    name = "adlake",
    mixinStandardHelpOptions = true,
    version = "adlake 0.1.0",
    description =
        "Real-time ad-tech lakehouse pipeline on Spark Structured Streaming and Apache Iceberg.",
    subcommands = {
      GenerateCommand.class,
      IngestCommand.class,
      AttributeCommand.class,
      ConversionsCommand.class,
      AggregateCommand.class,
      RunCommand.class,
      ReportCommand.class,
      MaintainCommand.class,
      DimsCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  @Spec CommandSpec spec;

  public static void main(String[] args) {
    int code = execute(args);
    // Exit only on failure: Glue and EMR wrap main() and finish the run themselves when it returns.
    if (code != 0) {
      System.exit(code);
    }
  }

  static int execute(String... args) {
    return execute(commandLine(), args);
  }

  /**
   * The cluster commands; the local launcher adds its own ({@code demo}, {@code bench}) before it
   * executes.
   */
  public static CommandLine commandLine() {
    return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
  }

  /**
   * Runs {@code args} on {@code cli}: configuration errors exit 2 with their message, other
   * failures 1.
   */
  public static int execute(CommandLine cli, String... args) {
    // Here, not when the command line is built: subcommands added since (demo, bench) take it too.
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          if (e instanceof ConfigurationException) {
            commandLine.getErr().println("adlake: configuration error: " + e.getMessage());
            return 2;
          }
          LoggerFactory.getLogger(Main.class)
              .error("adlake {} failed", commandLine.getCommandName(), e);
          commandLine
              .getErr()
              .println("adlake " + commandLine.getCommandName() + " failed: " + describe(e));
          return 1;
        });
    return cli.execute(GlueArguments.strip(args));
  }

  /**
   * The first line of each message down the cause chain: Spark's messages go on with whole query
   * plans.
   */
  private static String describe(Throwable e) {
    StringBuilder out = new StringBuilder(firstLine(e));
    for (Throwable cause = e.getCause();
        cause != null && cause != cause.getCause();
        cause = cause.getCause()) {
      String line = firstLine(cause);
      if (!out.toString().contains(line)) {
        out.append("\n  caused by: ").append(line);
      }
    }
    return out.toString();
  }

  private static String firstLine(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
