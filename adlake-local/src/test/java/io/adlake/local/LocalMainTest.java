package io.adlake.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.adlake.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
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
          "demo",
          "bench"
        }) {
      assertTrue(out.toString().contains(command), command + " missing from\n" + out);
    }
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
