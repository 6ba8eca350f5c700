package io.adlake.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.adlake.config.AdlakeConfig;
import io.adlake.deploy.DummyDeployment;
import io.adlake.deploy.DummyDeployment.Rendered;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

class MainTest {
  @Test
  void everyCommandHasHelp() {
    for (String command :
        new String[] {
          "generate", "ingest", "attribute", "aggregate", "run", "report", "maintain", "status"
        }) {
      Output out = capture(() -> Main.execute(command, "--help"));
      assertEquals(0, out.code, command);
      assertTrue(out.stdout.contains("Usage: adlake " + command), out.stdout);
      assertTrue(out.stdout.contains("--help"), out.stdout);
    }
    Output top = capture(() -> Main.execute("--help"));
    assertTrue(top.stdout.contains("generate") && top.stdout.contains("attribute"));
    assertTrue(
        !top.stdout.contains("demo") && !top.stdout.contains("bench"),
        "demo and bench embed a broker: they belong to the local launcher, not the cluster jar\n"
            + top.stdout);
  }

  @Test
  void glueArgumentsAreDroppedWithTheirValues() {
    String[] glue = {
      "--JOB_ID",
      "j_1",
      "attribute",
      "--JOB_NAME",
      "adlake-attribution",
      "--JOB_RUN_ID",
      "jr_1",
      "--TempDir",
      "s3://bucket/tmp",
      "--job-bookmark-option",
      "job-bookmark-disable",
      "--enable-metrics",
      "--env",
      "glue",
      "--SECURITY_CONFIGURATION=sec",
      "--trigger",
      "available-now"
    };
    assertArrayEquals(
        new String[] {"attribute", "--env", "glue", "--trigger", "available-now"},
        GlueArguments.strip(glue));
  }

  @Test
  void glueJobArgumentAdlakeCommandBecomesTheSubcommandWhereverItStands() {
    String[] glue = {
      "--JOB_ID",
      "j_1",
      "--env",
      "adlake-glue.conf",
      "--enable-continuous-cloudwatch-log",
      "true",
      "--adlake-command",
      "run",
      "--jobs",
      "ingest,attribution",
      "--JOB_NAME",
      "adlake-run"
    };
    assertArrayEquals(
        new String[] {"run", "--env", "adlake-glue.conf", "--jobs", "ingest,attribution"},
        GlueArguments.strip(glue));
    assertArrayEquals(
        new String[] {"ingest", "--conf", "spark.a=x", "--conf", "spark.b.c=y z", "--conf=k=v"},
        GlueArguments.strip(
            new String[] {
              "--adlake-command", "ingest", "--conf", "spark.a=x --conf spark.b.c=y z", "--conf=k=v"
            }),
        "Glue's one --conf chains Spark settings in its value: one --conf each");
    assertArrayEquals(
        new String[] {"ingest", "--env", "emr"},
        GlueArguments.strip(new String[] {"--env", "emr", "--adlake-command=ingest"}));
  }

  /**
   * As Glue calls main: its own arguments, then every DefaultArgument of the job as --key value;
   * for every job and every Glue version deploy.sh renders it for.
   */
  @Test
  void everyGlueJobDefinitionParsesToItsSubcommand() {
    List<Rendered> jobs = DummyDeployment.renderForEveryRuntime("glue", "job-*.json");
    assertTrue(jobs.size() >= 16, "four jobs for each Glue version: " + jobs);
    for (Rendered job : jobs) {
      JsonNode arguments = job.json().get("DefaultArguments");
      List<String> argv =
          new ArrayList<>(
              List.of(
                  "--JOB_ID",
                  "j_1",
                  "--JOB_RUN_ID",
                  "jr_1",
                  "--JOB_NAME",
                  "adlake",
                  "--TempDir",
                  "s3://bucket/tmp"));
      arguments.properties().forEach(e -> argv.addAll(List.of(e.getKey(), e.getValue().asText())));
      ParseResult parsed =
          new CommandLine(new Main()).parseArgs(GlueArguments.strip(argv.toArray(String[]::new)));
      assertEquals(job.job(), parsed.subcommand().commandSpec().name(), job.toString());
      assertEquals(
          arguments.get("--env").asText(),
          parsed.subcommand().matchedOptionValue("--env", ""),
          job.toString());
    }
  }

  @Test
  void unknownOptionOfOursIsAnErrorNotIgnored() {
    Output out = capture(() -> Main.execute("report", "--formt", "csv"));
    assertEquals(2, out.code);
    assertTrue(out.stderr.contains("--formt"), out.stderr);
  }

  @Test
  void configurationErrorNamesTheKeyAndExitsWithTwo() {
    Output out =
        capture(() -> Main.execute("report", "--conf", "adlake.catalog.namespace=x;DROP TABLE y"));
    assertEquals(2, out.code);
    assertTrue(out.stderr.contains("adlake.catalog.namespace"), out.stderr);
  }

  @Test
  void generateWithoutCountOrRateSaysWhatToGive() {
    Output out = capture(() -> Main.execute("generate"));
    assertEquals(2, out.code);
    assertTrue(out.stderr.contains("--count"), out.stderr);
  }

  @Test
  void withoutACommandTheUsageGoesToStderrAndTheExitStatusIsTwo() {
    Output out = capture(() -> Main.execute());
    assertEquals(2, out.code, "no command is bad usage, not success");
    assertTrue(out.stderr.contains("Usage: adlake") && out.stderr.contains("report"), out.stderr);
    assertTrue(out.stderr.contains("name a command"), out.stderr);
    assertEquals("", out.stdout, "usage for a mistake goes to stderr, not into a pipe");
    assertEquals(0, capture(() -> Main.execute("--help")).code, "--help is no mistake");
  }

  @Test
  void aSparkSettingAfterTheCommandIsPassedToSpark() {
    ReportCommand report = new ReportCommand();
    new CommandLine(report)
        .parseArgs(
            "--conf",
            "spark.sql.adaptive.enabled=false",
            "--conf",
            "spark.executor.memory=4g",
            "--conf",
            "adlake.spark.shuffle-partitions=3");
    AdlakeConfig config = report.env.load();
    assertEquals("false", config.spark().extra().get("spark.sql.adaptive.enabled"));
    assertEquals("4g", config.spark().extra().get("spark.executor.memory"));
    assertEquals(
        "127.0.0.1",
        config.spark().extra().get("spark.driver.host"),
        "local.conf's Spark settings stay beside them");
    assertEquals(3, config.spark().shufflePartitions());
  }

  @Test
  void aConfKeyThatIsNeitherAdlakeNorSparkIsRefusedWithItsName() {
    Output out = capture(() -> Main.execute("report", "--conf", "sprak.sql.adaptive.enabled=x"));
    assertEquals(2, out.code);
    assertTrue(
        out.stderr.contains("sprak.sql.adaptive.enabled")
            && out.stderr.contains("adlake.")
            && out.stderr.contains("spark."),
        out.stderr);
  }

  record Output(int code, String stdout, String stderr) {}

  static Output capture(IntSupplier run) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code = run.getAsInt();
      return new Output(
          code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }
}
