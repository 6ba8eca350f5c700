package io.adlake.lake;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The rows of a reference-data file as text fields, each with its line number: CSV with a header
 * line, or JSON lines (one object per line). Read on the driver through Hadoop's file systems, so a
 * local path, {@code s3://}, {@code hdfs://} or {@code abfs://} all work; dimension files are
 * small.
 */
public final class DimensionFile {
  private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*://.*");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One data line: its number in the file (the header is line 1) and its fields by column. */
  public record Line(long number, Map<String, String> fields) {}

  /** A file: the columns it names and its data lines; or what makes it unreadable as a whole. */
  public record Contents(List<String> columns, List<Line> lines, List<String> errors) {}

  private DimensionFile() {}

  /** A path without a scheme is a local file, whatever the cluster's default file system is. */
  public static URI uri(String location) {
    return SCHEME.matcher(location).matches()
        ? URI.create(location)
        : java.nio.file.Path.of(location).toAbsolutePath().toUri();
  }

  public static Contents read(String location, Configuration hadoop) {
    URI uri = uri(location);
    List<String> text = new ArrayList<>();
    try (FileSystem fs = FileSystem.newInstance(uri, hadoop);
        FSDataInputStream in = fs.open(new Path(uri));
        BufferedReader reader =
            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        text.add(line);
      }
    } catch (java.io.FileNotFoundException e) {
      throw new IllegalArgumentException("No file " + uri + ": check the path given to dims load");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + uri + ": " + e.getMessage(), e);
    }
    return isJsonLines(location, text) ? jsonLines(text) : csv(text);
  }

  static boolean isJsonLines(String location, List<String> text) {
    String name = location.toLowerCase(Locale.ROOT);
    if (name.endsWith(".csv")) {
      return false;
    }
    if (name.endsWith(".json") || name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
      return true;
    }
    return text.stream().filter(l -> !l.isBlank()).findFirst().orElse("").strip().startsWith("{");
  }

  static Contents jsonLines(List<String> text) {
    List<String> columns = new ArrayList<>();
    List<Line> lines = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    for (int i = 0; i < text.size(); i++) {
      if (text.get(i).isBlank()) {
        continue;
      }
      long number = i + 1;
      try {
        JsonNode node = JSON.readTree(text.get(i));
        if (node == null || !node.isObject()) {
          errors.add("line " + number + ": not a JSON object");
          continue;
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> field = it.next();
          JsonNode value = field.getValue();
          if (value.isContainerNode()) {
            errors.add("line " + number + ": " + field.getKey() + " is not a plain value");
          }
          fields.put(field.getKey(), value.isNull() ? null : value.asText());
          if (!columns.contains(field.getKey())) {
            columns.add(field.getKey());
          }
        }
        lines.add(new Line(number, fields));
      } catch (JsonProcessingException e) {
        errors.add("line " + number + ": not JSON (" + e.getOriginalMessage() + ")");
      }
    }
    return new Contents(columns, lines, errors);
  }

  static Contents csv(List<String> text) {
    List<String> errors = new ArrayList<>();
    int header = 0;
    while (header < text.size() && text.get(header).isBlank()) {
      header++;
    }
    if (header == text.size()) {
      return new Contents(List.of(), List.of(), List.of("the file is empty: no header line"));
    }
    List<String> columns;
    try {
      columns = fields(text.get(header)).stream().map(String::strip).toList();
    } catch (IllegalArgumentException e) {
      return new Contents(
          List.of(), List.of(), List.of("line " + (header + 1) + ": " + e.getMessage()));
    }
    List<Line> lines = new ArrayList<>();
    for (int i = header + 1; i < text.size(); i++) {
      if (text.get(i).isBlank()) {
        continue;
      }
      long number = i + 1;
      try {
        List<String> values = fields(text.get(i));
        if (values.size() != columns.size()) {
          errors.add(
              "line "
                  + number
                  + ": "
                  + values.size()
                  + " fields where the header names "
                  + columns.size());
          continue;
        }
        Map<String, String> row = new LinkedHashMap<>();
        for (int c = 0; c < columns.size(); c++) {
          row.put(columns.get(c), values.get(c));
        }
        lines.add(new Line(number, row));
      } catch (IllegalArgumentException e) {
        errors.add("line " + number + ": " + e.getMessage());
      }
    }
    return new Contents(columns, lines, errors);
  }

  /** RFC 4180 fields of one line: quoted fields may hold commas and doubled quotes. */
  static List<String> fields(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char ch = line.charAt(i);
      if (quoted) {
        if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          field.append('"');
          i++;
        } else if (ch == '"') {
          quoted = false;
        } else {
          field.append(ch);
        }
      } else if (ch == '"' && field.toString().isBlank()) {
        field.setLength(0);
        quoted = true;
      } else if (ch == ',') {
        out.add(field.toString());
        field.setLength(0);
      } else {
        field.append(ch);
      }
    }
    if (quoted) {
      throw new IllegalArgumentException("a quoted field is not closed (quotes span no lines)");
    }
    out.add(field.toString());
    return out;
  }
}
