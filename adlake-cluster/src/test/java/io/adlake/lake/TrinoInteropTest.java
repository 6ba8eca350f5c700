package io.adlake.lake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.adlake.ClusterModule;
import io.adlake.TestServices;
import io.adlake.config.AdlakeConfig;
import io.adlake.event.FunnelGenerator;
import io.adlake.job.Checkpoints;
import io.adlake.job.ProgressLog;
import io.adlake.job.StreamingJobs;
import io.adlake.lake.TableMaintenance.Report;
import io.adlake.testservers.IcebergRestCatalog;
import io.adlake.testservers.S3Proxy;
import io.adlake.testservers.TrinoServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Date;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.Table;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.TimestampType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * What analysts get from Trino (the engine of Athena engine v3): a real Trino server reads every
 * adlake table that the pipeline wrote through an Iceberg REST catalog into an S3 bucket, and gives
 * the same rows as Spark.
 *
 * <p>The small demo run fills every table (generator → broker → ingest, attribution, aggregation,
 * available-now); a second round, later in the same hour, corrects metrics rows already written,
 * which on merge-on-read tables leaves position delete files. After {@code maintain} (which
 * compacts the closed day and leaves the open day's delete files), Spark and Trino must agree per
 * table on the row count, the sum of every numeric column, the distinct count of every string
 * column, min and max of every timestamp, and the rows per partition. Then each query under {@code
 * athena/} (the Trino / Athena dialect of the report SQL) must give on Trino exactly the rows its
 * Spark original gives on Spark.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrinoInteropTest {
  private static final String BUCKET = "adlake-trino";
  private static final String WAREHOUSE = "wh";
  private static final Path ATHENA_SQL = Path.of("athena");
  private static final Path SPARK_SQL = ClusterModule.path("src", "main", "resources", "sql");

  /** Report SQL groups that analysts run; merge.sql is the pipeline's own. */
  private static final List<String> REPORT_GROUPS =
      List.of("funnel", "metrics", "report", "conversions", "dims", "geo");

  /**
   * The Glue database (= namespace) the Athena files name; the test's own namespace replaces it.
   */
  private static final String ATHENA_DATABASE_NAME = "adlake";

  private static final Pattern ATHENA_DATABASE =
      Pattern.compile("\\b" + ATHENA_DATABASE_NAME + "\\.(?=[a-z_][a-z0-9_]*\\b)");

  /** Doubles summed in another order differ in the last bits. */
  private static final double RELATIVE_TOLERANCE = 1e-9;

  private static S3Proxy s3;
  private static IcebergRestCatalog catalog;
  private static TrinoServer trino;
  private static Connection trinoConnection;
  private static SparkSession spark;
  private static AdlakeConfig config;

  @BeforeAll
  static void fillEveryTableThroughTheRestCatalogWhileTrinoStarts() throws Exception {
    TrinoServer.javaHome(); // fails at once, naming what to install, on a machine without Java 24+
    long start = System.nanoTime();
    Path servers = TestServices.root().resolve("trino_servers");
    s3 = S3Proxy.start(servers.resolve("s3"), BUCKET);
    catalog =
        IcebergRestCatalog.start(
            servers.resolve("catalog"), s3, "s3://" + BUCKET + "/" + WAREHOUSE);
    CompletableFuture<TrinoServer> starting =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return TrinoServer.start(servers.resolve("trino"), trinoCatalog());
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    try {
      spark = TestServices.spark();
      config = TestServices.smallDemo("trino", overrides());
      // The demo's events end at 00:25; these follow in the same hour, so the metrics MERGEs
      // correct rows of
      // open windows, which merge-on-read writes as position delete files.
      TestServices.generateToBroker(
          config, FunnelGenerator.Run.count(300, 0.5, Instant.parse("2026-11-21T00:25:00Z")));
      StreamingJobs.runAll(
          spark,
          config,
          List.of(StreamingJobs.INGEST, StreamingJobs.AGGREGATE),
          Trigger.AvailableNow(),
          new ProgressLog(System.out));
      trino = starting.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    } finally {
      if (trino == null) {
        starting.thenAccept(TrinoServer::close);
      }
    }
    trinoConnection = trino.connect();
    System.out.printf(
        "TrinoInteropTest: servers, pipeline and Trino ready in %d s%n",
        (System.nanoTime() - start) / 1_000_000_000);
  }

  /** The pipeline's settings for a REST catalog on S3, as an operator would write them. */
  private static String[] overrides() {
    List<String> o = new ArrayList<>(catalog.adlakeSettings("trino_lake"));
    // The test's closed day has a handful of files per partition: compact them.
    o.add("adlake.maintenance.min-input-files=2");
    // As conf/docker.conf: the metrics queries' Iceberg streaming source writes its initial offset
    // into the
    // (local) checkpoint through the table's FileIO, which S3FileIO alone refuses.
    o.add("adlake.catalog.properties.\"io-impl\"=org.apache.iceberg.io.ResolvingFileIO");
    // remove_orphan_files lists the table directory with Hadoop; s3:// is S3A here, as EMRFS is on
    // AWS.
    o.add("adlake.spark.extra.\"spark.hadoop.fs.s3.impl\"=org.apache.hadoop.fs.s3a.S3AFileSystem");
    return o.toArray(String[]::new);
  }

  /**
   * Trino's Iceberg catalog on the same REST catalog and bucket, with Trino's native S3 file
   * system.
   */
  private static Map<String, String> trinoCatalog() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("iceberg.catalog.type", "rest");
    p.put("iceberg.rest-catalog.uri", catalog.uri());
    p.put("fs.native-s3.enabled", "true");
    p.put("s3.endpoint", s3.endpoint());
    p.put("s3.path-style-access", "true");
    p.put("s3.region", S3Proxy.REGION);
    p.put("s3.aws-access-key", S3Proxy.ACCESS_KEY);
    p.put("s3.aws-secret-key", S3Proxy.SECRET_KEY);
    return p;
  }

  @AfterAll
  static void stopServers() throws SQLException {
    if (trinoConnection != null) {
      trinoConnection.close();
    }
    Optional.ofNullable(trino).ifPresent(TrinoServer::close);
    Optional.ofNullable(catalog).ifPresent(IcebergRestCatalog::close);
    Optional.ofNullable(s3).ifPresent(S3Proxy::close);
  }

  @Test
  @Order(1)
  void trinoListsEveryTableThePipelineCreated() throws SQLException {
    Set<String> inSpark = sparkTables();
    Set<String> inTrino = new TreeSet<>();
    trinoRows("SHOW TABLES FROM " + TrinoServer.CATALOG + "." + namespace())
        .forEach(r -> inTrino.add((String) r.get(0)));
    assertEquals(inSpark, inTrino, "tables in Trino vs in Spark");
    assertTrue(
        inSpark.containsAll(
            List.of(
                AdlakeTables.BID_REQUESTS,
                AdlakeTables.BID_RESPONSES,
                AdlakeTables.IMPRESSIONS,
                AdlakeTables.CLICKS,
                AdlakeTables.BID_REQUESTS_ENRICHED,
                AdlakeTables.QUARANTINE,
                AdlakeTables.INGEST_METRICS,
                config.attribution().table(),
                AdlakeTables.HOURLY_IMPRESSIONS_BY_GEO,
                AdlakeTables.ROLLING_METRICS_BY_BIDDER,
                AdlakeTables.CAMPAIGN_METRICS_5M,
                AdlakeTables.HOURLY_FUNNEL_BY_PUBLISHER,
                AdlakeTables.FUNNEL_EVENTS,
                AdlakeTables.LATE_EVENTS,
                AdlakeTables.CONVERSIONS,
                AdlakeTables.ATTRIBUTED_CONVERSIONS,
                AdlakeTables.CONVERSION_JOURNEYS,
                AdlakeTables.ATTRIBUTION_CREDITS,
                AdlakeTables.CAMPAIGNS,
                AdlakeTables.ADVERTISERS,
                AdlakeTables.CURRENCY_RATES)),
        "every adlake table: " + inSpark);
  }

  /**
   * One comparison covers both states the analysts meet: {@code maintain} compacts the closed day,
   * and the merge-on-read tables keep the delete files of their open day (compaction leaves open
   * partitions alone).
   */
  @Test
  @Order(2)
  void afterMaintenanceEveryTableWithItsDeleteFilesReadsTheSameInTrino() throws SQLException {
    TableMaintenance maintenance =
        new TableMaintenance(
            spark, config.catalog(), config.maintenance(), Checkpoints.root(config));
    List<Report> reports = new ArrayList<>();
    for (String table : sparkTables()) {
      reports.add(maintenance.maintain(table, Instant.now()));
    }
    reports.forEach(
        r ->
            System.out.printf(
                "TrinoInteropTest: maintain %s: data files %d -> %d, delete files %d -> %d%n",
                r.table(),
                r.before().dataFiles(),
                r.after().dataFiles(),
                r.before().deleteFiles(),
                r.after().deleteFiles()));
    assertTrue(
        reports.stream().anyMatch(r -> r.rewrittenDataFiles() > 0),
        "maintain compacted nothing: " + reports);

    Map<String, Long> deletes = deleteFiles();
    long mergeOnReadWithDeletes =
        deletes.entrySet().stream()
            .filter(
                e ->
                    e.getValue() > 0
                        && "merge-on-read".equals(properties(e.getKey()).get("write.merge.mode")))
            .count();
    assertTrue(mergeOnReadWithDeletes > 0, "no merge-on-read table has delete files: " + deletes);
    compareEveryTable("after maintain, with the open day's delete files", deletes);
  }

  @Test
  @Order(3)
  void everyAthenaQueryIsItsSparkQueryWithTheGlueTableNames() throws IOException {
    assertEquals(
        sqlFiles(SPARK_SQL),
        sqlFiles(ATHENA_SQL),
        "the report SQL under " + SPARK_SQL + " vs its Athena / Trino copy under " + ATHENA_SQL);
    assertEquals(
        23,
        sqlFiles(ATHENA_SQL).size(),
        "report queries (6 funnel, 3 metrics, 6 report, 4 conversions, 2 dims, 2 geo)");
    Map<String, String> glueNames = new LinkedHashMap<>();
    reportTables()
        .forEach(
            (placeholder, table) -> glueNames.put(placeholder, ATHENA_DATABASE_NAME + "." + table));
    for (String file : sqlFiles(ATHENA_SQL)) {
      // The report SQL is written in what Spark SQL and Trino share, so one text serves both
      // engines.
      assertEquals(
          folded(SqlTemplate.render("sql/" + file, glueNames)),
          folded(athenaFile(file)),
          ATHENA_SQL.resolve(file)
              + " differs from the Spark query it copies: copy "
              + SPARK_SQL.resolve(file)
              + " again, with adlake.<table> for each ${placeholder}");
    }
  }

  @Test
  @Order(4)
  void theAthenaQueriesGiveOnTrinoTheRowsTheSparkQueriesGiveOnSpark()
      throws IOException, SQLException {
    Map<String, String> sparkTables = new LinkedHashMap<>();
    reportTables()
        .forEach(
            (placeholder, table) ->
                sparkTables.put(placeholder, config.catalog().qualified(table)));
    List<String> failures = new ArrayList<>();
    for (String file : sqlFiles(ATHENA_SQL)) {
      Result inSpark = sparkResult(SqlTemplate.render("sql/" + file, sparkTables));
      Result inTrino = trinoResult(athenaSql(file));
      System.out.printf(
          "TrinoInteropTest: %-40s %d rows in Spark, %d in Trino%n",
          file, inSpark.rows().size(), inTrino.rows().size());
      if (!inSpark.columns().equals(inTrino.columns())) {
        failures.add(
            file
                + ": columns "
                + inSpark.columns()
                + " in Spark, "
                + inTrino.columns()
                + " in Trino");
      } else if (!sameRows(inSpark.rows(), inTrino.rows())) {
        failures.add(file + ":\n  Spark: " + inSpark.rows() + "\n  Trino: " + inTrino.rows());
      }
      // Nothing is late in an available-now run of ordered events, and the demo's dims know every
      // campaign.
      if (!List.of("metrics/late_events.sql", "dims/2_unknown_campaigns.sql").contains(file)) {
        assertFalse(
            inSpark.rows().isEmpty(),
            file + " gives no rows on Spark: the comparison would prove nothing");
      }
    }
    assertTrue(
        failures.isEmpty(), failures.size() + " queries differ:\n" + String.join("\n", failures));
  }

  /**
   * Per table: counts, aggregates and rows per partition, Spark vs Trino; prints the row counts of
   * both.
   */
  private static void compareEveryTable(String when, Map<String, Long> deleteFiles)
      throws SQLException {
    List<String> failures = new ArrayList<>();
    System.out.printf(
        "TrinoInteropTest: %s%n  %-28s %12s %12s %12s%n",
        when, "table", "Spark rows", "Trino rows", "delete files");
    for (String table : sparkTables()) {
      Fingerprint fingerprint = Fingerprint.of(spark, config.catalog().qualified(table));
      List<Object> inSpark =
          normalized(spark.sql(fingerprint.sql(config.catalog().qualified(table))).first());
      List<List<Object>> trinoRows = trinoRows(fingerprint.sql(trinoTable(table)));
      List<Object> inTrino = trinoRows.get(0);
      System.out.printf(
          "  %-28s %,12d %,12d %,12d%n",
          table, (Long) inSpark.get(0), (Long) inTrino.get(0), deleteFiles.getOrDefault(table, 0L));
      for (int i = 0; i < fingerprint.expressions().size(); i++) {
        if (!sameValue(inSpark.get(i), inTrino.get(i))) {
          failures.add(
              table
                  + " "
                  + fingerprint.expressions().get(i)
                  + ": Spark "
                  + inSpark.get(i)
                  + ", Trino "
                  + inTrino.get(i));
        }
      }
      if (!fingerprint.partitionExpressions().isEmpty()) {
        List<List<Object>> sparkPartitions =
            sorted(
                spark
                    .sql(fingerprint.partitionSql(config.catalog().qualified(table)))
                    .collectAsList()
                    .stream()
                    .map(TrinoInteropTest::normalized)
                    .toList());
        List<List<Object>> trinoPartitions =
            sorted(trinoRows(fingerprint.partitionSql(trinoTable(table))));
        if (!sameRows(sparkPartitions, trinoPartitions)) {
          failures.add(
              table
                  + " rows per partition: Spark "
                  + sparkPartitions
                  + ", Trino "
                  + trinoPartitions);
        }
      }
    }
    assertTrue(
        failures.isEmpty(),
        when
            + ": "
            + failures.size()
            + " differences between Spark and Trino:\n"
            + String.join("\n", failures));
  }

  /**
   * The aggregates compared for one table, derived from its Spark schema and Iceberg partition
   * spec; one SQL text that both engines run.
   */
  record Fingerprint(List<String> expressions, List<String> partitionExpressions) {
    static Fingerprint of(SparkSession spark, String qualified) {
      List<String> expressions = new ArrayList<>(List.of("count(*)"));
      for (StructField field : spark.table(qualified).schema().fields()) {
        String c = field.name();
        if (field.dataType() instanceof LongType
            || field.dataType() instanceof IntegerType
            || field.dataType() instanceof DoubleType) {
          expressions.add("sum(" + c + ")");
        } else if (field.dataType() instanceof StringType) {
          expressions.add("count(DISTINCT " + c + ")");
        } else if (field.dataType() instanceof TimestampType) {
          expressions.add("min(" + c + ")");
          expressions.add("max(" + c + ")");
        } else if (field.dataType() instanceof BooleanType) {
          expressions.add("count_if(" + c + ")");
        } else if (field.dataType() instanceof MapType) {
          expressions.add(
              "sum(CASE WHEN " + c + " IS NULL THEN 0 ELSE cardinality(" + c + ") END)");
        } else {
          expressions.add("count(" + c + ")");
        }
      }
      Table table = TableSetup.load(spark, qualified);
      List<String> partitions = new ArrayList<>();
      for (PartitionField field : table.spec().fields()) {
        String column = table.schema().findColumnName(field.sourceId());
        switch (field.transform().toString()) {
          case "identity" -> partitions.add(column);
          case "day" -> partitions.add("CAST(" + column + " AS DATE)");
          case "hour" -> partitions.add("date_trunc('hour', " + column + ")");
          default -> {} // bucket and truncate: no function both engines share; the other fields
            // still group
        }
      }
      return new Fingerprint(expressions, partitions);
    }

    String sql(String table) {
      return "SELECT " + String.join(", ", expressions) + " FROM " + table;
    }

    /** Rows per partition; empty for an unpartitioned table. */
    String partitionSql(String table) {
      if (partitionExpressions.isEmpty()) {
        return "";
      }
      String keys = String.join(", ", partitionExpressions);
      return "SELECT " + keys + ", count(*) FROM " + table + " GROUP BY " + keys;
    }
  }

  /** Column names (lower case) and normalised rows of one query's result. */
  record Result(List<String> columns, List<List<Object>> rows) {}

  private static Result sparkResult(String sql) {
    Dataset<Row> result = spark.sql(sql);
    return new Result(
        Arrays.stream(result.columns()).map(c -> c.toLowerCase(Locale.ROOT)).toList(),
        result.collectAsList().stream().map(TrinoInteropTest::normalized).toList());
  }

  private static Result trinoResult(String sql) throws SQLException {
    try (Statement statement = trinoConnection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      ResultSetMetaData meta = rows.getMetaData();
      List<String> columns = new ArrayList<>();
      for (int i = 1; i <= meta.getColumnCount(); i++) {
        columns.add(meta.getColumnLabel(i).toLowerCase(Locale.ROOT));
      }
      return new Result(columns, read(rows));
    } catch (SQLException e) {
      throw new SQLException("Trino failed on:\n" + sql + "\n" + e.getMessage(), e);
    }
  }

  private static List<List<Object>> trinoRows(String sql) throws SQLException {
    return trinoResult(sql).rows();
  }

  private static List<List<Object>> read(ResultSet rows) throws SQLException {
    List<List<Object>> all = new ArrayList<>();
    int columns = rows.getMetaData().getColumnCount();
    while (rows.next()) {
      List<Object> row = new ArrayList<>();
      for (int i = 1; i <= columns; i++) {
        row.add(normalized(rows.getObject(i)));
      }
      all.add(row);
    }
    return all;
  }

  private static List<Object> normalized(Row row) {
    List<Object> values = new ArrayList<>();
    for (int i = 0; i < row.length(); i++) {
      values.add(normalized(row.get(i)));
    }
    return values;
  }

  /**
   * One representation per value, whichever engine and driver produced it: Long, Double, Instant,
   * LocalDate.
   */
  static Object normalized(Object value) {
    if (value == null) {
      return null;
    } else if (value instanceof Long
        || value instanceof Integer
        || value instanceof Short
        || value instanceof Byte) {
      return ((Number) value).longValue();
    } else if (value instanceof BigInteger b) {
      return b.longValueExact();
    } else if (value instanceof Double || value instanceof Float || value instanceof BigDecimal) {
      return ((Number) value).doubleValue();
    } else if (value instanceof Timestamp t) {
      return t.toInstant();
    } else if (value instanceof ZonedDateTime z) {
      return z.toInstant();
    } else if (value instanceof OffsetDateTime o) {
      return o.toInstant();
    } else if (value instanceof LocalDateTime l) {
      return l.toInstant(ZoneOffset.UTC);
    } else if (value instanceof Date d) {
      return d.toLocalDate();
    } else if (value instanceof Instant
        || value instanceof LocalDate
        || value instanceof String
        || value instanceof Boolean) {
      return value;
    }
    return value.toString();
  }

  static boolean sameRows(List<List<Object>> a, List<List<Object>> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      List<Object> x = a.get(i);
      List<Object> y = b.get(i);
      if (x.size() != y.size()) {
        return false;
      }
      for (int j = 0; j < x.size(); j++) {
        if (!sameValue(x.get(j), y.get(j))) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Equal, or both numbers equal within {@link #RELATIVE_TOLERANCE} when either is not a whole
   * number.
   */
  static boolean sameValue(Object a, Object b) {
    if (a instanceof Double || b instanceof Double) {
      if (!(a instanceof Number x) || !(b instanceof Number y)) {
        return false;
      }
      double d = x.doubleValue();
      double e = y.doubleValue();
      return Math.abs(d - e)
          <= RELATIVE_TOLERANCE * Math.max(1, Math.max(Math.abs(d), Math.abs(e)));
    }
    return Objects.equals(a, b);
  }

  private static List<List<Object>> sorted(List<List<Object>> rows) {
    List<List<Object>> copy = new ArrayList<>(rows);
    copy.sort(Comparator.comparing(Object::toString));
    return copy;
  }

  /** The Athena file with its tables in the test's namespace of Trino's catalog. */
  private static String athenaSql(String file) throws IOException {
    return ATHENA_DATABASE
        .matcher(athenaFile(file))
        .replaceAll(Matcher.quoteReplacement(TrinoServer.CATALOG + "." + namespace() + "."));
  }

  /** An Athena file without its comment lines. */
  private static String athenaFile(String file) throws IOException {
    return Files.readAllLines(ATHENA_SQL.resolve(file)).stream()
        .filter(line -> !line.stripLeading().startsWith("--"))
        .collect(Collectors.joining("\n"))
        .strip();
  }

  private static String folded(String sql) {
    return sql.replaceAll("\\s+", " ").strip();
  }

  /**
   * The table of each placeholder of the report SQL: the tables by their names, and the names the
   * ingest and attribution reports give theirs ({@code IngestReport}, {@code AttributionReport}).
   */
  private static Map<String, String> reportTables() {
    Map<String, String> tables = new LinkedHashMap<>();
    for (String table : sparkTables()) {
      tables.put(table, table);
    }
    tables.put("table", config.attribution().table());
    tables.put("metrics", AdlakeTables.INGEST_METRICS);
    return tables;
  }

  /** {@code group/name.sql} of every report query under {@code root}. */
  private static Set<String> sqlFiles(Path root) throws IOException {
    Set<String> files = new TreeSet<>();
    for (String group : REPORT_GROUPS) {
      Path dir = root.resolve(group);
      if (Files.isDirectory(dir)) {
        try (Stream<Path> sql = Files.list(dir)) {
          sql.filter(p -> p.toString().endsWith(".sql"))
              .forEach(p -> files.add(group + "/" + p.getFileName()));
        }
      }
    }
    return files;
  }

  private static Set<String> sparkTables() {
    return spark
        .sql("SHOW TABLES IN " + config.catalog().name() + "." + namespace())
        .collectAsList()
        .stream()
        .map(row -> row.getString(1))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /** Delete files of each table's current snapshot, from Iceberg's delete_files metadata table. */
  private static Map<String, Long> deleteFiles() {
    Map<String, Long> deletes = new TreeMap<>();
    for (String table : sparkTables()) {
      deletes.put(
          table,
          spark
              .sql("SELECT count(*) FROM " + config.catalog().qualified(table) + ".delete_files")
              .first()
              .getLong(0));
    }
    return deletes;
  }

  private static Map<String, String> properties(String table) {
    return TableSetup.load(spark, config.catalog().qualified(table)).properties();
  }

  private static String trinoTable(String table) {
    return TrinoServer.CATALOG + "." + namespace() + "." + table;
  }

  private static String namespace() {
    return config.catalog().namespace();
  }
}
