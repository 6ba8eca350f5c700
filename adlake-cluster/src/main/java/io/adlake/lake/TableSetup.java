package io.adlake.lake;

import io.adlake.config.AdlakeConfig.CatalogSettings;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.iceberg.Table;
import org.apache.iceberg.spark.Spark3Util;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.NoSuchTableException;
import org.apache.spark.sql.catalyst.parser.ParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a table in line with its {@link TableSpec} on job start: creates namespace and table if
 * missing, sets the identifier fields, and adds columns the spec declares but the table lacks (new
 * columns are nullable, so old rows read NULL and no writer or reader needs a restart).
 */
public final class TableSetup {
  private static final Logger LOG = LoggerFactory.getLogger(TableSetup.class);

  private TableSetup() {}

  /**
   * @return the qualified name of the table, ready for SQL
   */
  public static String ensure(SparkSession spark, CatalogSettings catalog, TableSpec spec) {
    String qualified = catalog.qualified(spec.name());
    spark.sql("CREATE NAMESPACE IF NOT EXISTS " + catalog.name() + "." + catalog.namespace());
    spark.sql(spec.createTableSql(qualified));
    Table table = load(spark, qualified);
    addMissingColumns(spark, qualified, spec, table);
    if (!spec.key().isEmpty()
        && !new HashSet<>(table.schema().identifierFieldNames())
            .equals(new HashSet<>(spec.key()))) {
      spark.sql(
          "ALTER TABLE " + qualified + " SET IDENTIFIER FIELDS " + String.join(", ", spec.key()));
    }
    return qualified;
  }

  private static void addMissingColumns(
      SparkSession spark, String qualified, TableSpec spec, Table table) {
    Set<String> existing = new HashSet<>();
    table.schema().columns().forEach(f -> existing.add(f.name()));
    List<String> added = new ArrayList<>();
    for (TableSpec.ColumnSpec column : spec.columns()) {
      if (!existing.contains(column.name())) {
        spark.sql(
            "ALTER TABLE "
                + qualified
                + " ADD COLUMN "
                + column.name()
                + " "
                + column.type()
                + " COMMENT "
                + TableSpec.quote(column.comment()));
        added.add(column.name());
      }
    }
    if (!added.isEmpty()) {
      LOG.info(
          "Schema evolution: added column(s) {} to {}; existing rows read NULL", added, qualified);
    }
  }

  /**
   * Sets table properties the running job depends on when an existing table has other values, and
   * says so: {@code why} tells the operator what made them necessary.
   */
  public static void requireProperties(
      SparkSession spark, String qualified, Map<String, String> required, String why) {
    Map<String, String> current = load(spark, qualified).properties();
    Map<String, String> differing = new TreeMap<>();
    required.forEach(
        (k, v) -> {
          if (!v.equals(current.get(k))) {
            differing.put(k, v);
          }
        });
    if (differing.isEmpty()) {
      return;
    }
    String assignments =
        differing.entrySet().stream()
            .map(e -> TableSpec.quote(e.getKey()) + " = " + TableSpec.quote(e.getValue()))
            .collect(Collectors.joining(", "));
    spark.sql("ALTER TABLE " + qualified + " SET TBLPROPERTIES (" + assignments + ")");
    LOG.warn("Set {} on {} because {}", differing, qualified, why);
  }

  /** The tables in the configured namespace, by name (unqualified), sorted. */
  public static List<String> tablesIn(SparkSession spark, CatalogSettings catalog) {
    List<String> names = new ArrayList<>();
    for (Row row :
        spark.sql("SHOW TABLES IN " + catalog.name() + "." + catalog.namespace()).collectAsList()) {
      names.add(row.getString(1));
    }
    names.sort(String::compareTo);
    return names;
  }

  /** The Iceberg table behind a qualified name, freshly loaded. */
  public static Table load(SparkSession spark, String qualified) {
    try {
      Table table = Spark3Util.loadIcebergTable(spark, qualified);
      table.refresh();
      return table;
    } catch (ParseException e) {
      throw new IllegalArgumentException("Not a valid table name: " + qualified, e);
    } catch (NoSuchTableException e) {
      throw new IllegalStateException(
          "Table "
              + qualified
              + " does not exist. Start the job that owns it "
              + "(it creates its tables on start) or check adlake.catalog.*",
          e);
    }
  }
}
