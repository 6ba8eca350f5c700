package io.adlake.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * How {@code report} prints a result: an aligned table for people, CSV or JSON lines for programs.
 */
public enum ResultFormat {
  TABLE,
  CSV,
  JSON;

  public void print(Dataset<Row> result, int limit, PrintStream out) {
    String[] columns = result.columns();
    List<Row> rows = result.limit(limit + 1).collectAsList();
    boolean more = rows.size() > limit;
    rows = more ? rows.subList(0, limit) : rows;
    switch (this) {
      case TABLE -> {
        printTable(columns, rows, out);
        if (more) {
          out.printf("(only the first %d rows are shown)%n", limit);
        }
      }
      case CSV -> printCsv(columns, rows, out);
      case JSON -> printJson(columns, rows, out);
    }
  }

  private static void printTable(String[] columns, List<Row> rows, PrintStream out) {
    int[] widths = new int[columns.length];
    List<String[]> cells = new ArrayList<>();
    for (int c = 0; c < columns.length; c++) {
      widths[c] = columns[c].length();
    }
    for (Row row : rows) {
      String[] line = new String[columns.length];
      for (int c = 0; c < columns.length; c++) {
        line[c] = row.isNullAt(c) ? "NULL" : String.valueOf(row.get(c));
        widths[c] = Math.max(widths[c], line[c].length());
      }
      cells.add(line);
    }
    out.println(line(columns, widths, rows.isEmpty() ? null : rows.get(0)));
    StringBuilder rule = new StringBuilder();
    for (int c = 0; c < columns.length; c++) {
      rule.append(c == 0 ? "" : "-+-").append("-".repeat(widths[c]));
    }
    out.println(rule);
    for (int r = 0; r < cells.size(); r++) {
      out.println(line(cells.get(r), widths, rows.get(r)));
    }
    out.printf("(%d row%s)%n", rows.size(), rows.size() == 1 ? "" : "s");
  }

  /** Numbers right-aligned, text left-aligned. */
  private static String line(String[] values, int[] widths, Row sample) {
    StringBuilder b = new StringBuilder();
    for (int c = 0; c < values.length; c++) {
      boolean numeric = sample != null && !sample.isNullAt(c) && sample.get(c) instanceof Number;
      b.append(c == 0 ? "" : " | ")
          .append(String.format("%" + (numeric ? "" : "-") + widths[c] + "s", values[c]));
    }
    return b.toString().stripTrailing();
  }

  private static void printCsv(String[] columns, List<Row> rows, PrintStream out) {
    out.println(String.join(",", List.of(columns).stream().map(ResultFormat::csvCell).toList()));
    for (Row row : rows) {
      List<String> line = new ArrayList<>();
      for (int c = 0; c < columns.length; c++) {
        line.add(row.isNullAt(c) ? "" : csvCell(String.valueOf(row.get(c))));
      }
      out.println(String.join(",", line));
    }
  }

  private static String csvCell(String value) {
    boolean quote =
        value.contains(",") || value.contains("\"") || value.contains("\n") || value.contains("\r");
    return quote ? "\"" + value.replace("\"", "\"\"") + "\"" : value;
  }

  private static void printJson(String[] columns, List<Row> rows, PrintStream out) {
    ObjectMapper json = new ObjectMapper();
    for (Row row : rows) {
      Map<String, Object> object = new LinkedHashMap<>();
      for (int c = 0; c < columns.length; c++) {
        Object value = row.get(c);
        object.put(
            columns[c],
            value instanceof Number || value instanceof Boolean || value == null
                ? value
                : String.valueOf(value));
      }
      try {
        out.println(json.writeValueAsString(object));
      } catch (JsonProcessingException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
