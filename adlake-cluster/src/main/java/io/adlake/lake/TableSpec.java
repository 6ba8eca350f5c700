package io.adlake.lake;

import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.col;

import io.adlake.config.ConfigLoader;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.iceberg.relocated.com.google.common.base.Preconditions;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Everything about one Iceberg table in one place: schema, partitioning, key, properties, and the
 * columns a MERGE may bound to prune files. DDL, MERGE and tests derive from it.
 *
 * @param timeColumn the event-time column: a MERGE bounds it to the batch's [min, max] in its ON
 *     clause
 * @param groupColumn a low-cardinality partition column a MERGE restricts to the batch's values
 * @param eventTimeColumn the column holding the event time of each row, whose newest value tells
 *     how fresh the table is ({@code status}); empty for tables of records without one (quarantine,
 *     accounting)
 */
public record TableSpec(
    String name,
    String comment,
    List<ColumnSpec> columns,
    List<String> partitioning,
    List<String> key,
    Map<String, String> properties,
    Optional<String> timeColumn,
    Optional<String> groupColumn,
    Optional<String> eventTimeColumn) {

  /** A table whose event-time column is the one its MERGE bounds, if any. */
  public TableSpec(
      String name,
      String comment,
      List<ColumnSpec> columns,
      List<String> partitioning,
      List<String> key,
      Map<String, String> properties,
      Optional<String> timeColumn,
      Optional<String> groupColumn) {
    this(
        name, comment, columns, partitioning, key, properties, timeColumn, groupColumn, timeColumn);
  }

  /** This table with {@code column} as its event-time column. */
  public TableSpec withEventTimeColumn(String column) {
    return new TableSpec(
        name,
        comment,
        columns,
        partitioning,
        key,
        properties,
        timeColumn,
        groupColumn,
        Optional.of(column));
  }

  public TableSpec {
    ConfigLoader.identifier(name, "table name");
    requireNonNull(comment, "comment");
    columns = List.copyOf(columns);
    partitioning = List.copyOf(partitioning);
    key = List.copyOf(key);
    properties = Map.copyOf(properties);
    List<String> names = columns.stream().map(ColumnSpec::name).toList();
    for (String k : key) {
      Preconditions.checkArgument(
          columns.stream().anyMatch(c -> c.name().equals(k) && c.required()),
          "Key column %s of %s must be a NOT NULL column",
          k,
          name);
    }
    timeColumn.ifPresent(
        c -> Preconditions.checkArgument(names.contains(c), "No column %s in %s", c, name));
    groupColumn.ifPresent(
        c -> Preconditions.checkArgument(names.contains(c), "No column %s in %s", c, name));
    eventTimeColumn.ifPresent(
        c -> Preconditions.checkArgument(names.contains(c), "No column %s in %s", c, name));
  }

  /** One column: Spark SQL type name, NOT NULL or not, and the comment stored in the catalog. */
  public record ColumnSpec(String name, String type, boolean required, String comment) {
    public ColumnSpec {
      ConfigLoader.identifier(name, "column name");
    }

    public static ColumnSpec required(String name, String type, String comment) {
      return new ColumnSpec(name, type, true, comment);
    }

    public static ColumnSpec optional(String name, String type, String comment) {
      return new ColumnSpec(name, type, false, comment);
    }

    StructField sparkField() {
      return new StructField(name, DataType.fromDDL(type), !required, Metadata.empty());
    }
  }

  public ColumnSpec column(String columnName) {
    return columns.stream()
        .filter(c -> c.name().equals(columnName))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("No column " + columnName + " in " + name));
  }

  public List<String> columnNames() {
    return columns.stream().map(ColumnSpec::name).toList();
  }

  /**
   * The table's columns of {@code rows}, in table order: how a transformation hands rows to the
   * table's writer, so that the column list is only declared here.
   */
  public Dataset<Row> selectFrom(Dataset<Row> rows) {
    return selectFrom(rows, Map.of());
  }

  /**
   * As {@link #selectFrom(Dataset)}, with the columns {@code computed} names computed by its
   * expressions.
   */
  public Dataset<Row> selectFrom(Dataset<Row> rows, Map<String, Column> computed) {
    List<String> unknown =
        computed.keySet().stream().filter(c -> !columnNames().contains(c)).sorted().toList();
    Preconditions.checkArgument(
        unknown.isEmpty(),
        "No columns %s in %s, whose columns are %s",
        unknown,
        name,
        columnNames());
    return rows.select(
        columns.stream()
            .map(
                c ->
                    computed.containsKey(c.name())
                        ? computed.get(c.name()).as(c.name())
                        : col(c.name()))
            .toArray(Column[]::new));
  }

  public StructType sparkSchema() {
    return new StructType(columns.stream().map(ColumnSpec::sparkField).toArray(StructField[]::new));
  }

  /** {@code CREATE TABLE IF NOT EXISTS} for this spec under the given qualified name. */
  public String createTableSql(String qualifiedName) {
    String cols =
        columns.stream()
            .map(
                c ->
                    "  "
                        + c.name()
                        + " "
                        + c.type()
                        + (c.required() ? " NOT NULL" : "")
                        + " COMMENT "
                        + quote(c.comment()))
            .collect(Collectors.joining(",\n"));
    String props =
        properties.entrySet().stream()
            .sorted(Map.Entry.comparingByKey())
            .map(e -> "  " + quote(e.getKey()) + " = " + quote(e.getValue()))
            .collect(Collectors.joining(",\n"));
    return "CREATE TABLE IF NOT EXISTS "
        + qualifiedName
        + " (\n"
        + cols
        + "\n) USING iceberg\n"
        + (partitioning.isEmpty()
            ? ""
            : "PARTITIONED BY (" + String.join(", ", partitioning) + ")\n")
        + "COMMENT "
        + quote(comment)
        + "\n"
        + "TBLPROPERTIES (\n"
        + props
        + "\n)";
  }

  static String quote(String text) {
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }
}
