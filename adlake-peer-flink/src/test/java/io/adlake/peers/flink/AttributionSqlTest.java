package io.adlake.peers.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class AttributionSqlTest {
  private static final PeerOptions OPTIONS =
      PeerOptions.parse(
          "--bootstrap-servers", "127.0.0.1:9092",
          "--warehouse", "/tmp/lake/warehouse",
          "--namespace", "adlake",
          "--impressions-topic", "imps",
          "--clicks-topic", "clks",
          "--interval-ms", "5000",
          "--work-dir", "/tmp/lake/flink");

  @Test
  void tableStatementsCreateCatalogNamespaceAndKeyedTable() {
    List<String> statements = AttributionSql.of(OPTIONS).tableStatements();
    assertEquals(3, statements.size());
    assertTrue(statements.get(0).startsWith("CREATE CATALOG `adlake_lake`"));
    assertTrue(statements.get(0).contains("'warehouse' = 'file:///tmp/lake/warehouse'"));
    assertEquals("CREATE DATABASE IF NOT EXISTS `adlake_lake`.`adlake`", statements.get(1));
    String table = statements.get(2);
    assertTrue(
        table.startsWith(
            "CREATE TABLE IF NOT EXISTS `adlake_lake`.`adlake`.`attributed_clicks_flink`"));
    assertTrue(table.contains("PRIMARY KEY (ad_id, impression_id) NOT ENFORCED"));
    assertTrue(table.contains("'format-version' = '2'"));
    assertTrue(table.contains("'write.upsert.enabled' = 'true'"));
  }

  @Test
  void attributionStatementsEndWithTheInsertAndCarryNoPlaceholderOrComment() {
    List<String> statements = AttributionSql.of(OPTIONS).attributionStatements();
    assertEquals(6, statements.size());
    assertTrue(statements.get(0).contains("'topic' = 'imps'"));
    assertTrue(statements.get(1).contains("'topic' = 'clks'"));
    assertTrue(
        statements.get(0).contains("impression_time - INTERVAL '0 00:02:00.000' DAY TO SECOND"));
    assertTrue(
        statements
            .get(5)
            .startsWith("INSERT INTO `adlake_lake`.`adlake`.`attributed_clicks_flink`"));
    for (String statement : statements) {
      assertFalse(statement.contains("${"), statement);
      assertFalse(statement.contains("--"), statement);
      assertFalse(statement.endsWith(";"), statement);
    }
  }

  @Test
  void watermarkDelayIsADayToSecondLiteral() {
    assertEquals("0 00:00:30.000", AttributionSql.dayToSecond(Duration.ofSeconds(30)));
    assertEquals("0 00:02:00.250", AttributionSql.dayToSecond(Duration.ofMillis(120_250)));
    assertEquals("3 04:05:06.007", AttributionSql.dayToSecond(Duration.parse("P3DT4H5M6.007S")));
  }
}
