package io.adlake.notebooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adlake.TestServices;
import io.adlake.config.AdlakeConfig;
import io.adlake.job.ConversionReport;
import io.adlake.job.FunnelReport;
import io.adlake.job.MetricsReport;
import io.adlake.lake.AdlakeTables;
import io.adlake.lake.SqlTemplate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every SQL statement of the Jupyter notebooks under {@code notebooks/}, run against tables that a
 * small demo filled: generator → embedded broker → ingest, attribution, conversions and
 * aggregation, available-now. The notebooks keep their SQL in {@code %%sql} cells (the
 * spark-iceberg image's cell magic), one statement a cell, tables named {@code
 * adlake.adlake.<table>}; here that prefix becomes the test's catalog and namespace.
 */
class NotebookSqlTest {
  private static final Path NOTEBOOKS = Path.of("notebooks");

  /**
   * The %%sql cells of each notebook, counted by hand: an extractor that misses cells, or a
   * notebook that loses some, fails here instead of passing on fewer statements.
   */
  private static final Map<String, Integer> STATEMENTS =
      new TreeMap<>(
          Map.of(
              "01_tables_overview.ipynb", 23,
              "02_attribution.ipynb", 10,
              "03_funnel.ipynb", 17,
              "04_time_travel.ipynb", 10,
              "05_table_health.ipynb", 9,
              "06_conversions.ipynb", 7));

  /**
   * The magic shows 100 rows by default; nothing here needs more than the first rows of a result.
   */
  private static final int ROW_LIMIT = 200;

  private static final Pattern NOTEBOOK_NAMESPACE = Pattern.compile("\\badlake\\.adlake\\b");

  /**
   * Spark SQL substitutes {@code ${nb.VAR.column}} from the session conf: see {@link #remember}.
   */
  private static final Pattern REMEMBERED = Pattern.compile("\\$\\{nb\\.([A-Za-z_]+)\\.");

  private static final ObjectMapper JSON = new ObjectMapper();

  private static SparkSession spark;
  private static AdlakeConfig config;
  private static List<SqlCell> cells;
  private static final Map<String, List<Row>> RESULTS = new ConcurrentHashMap<>();
  private static final List<String> FAILURES = Collections.synchronizedList(new ArrayList<>());
  private static final Set<String> REMEMBERED_KEYS = ConcurrentHashMap.newKeySet();

  /** One %%sql cell: where it stands, the magic's {@code --var}, and its statement. */
  record SqlCell(String notebook, int index, String id, Optional<String> var, String statement) {
    String where() {
      return notebook + " cell " + index + " (id " + id + ")";
    }
  }

  @BeforeAll
  static void fillTheTablesAndRunEveryStatement() throws Exception {
    cells = extractAll();
    spark = TestServices.spark();
    long demoStart = System.nanoTime();
    config = TestServices.smallDemo("notebooks");
    long demoMillis = (System.nanoTime() - demoStart) / 1_000_000;
    Set<String> remembered =
        cells.stream()
            .flatMap(cell -> REMEMBERED.matcher(cell.statement()).results().map(m -> m.group(1)))
            .collect(Collectors.toSet());
    String namespace =
        Matcher.quoteReplacement(config.catalog().name() + "." + config.catalog().namespace());
    Map<String, List<SqlCell>> byNotebook =
        cells.stream()
            .collect(Collectors.groupingBy(SqlCell::notebook, TreeMap::new, Collectors.toList()));
    Map<String, Long> millis = new ConcurrentHashMap<>();
    long start = System.nanoTime();
    // Notebooks side by side, each in its own order (a cell may read what an earlier --var cell
    // remembered):
    // most of a metadata-table query is driver-side planning, which overlaps well even on two
    // cores.
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (List<SqlCell> notebook : byNotebook.values()) {
        runs.add(
            pool.submit(
                () ->
                    notebook.forEach(
                        cell -> {
                          long cellStart = System.nanoTime();
                          run(
                              cell,
                              NOTEBOOK_NAMESPACE.matcher(cell.statement()).replaceAll(namespace),
                              remembered);
                          millis.put(cell.where(), (System.nanoTime() - cellStart) / 1_000_000);
                        })));
      }
      for (Future<?> run : runs) {
        run.get();
      }
    } finally {
      pool.shutdown();
    }
    System.out.printf(
        "NotebookSqlTest: demo run %d ms; %d statements in %d ms; slowest: %s%n",
        demoMillis,
        cells.size(),
        (System.nanoTime() - start) / 1_000_000,
        millis.entrySet().stream()
            .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
            .limit(5)
            .map(e -> e.getKey() + " " + e.getValue() + " ms")
            .toList());
  }

  private static void run(SqlCell cell, String sql, Set<String> remembered) {
    try {
      List<Row> rows = spark.sql(sql).limit(ROW_LIMIT).collectAsList();
      cell.var()
          .ifPresent(
              var -> {
                RESULTS.put(var, rows);
                if (remembered.contains(var)) {
                  remember(var, rows);
                }
              });
    } catch (Exception e) {
      FAILURES.add(cell.where() + ": " + firstLine(e) + "\n" + sql);
    }
  }

  @AfterAll
  static void forgetRememberedValues() {
    REMEMBERED_KEYS.forEach(key -> spark.conf().unset(key));
  }

  @Test
  void everyStatementOfEveryNotebookRuns() {
    assertTrue(
        FAILURES.isEmpty(),
        FAILURES.size()
            + " of "
            + cells.size()
            + " notebook statements failed:\n\n"
            + String.join("\n\n", FAILURES));
  }

  @Test
  void everyNotebookHasItsKnownNumberOfStatements() {
    Map<String, Integer> found = new TreeMap<>();
    for (String notebook : STATEMENTS.keySet()) {
      found.put(notebook, 0);
    }
    cells.forEach(cell -> found.merge(cell.notebook(), 1, Integer::sum));
    assertEquals(
        STATEMENTS,
        found,
        "%%sql cells per notebook (update STATEMENTS when you add or remove cells)");
    assertEquals(76, cells.size(), "statements in all notebooks");
    found.forEach((notebook, count) -> assertTrue(count > 0, notebook + " has no %%sql cell"));
  }

  @Test
  void notebooksAreNbformat4WithNoStoredOutputsAndSqlOnlyInSqlCells() throws IOException {
    for (Path path : notebookFiles()) {
      JsonNode notebook = JSON.readTree(path.toFile());
      assertEquals(4, notebook.path("nbformat").asInt(), path + ": nbformat");
      assertEquals(
          "python3",
          notebook.path("metadata").path("kernelspec").path("name").asText(),
          path + ": kernel");
      JsonNode all = notebook.path("cells");
      for (int i = 0; i < all.size(); i++) {
        JsonNode cell = all.get(i);
        if (!cell.path("cell_type").asText().equals("code")) {
          continue;
        }
        String where = path.getFileName() + " cell " + i;
        assertEquals(0, cell.path("outputs").size(), where + " stores outputs");
        assertTrue(cell.path("execution_count").isNull(), where + " stores an execution count");
        String source = source(cell);
        if (!source.startsWith("%%sql")) {
          // The extractor reads %%sql cells only: SQL anywhere else would go untested.
          assertFalse(
              source.contains("spark.sql(")
                  || source.lines().anyMatch(l -> l.strip().startsWith("%sql")),
              where + " runs SQL outside a %%sql cell:\n" + source);
        }
      }
    }
  }

  @Test
  void theOverviewCountsEveryTableTheJobsCreated() {
    List<Row> counts = result("row_counts");
    Set<String> overview =
        counts.stream().map(row -> row.<String>getAs("table_name")).collect(Collectors.toSet());
    Set<String> created =
        spark
            .sql("SHOW TABLES IN " + config.catalog().name() + "." + config.catalog().namespace())
            .collectAsList()
            .stream()
            .map(row -> row.<String>getAs("tableName"))
            .collect(Collectors.toSet());
    assertEquals(
        new TreeSet<>(created),
        new TreeSet<>(overview),
        "tables in the overview vs tables created");
    for (Row row : counts) {
      String table = row.getAs("table_name");
      if (!table.equals(
          "late_events")) { // nothing is late in an available-now run of ordered events
        assertTrue(
            row.<Long>getAs("row_count") > 0, table + " is empty after the demo run: " + counts);
      }
    }
  }

  @Test
  void theAttributionHistogramCoversEveryAttributedClick() {
    long histogram =
        result("engagement").stream().mapToLong(row -> row.<Long>getAs("clicks")).sum();
    long attributed = spark.table(config.catalog().qualified(config.attribution().table())).count();
    assertTrue(attributed > 0, "the demo run attributed clicks");
    assertEquals(attributed, histogram);
  }

  @Test
  void theFunnelNotebookRunsTheReportsOwnSql() {
    Map<String, String> tables = new HashMap<>();
    for (String table :
        List.of(
            AdlakeTables.BID_REQUESTS,
            AdlakeTables.BID_RESPONSES,
            AdlakeTables.IMPRESSIONS,
            AdlakeTables.CLICKS,
            AdlakeTables.HOURLY_FUNNEL_BY_PUBLISHER,
            AdlakeTables.HOURLY_IMPRESSIONS_BY_GEO,
            AdlakeTables.LATE_EVENTS)) {
      tables.put(table, "adlake.adlake." + table);
    }
    Set<String> notebookSql =
        cells.stream()
            .filter(cell -> cell.notebook().equals("03_funnel.ipynb"))
            .map(cell -> normalized(cell.statement()))
            .collect(Collectors.toSet());
    for (Map.Entry<String, String> query :
        Stream.concat(FunnelReport.QUERIES.stream(), MetricsReport.QUERIES.stream()).toList()) {
      assertTrue(
          notebookSql.contains(normalized(SqlTemplate.render(query.getValue(), tables))),
          "03_funnel.ipynb has no cell with the SQL of "
              + query.getValue()
              + " ("
              + query.getKey()
              + "): copy the file into the notebook again");
    }
    Row funnel = result("full_funnel").get(0);
    assertTrue(
        funnel.<Long>getAs("bid_requests") > 0 && funnel.<Long>getAs("clicks") > 0,
        "full funnel: " + funnel);
  }

  @Test
  void theConversionsNotebookRunsTheReportsOwnSqlAndEachModelSharesEveryConversionOnce() {
    Map<String, String> tables = new HashMap<>();
    for (String table :
        List.of(
            AdlakeTables.ATTRIBUTED_CONVERSIONS,
            AdlakeTables.ATTRIBUTION_CREDITS,
            AdlakeTables.CAMPAIGN_METRICS_5M)) {
      tables.put(table, "adlake.adlake." + table);
    }
    Set<String> notebookSql =
        cells.stream()
            .filter(cell -> cell.notebook().equals("06_conversions.ipynb"))
            .map(cell -> normalized(cell.statement()))
            .collect(Collectors.toSet());
    for (Map.Entry<String, String> query : ConversionReport.QUERIES) {
      assertTrue(
          notebookSql.contains(normalized(SqlTemplate.render(query.getValue(), tables))),
          "06_conversions.ipynb has no cell with the SQL of "
              + query.getValue()
              + ": copy the file into the notebook again");
    }
    long attributed =
        spark
            .table(config.catalog().qualified(AdlakeTables.ATTRIBUTED_CONVERSIONS))
            .filter("attribution <> 'unattributed'")
            .count();
    assertTrue(attributed > 0, "the demo run attributed conversions");
    List<Row> models = result("credit_check");
    assertEquals(5, models.size(), "five models: " + models);
    for (Row model : models) {
      assertEquals(attributed, model.<Long>getAs("conversions"), model.toString());
      assertEquals((double) attributed, model.<Double>getAs("credit"), 1e-6, model.toString());
    }
  }

  @Test
  void timeTravelReadsTheFirstSnapshotByIdAndByTime() {
    List<Row> versions = result("versions");
    assertEquals(3, versions.size(), "now, VERSION AS OF, TIMESTAMP AS OF: " + versions);
    long now = versions.get(0).getLong(1);
    long byId = versions.get(1).getLong(1);
    long byTime = versions.get(2).getLong(1);
    assertEquals(byId, byTime, "the first snapshot, by id and by its commit time");
    assertTrue(
        byId > 0 && byId < now, "the first of two batches holds some of the rows: " + versions);
  }

  @Test
  void theLedgerShowsEveryStreamingWriterAndNoBatchCommittedTwice() {
    Set<String> tablesWithWriters =
        result("writers").stream()
            .filter(row -> row.getAs("writer_id") != null)
            .map(row -> row.<String>getAs("table_name"))
            .collect(Collectors.toCollection(TreeSet::new));
    assertTrue(
        tablesWithWriters.containsAll(
            Set.of(config.attribution().table(), "bid_requests", "hourly_funnel_by_publisher")),
        "tables with ledger entries: " + tablesWithWriters);
    assertEquals(List.of(), result("double_commits"), "(writer, batch) committed twice");
  }

  @Test
  void theHealthNotebookCountsTheFilesOfEveryTableWithRows() {
    Set<String> withRows =
        result("row_counts").stream()
            .filter(row -> row.<Long>getAs("row_count") > 0)
            .map(row -> row.<String>getAs("table_name"))
            .collect(Collectors.toCollection(TreeSet::new));
    Set<String> withFiles =
        result("table_files").stream()
            .filter(row -> row.<Long>getAs("data_files") > 0)
            .map(row -> row.<String>getAs("table_name"))
            .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(withRows, withFiles);
  }

  /**
   * What a notebook's Python cell does after {@code %%sql --var VAR}: keeps the first row's columns
   * as session settings {@code nb.VAR.column}, which later %%sql cells read as {@code
   * ${nb.VAR.column}}.
   */
  private static void remember(String var, List<Row> rows) {
    if (rows.isEmpty()) {
      return;
    }
    Row first = rows.get(0);
    for (String column : first.schema().fieldNames()) {
      String key = "nb." + var + "." + column;
      spark.conf().set(key, String.valueOf(first.<Object>getAs(column)));
      REMEMBERED_KEYS.add(key);
    }
  }

  private static List<Row> result(String var) {
    List<Row> rows = RESULTS.get(var);
    assertNotNull(rows, "no result for %%sql --var " + var + " (did its statement fail?)");
    return rows;
  }

  private static List<SqlCell> extractAll() throws IOException {
    List<SqlCell> all = new ArrayList<>();
    for (Path path : notebookFiles()) {
      all.addAll(extract(path));
    }
    Set<String> vars = new TreeSet<>();
    for (SqlCell cell : all) {
      cell.var()
          .filter(var -> !vars.add(var))
          .ifPresent(
              var -> {
                throw new IllegalStateException(
                    cell.where() + ": --var " + var + " is used by another cell already");
              });
    }
    return all;
  }

  private static List<Path> notebookFiles() throws IOException {
    try (Stream<Path> files = Files.list(NOTEBOOKS)) {
      return files.filter(p -> p.toString().endsWith(".ipynb")).sorted().toList();
    }
  }

  /** The %%sql cells of one notebook, in order. */
  static List<SqlCell> extract(Path path) {
    JsonNode all;
    try {
      all = JSON.readTree(path.toFile()).path("cells");
    } catch (IOException e) {
      throw new UncheckedIOException(path + " is not valid JSON", e);
    }
    String notebook = path.getFileName().toString();
    List<SqlCell> cells = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      JsonNode cell = all.get(i);
      String source = source(cell);
      if (!cell.path("cell_type").asText().equals("code") || !source.startsWith("%%sql")) {
        continue;
      }
      int newline = source.indexOf('\n');
      String magic = newline < 0 ? source : source.substring(0, newline);
      String statement = newline < 0 ? "" : source.substring(newline + 1).strip();
      if (statement.endsWith(";")) {
        statement = statement.substring(0, statement.length() - 1).strip();
      }
      String where = notebook + " cell " + i;
      if (statement.isEmpty() || statement.contains(";\n")) {
        throw new IllegalStateException(
            where + ": a %%sql cell holds exactly one statement:\n" + source);
      }
      cells.add(
          new SqlCell(notebook, i, cell.path("id").asText(), magicVar(magic, where), statement));
    }
    return cells;
  }

  /**
   * The {@code --var} of a {@code %%sql [--var NAME] [--limit N]} line; other options are refused.
   */
  private static Optional<String> magicVar(String magic, String where) {
    String options = magic.substring("%%sql".length()).strip();
    List<String> words = options.isEmpty() ? List.of() : List.of(options.split("\\s+"));
    Optional<String> var = Optional.empty();
    for (int i = 0; i < words.size(); i += 2) {
      String option = words.get(i);
      if (i + 1 == words.size() || !Set.of("--var", "--limit").contains(option)) {
        throw new IllegalStateException(
            where + ": the image's %%sql magic takes --var NAME and --limit N: " + magic);
      }
      if (option.equals("--var")) {
        var = Optional.of(words.get(i + 1));
      }
    }
    return var;
  }

  private static String source(JsonNode cell) {
    JsonNode source = cell.path("source");
    if (source.isArray()) {
      StringBuilder text = new StringBuilder();
      source.forEach(line -> text.append(line.asText()));
      return text.toString();
    }
    return source.asText();
  }

  /** Comment lines dropped (as SqlTemplate does) and white space folded. */
  private static String normalized(String sql) {
    return sql.lines()
        .filter(line -> !line.stripLeading().startsWith("--"))
        .collect(Collectors.joining(" "))
        .replaceAll("\\s+", " ")
        .strip();
  }

  private static String firstLine(Exception e) {
    String message = String.valueOf(e.getMessage());
    int newline = message.indexOf('\n');
    return e.getClass().getSimpleName()
        + ": "
        + (newline < 0 ? message : message.substring(0, newline));
  }
}
