package io.adlake.faults;

import io.adlake.faults.LakeAudit.TableAudit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Collectors;

/** Records a fault test's figures for {@link FaultTable} and prints its line. */
final class FaultResults {
  private FaultResults() {}

  /**
   * Appends one line per table to {@link FaultTable#RESULTS} and prints the test's line (and any
   * table that did not match) to stdout, which the fault tests' surefire execution sends to the
   * console.
   */
  static void record(String test, String faults, int runs, List<TableAudit> audits, long seconds)
      throws IOException {
    Files.createDirectories(FaultTable.RESULTS.getParent());
    String lines =
        audits.stream()
            .map(
                a ->
                    String.join(
                        "\t",
                        test,
                        faults,
                        Integer.toString(runs),
                        a.table(),
                        Long.toString(a.expected()),
                        Long.toString(a.found()),
                        Long.toString(a.lost()),
                        Long.toString(a.duplicated()),
                        Long.toString(seconds)))
            .collect(Collectors.joining("\n", "", "\n"));
    Files.writeString(
        FaultTable.RESULTS, lines, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    System.out.print(
        FaultTable.header()
            + FaultTable.line(
                test,
                faults,
                runs,
                audits.size(),
                audits.stream().mapToLong(TableAudit::expected).sum(),
                audits.stream().mapToLong(TableAudit::found).sum(),
                audits.stream().mapToLong(TableAudit::lost).sum(),
                audits.stream().mapToLong(TableAudit::duplicated).sum()));
    audits.stream()
        .filter(a -> !a.clean())
        .forEach(a -> System.out.println("  did not match: " + a));
    System.out.flush();
  }
}
