package io.adlake.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.adlake.TestServices;
import io.adlake.cli.MainTest.Output;
import io.adlake.config.AdlakeConfig;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code report --sql} against a real catalog: read-only unless {@code --allow-writes}, judged by
 * Spark's own parse of the statement.
 */
class ReportCommandTest {
  private static AdlakeConfig config;
  private static String table;

  @BeforeAll
  static void oneTableWithThreeRows() {
    SparkSession spark = TestServices.spark();
    config = TestServices.config("report_sql");
    TestServices.useCatalogOf(config);
    spark.sql(
        "CREATE NAMESPACE IF NOT EXISTS "
            + config.catalog().name()
            + "."
            + config.catalog().namespace());
    table = config.catalog().qualified("ids");
    spark.sql("CREATE TABLE " + table + " (id BIGINT) USING iceberg");
    spark.sql("INSERT INTO " + table + " VALUES (1), (2), (3)");
  }

  @Test
  void statementsThatWriteOrCallProceduresAreRefusedWithoutAllowWrites() {
    String ns = config.catalog().namespace();
    for (String sql :
        List.of(
            "DROP TABLE ids",
            "DELETE FROM ids WHERE id = 1",
            "INSERT INTO ids VALUES (4)",
            "INSERT OVERWRITE ids SELECT id FROM ids WHERE id = 1",
            "UPDATE ids SET id = 5 WHERE id = 1",
            "MERGE INTO ids t USING (SELECT 1 AS id) s ON t.id = s.id WHEN MATCHED THEN DELETE",
            "CALL "
                + config.catalog().name()
                + ".system.remove_orphan_files(table => '"
                + ns
                + ".ids')",
            "CALL " + config.catalog().name() + ".system.expire_snapshots('" + ns + ".ids')",
            "TRUNCATE TABLE ids",
            "ALTER TABLE ids ADD COLUMN note STRING",
            "CREATE TABLE copy_of_ids USING iceberg AS SELECT * FROM ids",
            "CREATE TEMPORARY VIEW v AS SELECT 1",
            "CACHE TABLE ids",
            "SET spark.sql.shuffle.partitions = 1",
            "EXPLAIN DELETE FROM ids WHERE id = 1")) {
      Output out = report("--sql", sql);
      assertEquals(2, out.code(), sql + "\n" + out.stderr());
      assertTrue(
          out.stderr().contains("--allow-writes") && out.stderr().contains("read-only"),
          sql + ": the message says why and what to do\n" + out.stderr());
    }
    assertEquals(List.of(1L, 2L, 3L), ids(), "the table is as it was");
  }

  @Test
  void queriesShowDescribeAndExplainRun() {
    String ns = config.catalog().namespace();
    for (String sql :
        List.of(
            "SELECT count(*) AS n FROM ids",
            "WITH big AS (SELECT id FROM ids WHERE id > 1) SELECT sum(id) AS s FROM big",
            "SELECT a.id FROM ids a JOIN ids b ON a.id = b.id ORDER BY a.id LIMIT 2",
            "SELECT id, row_number() OVER (ORDER BY id) AS r FROM ids",
            "SELECT id FROM ids UNION ALL SELECT id FROM ids",
            "SELECT count(DISTINCT id) FROM (SELECT id FROM ids EXCEPT ALL SELECT 1) AS r",
            "SELECT id % 2 AS odd, count(*) FROM ids GROUP BY 1 HAVING count(*) > 0",
            "SELECT * FROM ids WHERE id IN (SELECT max(id) FROM ids)",
            "SELECT snapshot_id, operation FROM " + ns + ".ids.snapshots",
            "TABLE ids",
            "VALUES (1, 'a')",
            "SHOW TABLES",
            "SHOW TBLPROPERTIES ids",
            "DESCRIBE TABLE ids",
            "DESCRIBE TABLE EXTENDED ids",
            "EXPLAIN SELECT * FROM ids")) {
      Output out = report("--sql", sql);
      assertEquals(0, out.code(), sql + "\n" + out.stderr());
    }
    assertTrue(report("--sql", "SELECT sum(id) AS total FROM ids").stdout().contains("6"));
  }

  @Test
  void withAllowWritesAStatementThatWritesRuns() {
    String copy = config.catalog().qualified("ids_to_delete_from");
    TestServices.spark().sql("CREATE TABLE " + copy + " USING iceberg AS SELECT * FROM " + table);

    Output out = report("--allow-writes", "--sql", "DELETE FROM ids_to_delete_from WHERE id = 1");

    assertEquals(0, out.code(), out.stderr());
    assertEquals(
        List.of(2L, 3L),
        TestServices.spark().sql("SELECT id FROM " + copy + " ORDER BY id").collectAsList().stream()
            .map(row -> row.getLong(0))
            .toList());
  }

  private static Output report(String... args) {
    List<String> all = new ArrayList<>(List.of("report"));
    all.addAll(List.of(args));
    all.addAll(
        List.of(
            "--conf",
            "adlake.catalog.warehouse=" + config.catalog().warehouse(),
            "--conf",
            "adlake.catalog.namespace=" + config.catalog().namespace(),
            "--conf",
            "adlake.spark.shuffle-partitions=2"));
    return MainTest.capture(() -> Main.execute(all.toArray(String[]::new)));
  }

  private static List<Long> ids() {
    return TestServices.spark()
        .sql("SELECT id FROM " + table + " ORDER BY id")
        .collectAsList()
        .stream()
        .map(row -> row.getLong(0))
        .toList();
  }
}
