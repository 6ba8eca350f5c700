package io.adlake.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.adlake.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class LocalMainTest {
  @Test
  void theLocalLauncherAddsDemoAndBenchToTheClusterCommands() {
    StringWriter out = new StringWriter();
    CommandLine cli = LocalMain.commandLine();
    cli.setOut(new PrintWriter(out));
    assertEquals(0, Main.execute(cli, "--help"));
    for (String command :
        new String[] {
          "generate",
          "ingest",
          "attribute",
          "aggregate",
          "run",
          "report",
          "maintain",
          "status",
          "demo",
          "bench",
          "soak"
        }) {
      assertTrue(out.toString().contains(command), command + " missing from\n" + out);
    }
  }

  /** The demo's defaults parse: its --format default is spelt as users type it ("json"). */
  @Test
  void demoAndBenchTakeTheirDefaultsAndAnySpellingOfTheFormat() {
    for (String[] args :
        new String[][] {
          {"demo"}, {"demo", "--format", "avro"}, {"demo", "--format", "AVRO"}, {"bench"}, {"soak"}
        }) {
      StringWriter err = new StringWriter();
      CommandLine cli = LocalMain.commandLine();
      cli.setErr(new PrintWriter(err));
      // --help after the arguments: everything is parsed and validated, nothing is run.
      String[] withHelp = Arrays.copyOf(args, args.length + 1);
      withHelp[args.length] = "--help";
      assertEquals(0, Main.execute(cli, withHelp), String.join(" ", args) + ": " + err);
    }
  }

  @Test
  void demoAndBenchTakeVerboseAndNoCommandIsBadUsage() {
    for (String command : new String[] {"demo", "bench"}) {
      CommandLine cli = LocalMain.commandLine();
      cli.setOut(new PrintWriter(new StringWriter()));
      assertEquals(0, Main.execute(cli, command, "--verbose", "--help"), command);
    }
    StringWriter err = new StringWriter();
    CommandLine cli = LocalMain.commandLine();
    cli.setErr(new PrintWriter(err));
    assertEquals(2, Main.execute(cli));
    assertTrue(err.toString().contains("demo"), "the usage names the local commands too\n" + err);
  }

  @Test
  void demoRejectsAnUnknownFormatNamingTheOption() {
    StringWriter err = new StringWriter();
    CommandLine cli = LocalMain.commandLine();
    cli.setErr(new PrintWriter(err));
    assertEquals(2, Main.execute(cli, "demo", "--format", "xml"));
    assertTrue(
        err.toString()
            .contains("Invalid value for option '--format': expected one of [JSON, AVRO]"),
        err.toString());
  }
}
