package io.adlake.lake;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A dimension file's lines checked against their table: every column the file names must be one the
 * table takes, every required one present, every value of its column's type and within the
 * dimension's rules, every key once. All the reasons are collected, so one run of {@code dims load}
 * lists every line to fix.
 */
public final class DimensionRows {
  private DimensionRows() {}

  /** A line that cannot be loaded, and why. */
  public record Rejection(long line, String reason) {
    @Override
    public String toString() {
      return line > 0 ? "line " + line + ": " + reason : reason;
    }
  }

  /** Rows were rejected: none of the file was loaded. */
  public static final class RejectedRowsException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final transient List<Rejection> rejections;

    RejectedRowsException(String table, String location, List<Rejection> rejections) {
      super(
          location
              + ": "
              + rejections.size()
              + " problem(s), nothing loaded into "
              + table
              + ":\n  "
              + String.join(
                  "\n  ", rejections.stream().map(Rejection::toString).limit(100).toList())
              + (rejections.size() > 100 ? "\n  ..." : "")
              + "\nFix these lines and run dims load again; the table is as it was.");
      this.rejections = List.copyOf(rejections);
    }

    public List<Rejection> rejections() {
      return rejections;
    }
  }

  /**
   * @return each line as column → typed value, in file order
   * @throws RejectedRowsException listing every bad line, when there is one
   */
  public static List<Map<String, Object>> validate(
      Dimension dimension, DimensionFile.Contents contents, String location) {
    List<Rejection> rejections = new ArrayList<>();
    contents.errors().forEach(e -> rejections.add(fileProblem(e)));
    List<String> allowed = dimension.inputColumns();
    List<String> unknown =
        contents.columns().stream().filter(c -> !allowed.contains(c)).sorted().toList();
    if (!unknown.isEmpty()) {
      rejections.add(
          new Rejection(
              0,
              "unknown column(s) " + unknown + ": " + dimension.tableName() + " takes " + allowed));
    }
    List<String> missing =
        allowed.stream()
            .filter(c -> dimension.spec().column(c).required() && !contents.columns().contains(c))
            .toList();
    if (!missing.isEmpty() && !contents.columns().isEmpty()) {
      rejections.add(new Rejection(0, "required column(s) " + missing + " missing from the file"));
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    Map<String, Long> firstLineOfKey = new HashMap<>();
    for (DimensionFile.Line line : contents.lines()) {
      Map<String, Object> row = new LinkedHashMap<>();
      List<String> problems = new ArrayList<>();
      for (String column : allowed) {
        try {
          row.put(column, dimension.parse(column, line.fields().get(column)));
        } catch (IllegalArgumentException e) {
          problems.add(e.getMessage());
        }
      }
      if (problems.isEmpty()) {
        Optional<String> broken = dimension.check(row);
        broken.ifPresent(problems::add);
      }
      if (problems.isEmpty()) {
        String key = DimensionLoad.key(dimension, row);
        Long first = firstLineOfKey.putIfAbsent(key, line.number());
        if (first != null) {
          problems.add(key + " is also on line " + first + ": a key may appear once per file");
        }
      }
      if (problems.isEmpty()) {
        rows.add(row);
      } else {
        rejections.add(new Rejection(line.number(), String.join("; ", problems)));
      }
    }
    if (contents.lines().isEmpty() && rejections.isEmpty()) {
      rejections.add(new Rejection(0, "no rows: nothing to load"));
    }
    if (!rejections.isEmpty()) {
      // In file order, problems of the file as a whole first.
      rejections.sort(java.util.Comparator.comparingLong(Rejection::line));
      throw new RejectedRowsException(dimension.tableName(), location, rejections);
    }
    return rows;
  }

  /** DimensionFile's "line N: reason" as a rejection of line N. */
  private static Rejection fileProblem(String error) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("line (\\d+): (.*)").matcher(error);
    return m.matches()
        ? new Rejection(Long.parseLong(m.group(1)), m.group(2))
        : new Rejection(0, error);
  }
}
