package io.adlake.lake;

import static java.util.Objects.requireNonNull;

import io.adlake.config.AdlakeConfig.CatalogSettings;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.iceberg.Snapshot;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validated upserts of reference data: every row of a file is checked before anything is written,
 * the changes are worked out against the table as it is, and they go in as one MERGE (one Iceberg
 * commit), so a load is all or nothing. Campaigns and advertisers replace the row with their key;
 * currency rates add to a history in which each new rate closes the interval of the one before.
 */
public final class DimensionLoad {
  private static final Logger LOG = LoggerFactory.getLogger(DimensionLoad.class);

  /** Where the seed rates of an empty currency_rates table start: before any event. */
  public static final Instant SEED_VALID_FROM = Instant.EPOCH;

  private final SparkSession spark;
  private final CatalogSettings catalog;

  public DimensionLoad(SparkSession spark, CatalogSettings catalog) {
    this.spark = requireNonNull(spark, "spark");
    this.catalog = requireNonNull(catalog, "catalog");
  }

  /** A key whose row changed, and how: {@code column: old -> new}. */
  public record Change(String key, List<String> differences) {}

  /** What a load did; {@code snapshotId} is empty when nothing changed (no commit). */
  public record Result(
      String table,
      int rowsRead,
      List<String> inserted,
      List<Change> changed,
      int unchanged,
      Optional<Long> snapshotId) {

    /** For people: one line of counts, then a line per new or changed key. */
    public String describe() {
      StringBuilder out =
          new StringBuilder(
              String.format(
                  "%s: %d rows read, %d new, %d changed, %d unchanged%s",
                  table,
                  rowsRead,
                  inserted.size(),
                  changed.size(),
                  unchanged,
                  snapshotId.map(id -> " (snapshot " + id + ")").orElse(" (nothing to commit)")));
      inserted.forEach(k -> out.append("\n  + ").append(k));
      changed.forEach(
          c -> out.append("\n  ~ ").append(c.key()).append(": ").append(c.differences()));
      return out.toString();
    }
  }

  /** Creates the dimension tables that are missing; seeds an empty currency_rates from conf. */
  public Map<Dimension, String> ensureTables(Map<String, Double> seedRates) {
    Map<Dimension, String> tables = new LinkedHashMap<>();
    for (Dimension d : Dimension.values()) {
      tables.put(d, TableSetup.ensure(spark, catalog, d.spec()));
    }
    String rates = tables.get(Dimension.CURRENCY_RATES);
    if (!seedRates.isEmpty() && isEmpty(rates)) {
      List<Map<String, Object>> rows = new ArrayList<>();
      new TreeMap<>(seedRates)
          .forEach(
              (currency, rate) ->
                  rows.add(
                      Map.of(
                          "currency",
                          currency,
                          "usd_per_unit",
                          rate,
                          "valid_from",
                          Timestamp.from(SEED_VALID_FROM))));
      try {
        Result seeded = apply(Dimension.CURRENCY_RATES, rows);
        LOG.info("Seeded {} from adlake.ingest.usd-rates: {}", rates, seeded.describe());
      } catch (RuntimeException e) {
        // Another job seeding at the same moment wins; its rows are the same conf's.
        if (isEmpty(rates)) {
          throw e;
        }
      }
    }
    return tables;
  }

  private boolean isEmpty(String qualified) {
    return TableSetup.load(spark, qualified).currentSnapshot() == null
        || spark.table(qualified).isEmpty();
  }

  /** Reads, validates and loads a file; nothing is written when any row is rejected. */
  public Result load(Dimension dimension, String location) {
    DimensionFile.Contents contents =
        DimensionFile.read(location, spark.sparkContext().hadoopConfiguration());
    return apply(dimension, DimensionRows.validate(dimension, contents, location));
  }

  /**
   * Reads and validates every file first, then loads them in order: when any row of any file is
   * rejected, nothing is written.
   *
   * @param files dimension → its file, loaded in this order
   */
  public List<Result> loadAll(Map<Dimension, String> files) {
    Map<Dimension, List<Map<String, Object>>> validated = new LinkedHashMap<>();
    files.forEach(
        (dimension, location) ->
            validated.put(
                dimension,
                DimensionRows.validate(
                    dimension,
                    DimensionFile.read(location, spark.sparkContext().hadoopConfiguration()),
                    location)));
    List<Result> results = new ArrayList<>();
    validated.forEach((dimension, rows) -> results.add(apply(dimension, rows)));
    return results;
  }

  /** Loads validated rows (column → typed value, as {@link DimensionRows} makes them). */
  public Result apply(Dimension dimension, List<Map<String, Object>> rows) {
    String table = TableSetup.ensure(spark, catalog, dimension.spec());
    Map<String, Map<String, Object>> current = new LinkedHashMap<>();
    for (Row row : spark.table(table).collectAsList()) {
      Map<String, Object> values = values(dimension.spec(), row);
      current.put(key(dimension, values), values);
    }
    List<Map<String, Object>> wanted = dimension.isHistory() ? history(current, rows) : rows;
    List<String> inserted = new ArrayList<>();
    List<Change> changed = new ArrayList<>();
    List<Row> writes = new ArrayList<>();
    Timestamp now = new Timestamp(System.currentTimeMillis());
    int unchanged = 0;
    for (Map<String, Object> row : wanted) {
      String key = key(dimension, row);
      Map<String, Object> before = current.get(key);
      List<String> differences = differences(dimension, before, row);
      if (before == null) {
        inserted.add(key);
      } else if (!differences.isEmpty()) {
        changed.add(new Change(key, differences));
      } else {
        unchanged++;
        continue;
      }
      Map<String, Object> write = new HashMap<>(row);
      write.put(AdlakeTables.UPDATED_AT, now);
      writes.add(
          RowFactory.create(
              dimension.spec().columnNames().stream().map(write::get).toArray(Object[]::new)));
    }
    Optional<Long> snapshot = Optional.empty();
    if (!writes.isEmpty()) {
      merge(dimension, table, writes);
      Snapshot committed = TableSetup.load(spark, table).currentSnapshot();
      snapshot = Optional.of(committed.snapshotId());
    }
    return new Result(dimension.tableName(), rows.size(), inserted, changed, unchanged, snapshot);
  }

  private void merge(Dimension dimension, String table, List<Row> rows) {
    String view = "adlake_dims_" + dimension.tableName();
    spark.createDataFrame(rows, dimension.spec().sparkSchema()).createOrReplaceTempView(view);
    try {
      String keyMatch =
          dimension.spec().key().stream()
              .map(k -> "t." + k + " = s." + k)
              .collect(Collectors.joining(" AND "));
      spark.sql(
          SqlTemplate.render(
              "sql/merge.sql",
              Map.of(
                  "target", table,
                  "batch", view,
                  "key_match", keyMatch,
                  "prune", "",
                  "replace_when", "true",
                  "update_set", "*",
                  "insert", "*")));
    } finally {
      spark.catalog().dropTempView(view);
    }
  }

  /**
   * The rate history of every currency the file names, with the file's rates added (a rate at an
   * existing valid_from replaces it) and each valid_to the next valid_from: the rows that must be
   * in the table afterwards for those currencies.
   */
  static List<Map<String, Object>> history(
      Map<String, Map<String, Object>> current, List<Map<String, Object>> rows) {
    Map<String, TreeMap<Timestamp, Double>> byCurrency = new TreeMap<>();
    for (Map<String, Object> row : rows) {
      byCurrency.computeIfAbsent((String) row.get("currency"), c -> new TreeMap<>());
    }
    for (Map<String, Object> row : current.values()) {
      TreeMap<Timestamp, Double> rates = byCurrency.get((String) row.get("currency"));
      if (rates != null) {
        rates.put((Timestamp) row.get("valid_from"), (Double) row.get("usd_per_unit"));
      }
    }
    for (Map<String, Object> row : rows) {
      byCurrency
          .get((String) row.get("currency"))
          .put((Timestamp) row.get("valid_from"), (Double) row.get("usd_per_unit"));
    }
    List<Map<String, Object>> out = new ArrayList<>();
    byCurrency.forEach(
        (currency, rates) ->
            rates.forEach(
                (from, rate) -> {
                  Map<String, Object> row = new HashMap<>();
                  row.put("currency", currency);
                  row.put("valid_from", from);
                  row.put("usd_per_unit", rate);
                  row.put("valid_to", rates.higherKey(from));
                  out.add(row);
                }));
    return out;
  }

  private static Map<String, Object> values(TableSpec spec, Row row) {
    Map<String, Object> values = new HashMap<>();
    for (String column : spec.columnNames()) {
      values.put(column, row.getAs(column));
    }
    return values;
  }

  static String key(Dimension dimension, Map<String, Object> row) {
    return dimension.spec().key().stream()
        .map(k -> k + "=" + text(row.get(k)))
        .collect(Collectors.joining(" "));
  }

  /** The columns a load keeps (all but updated_at) whose values differ, as {@code c: a -> b}. */
  private static List<String> differences(
      Dimension dimension, Map<String, Object> before, Map<String, Object> after) {
    List<String> out = new ArrayList<>();
    if (before == null) {
      return out;
    }
    for (String column : dimension.spec().columnNames()) {
      if (column.equals(AdlakeTables.UPDATED_AT)) {
        continue;
      }
      String a = text(before.get(column));
      String b = text(after.get(column));
      if (!Objects.equals(a, b)) {
        out.add(column + ": " + a + " -> " + b);
      }
    }
    return out;
  }

  /** Values as people read them and as they compare: timestamps as UTC instants. */
  static String text(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof Timestamp t) {
      return t.toInstant().toString();
    }
    if (value instanceof Date d) {
      return d.toLocalDate().toString();
    }
    if (value instanceof java.time.LocalDateTime || value instanceof java.time.LocalDate) {
      return value.toString();
    }
    return value.toString();
  }
}
