package io.adlake.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fault suite's table: one line per test, summed over the tables it checked, from the lines the
 * tests appended to {@code target/faults/results.tsv} ({@code test, faults, runs, table, expected,
 * found, lost, duplicated, seconds}). {@code make faults} prints it at the end; JDK classes only,
 * so it runs on the bare test-classes directory.
 */
public final class FaultTable {
  static final Path RESULTS = Path.of("target", "faults", "results.tsv");
  private static final String FORMAT = "%-24s %-36s %5s %14s %12s %6s %11s %8s%n";

  private FaultTable() {}

  public static void main(String[] args) throws IOException {
    Path file = args.length > 0 ? Path.of(args[0]) : RESULTS;
    if (!Files.exists(file)) {
      System.out.println("No fault results in " + file + ": did the fault tests run?");
      return;
    }
    Map<String, long[]> totals = new LinkedHashMap<>();
    Map<String, String> faults = new LinkedHashMap<>();
    List<String> unclean = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      String[] f = line.split("\t");
      if (f.length < 9) {
        continue;
      }
      faults.put(f[0], f[1]);
      long[] sum = totals.computeIfAbsent(f[0], k -> new long[6]);
      sum[0] = Long.parseLong(f[2]);
      sum[1]++;
      for (int i = 0; i < 4; i++) {
        sum[2 + i] += Long.parseLong(f[4 + i]);
      }
      if (!f[6].equals("0") || !f[7].equals("0") || !f[4].equals(f[5])) {
        unclean.add(
            String.format(
                "  %s / %s: expected %s, found %s, lost %s, duplicated %s",
                f[0], f[3], f[4], f[5], f[6], f[7]));
      }
    }
    System.out.print(header());
    totals.forEach(
        (test, sum) ->
            System.out.print(
                line(test, faults.get(test), sum[0], sum[1], sum[2], sum[3], sum[4], sum[5])));
    if (unclean.isEmpty()) {
      System.out.println("Every table of every test: 0 lost, 0 duplicated.");
    } else {
      System.out.println("Tables that did not match:");
      unclean.forEach(System.out::println);
    }
  }

  static String header() {
    return String.format(
        FORMAT,
        "test",
        "faults",
        "runs",
        "rows expected",
        "rows found",
        "lost",
        "duplicated",
        "tables");
  }

  /** The line of one test, as the test prints it and as the table shows it. */
  static String line(
      String test,
      String faults,
      long runs,
      long tables,
      long expected,
      long found,
      long lost,
      long duplicated) {
    return String.format(
        FORMAT,
        test,
        faults,
        runs,
        String.format("%,d", expected),
        String.format("%,d", found),
        lost,
        duplicated,
        tables);
  }
}
