package io.adlake.local;

import io.adlake.cli.Main;
import picocli.CommandLine;

/**
 * {@code bin/adlake}: the cluster commands plus {@code demo}, {@code bench} and {@code soak}, which
 * embed a Kafka broker and so run only from a checkout, never from the cluster jar.
 */
public final class LocalMain {
  private LocalMain() {}

  public static void main(String[] args) {
    int code = Main.execute(commandLine(), args);
    if (code != 0) {
      System.exit(code);
    }
  }

  static CommandLine commandLine() {
    return Main.commandLine()
        .addSubcommand(new DemoCommand())
        .addSubcommand(new BenchCommand())
        .addSubcommand(new PeerBenchCommand())
        .addSubcommand(new SoakCommand());
  }
}
