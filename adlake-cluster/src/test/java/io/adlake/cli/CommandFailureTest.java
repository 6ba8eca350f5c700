package io.adlake.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.adlake.ClusterModule;
import io.adlake.faults.JobProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a person sees when a command fails: {@code adlake report} on a warehouse where nothing has
 * run, in a child JVM launched as {@code bin/adlake} launches it (its log configuration included),
 * all of its output captured.
 */
class CommandFailureTest {
  private static final Path WORK = ClusterModule.path("target", "cli-failure");

  @Test
  void aFailingCommandPrintsItsMessageAndCausesAndTheStackTraceOnlyWithVerbose() throws Exception {
    Files.createDirectories(WORK.resolve("empty-warehouse"));
    List<String> report =
        List.of(
            "report",
            "--env",
            "local",
            "--conf",
            "adlake.catalog.warehouse=" + WORK.resolve("empty-warehouse"),
            "--conf",
            "adlake.catalog.namespace=nothing_ran");

    List<String> plain = run("report", report);

    String message =
        "adlake report failed: Table adlake.nothing_ran.ingest_metrics does not exist.";
    String cause = "  caused by: [TABLE_OR_VIEW_NOT_FOUND]";
    assertTrue(
        plain.stream().anyMatch(l -> l.startsWith(message))
            && plain.stream().anyMatch(l -> l.startsWith(cause)),
        "the message and its cause:\n" + String.join("\n", plain));
    assertEquals(
        List.of(),
        plain.stream().filter(CommandFailureTest::isStackFrame).toList(),
        "no stack trace without --verbose:\n" + String.join("\n", plain));

    List<String> verboseArgs = new ArrayList<>(report);
    verboseArgs.add("--verbose");
    List<String> verbose = run("report --verbose", verboseArgs);
    assertTrue(
        verbose.stream().anyMatch(l -> l.startsWith(message))
            && verbose.stream().anyMatch(l -> l.startsWith(cause)),
        String.join("\n", verbose));
    assertTrue(
        verbose.stream()
            .anyMatch(l -> isStackFrame(l) && l.contains("io.adlake.cli.ReportCommand")),
        "--verbose prints the stack trace:\n" + String.join("\n", verbose));
  }

  /** The output of a run that must fail with exit status 1. */
  private static List<String> run(String label, List<String> args) throws Exception {
    JobProcess process = JobProcess.launch(label, WORK.resolve("runs.log"), List.of(), args);
    assertTrue(
        process.awaitExit(Duration.ofMinutes(2)), label + " did not end:\n" + process.tail());
    assertEquals(1, process.exitValue(), label + ":\n" + process.tail());
    return process.lines();
  }

  private static boolean isStackFrame(String line) {
    return line.matches("\\s+at [\\w$.]+\\(.*\\).*") || line.matches("\\s+\\.\\.\\. \\d+ more");
  }
}
