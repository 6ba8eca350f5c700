package io.adlake.cli;

import io.adlake.config.ConfigurationException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
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
      StatusCommand.class,
      DimsCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--verbose",
      scope = ScopeType.INHERIT,
      description = "When the command fails, print the stack trace too.")
  boolean verbose;

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
   * failures 1 with the first line of each message down the cause chain; {@code --verbose} adds the
   * stack trace.
   */
  public static int execute(CommandLine cli, String... args) {
    // Here, not when the command line is built: subcommands added since (demo, bench) take it too.
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          PrintWriter err = commandLine.getErr();
          // Kept for a log configuration that wants it; the launchers' print WARN and above only.
          LoggerFactory.getLogger(Main.class)
              .debug("adlake {} failed", commandLine.getCommandName(), e);
          if (e instanceof ConfigurationException) {
            err.println("adlake: configuration error: " + e.getMessage());
          } else {
            err.println("adlake " + commandLine.getCommandName() + " failed: " + describe(e));
          }
          if (verbose(parseResult)) {
            e.printStackTrace(err);
          }
          err.flush();
          return e instanceof ConfigurationException ? 2 : 1;
        });
    return cli.execute(GlueArguments.strip(args));
  }

  /** Whether {@code --verbose} was given, before the command or after it. */
  private static boolean verbose(ParseResult parsed) {
    for (ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
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

  /** No command named: a usage mistake, so the usage goes to stderr and the status is 2. */
  @Override
  public Integer call() {
    CommandLine cli = spec.commandLine();
    cli.getErr()
        .println("adlake: name a command, e.g. adlake report; adlake help COMMAND tells more.");
    cli.usage(cli.getErr());
    cli.getErr().flush();
    return 2;
  }
}
