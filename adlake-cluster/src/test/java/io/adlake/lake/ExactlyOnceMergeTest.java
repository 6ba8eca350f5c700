package io.adlake.lake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.adlake.TestServices;
import io.adlake.config.AdlakeConfig;
import io.adlake.job.AttributionJob;
import io.adlake.lake.ExactlyOnceMerge.BatchCommit;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.Table;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The attribution MERGE sink on its own: replays, first click wins across batches, pruning bounds.
 */
class ExactlyOnceMergeTest {
  private static final Instant T0 = Instant.parse("2026-11-21T09:00:00Z");
  private SparkSession spark;
  private AdlakeConfig config;
  private TableSpec spec;
  private String table;
  private final List<BatchCommit> commits = new ArrayList<>();
  private ExactlyOnceMerge sink;

  @BeforeEach
  void table() {
    spark = TestServices.spark();
    config = TestServices.config("merge");
    spec = AdlakeTables.enrichedAdData("enriched_ad_data", MergeMode.MERGE_ON_READ);
    table = TableSetup.ensure(spark, config.catalog(), spec);
    sink = AttributionJob.mergeSink(table, spec, commits::add);
    // What Spark sets on the micro-batch thread; a stable id plays one streaming query.
    spark.sparkContext().setLocalProperty(CommitLedger.QUERY_ID_KEY, UUID.randomUUID().toString());
  }

  @AfterEach
  void clear() {
    spark.sparkContext().setLocalProperty(CommitLedger.QUERY_ID_KEY, null);
  }

  @Test
  void replayedBatchChangesNothing() {
    Dataset<Row> batch = batch(row("i-1", "c-1", 5), row("i-2", "c-2", 7));
    sink.call(batch, 0L);
    Table iceberg = TableSetup.load(spark, table);
    long snapshot = iceberg.currentSnapshot().snapshotId();
    List<Row> before = contents();

    sink.call(batch, 0L);

    assertEquals(
        snapshot, TableSetup.load(spark, table).currentSnapshot().snapshotId(), "no new commit");
    assertEquals(before, contents());
    assertTrue(commits.get(1).skipped());
    assertEquals(
        "0",
        TableSetup.load(spark, table).currentSnapshot().summary().get(CommitLedger.BATCH_PROPERTY));
  }

  @Test
  void anotherQueryWithTheSameBatchIdIsNotMistakenForAReplay() {
    sink.call(batch(row("i-1", "c-1", 5)), 0L);
    spark.sparkContext().setLocalProperty(CommitLedger.QUERY_ID_KEY, UUID.randomUUID().toString());
    sink.call(batch(row("i-2", "c-2", 5)), 0L);
    assertEquals(2, contents().size());
  }

  @Test
  void anEarlierClickInALaterBatchReplacesTheRowAndALaterOneDoesNot() {
    sink.call(batch(row("i-1", "c-9", 10)), 0L);
    sink.call(batch(row("i-1", "c-5", 4)), 1L);
    sink.call(batch(row("i-1", "c-1", 20)), 2L);
    List<Row> rows = contents();
    assertEquals(1, rows.size());
    assertEquals("c-5", rows.get(0).getAs("click_id"));
  }

  @Test
  void mergeOnClauseBoundsTheBatchTimeAndCampaigns() {
    String sql =
        sink.mergeSql(
            "batch_view", "\n   AND t.impression_time >= TIMESTAMP '2026-11-21T09:00:00Z'");
    assertTrue(
        sql.startsWith(
            "MERGE INTO "
                + table
                + " t\nUSING batch_view s\n"
                + "ON t.ad_id = s.ad_id AND t.impression_id = s.impression_id\n   AND t.impression_time >= "),
        sql);
    assertTrue(sql.contains("WHEN MATCHED AND (s.click_time < t.click_time"), sql);
    assertTrue(!sql.contains("${"), sql);
  }

  @Test
  void tableIsCreatedFromItsSpec() {
    Table iceberg = TableSetup.load(spark, table);
    assertEquals(Set.of("ad_id", "impression_id"), iceberg.schema().identifierFieldNames());
    assertEquals(2, ((HasTableOperations) iceberg).operations().current().formatVersion());
    assertEquals("536870912", iceberg.properties().get("write.target-file-size-bytes"));
    assertEquals("merge-on-read", iceberg.properties().get("write.merge.mode"));
    assertEquals(
        "[impression_time_day, campaign_id_bucket]",
        iceberg.spec().fields().stream().map(PartitionField::name).toList().toString());
    assertEquals(
        spec.columnNames(), iceberg.schema().columns().stream().map(f -> f.name()).toList());
  }

  @Test
  void anExistingTableIsSwitchedToTheMergeModeTheRuntimeNeeds() {
    TableSetup.requireProperties(
        spark, table, AdlakeTables.mergeModeProperties(MergeMode.COPY_ON_WRITE), "a test");
    Map<String, String> props = TableSetup.load(spark, table).properties();
    assertEquals("copy-on-write", props.get("write.merge.mode"));
    assertEquals("copy-on-write", props.get("write.update.mode"));
    assertEquals("copy-on-write", props.get("write.delete.mode"));
    sink.call(batch(row("i-1", "c-2", 9)), 0L);
    sink.call(batch(row("i-1", "c-1", 3)), 1L);
    assertEquals("c-1", contents().get(0).getAs("click_id"), "the MERGE works in the new mode");
  }

  @Test
  void aColumnAddedToTheSpecIsAddedToTheTableAndOldRowsReadNull() {
    sink.call(batch(row("i-1", "c-1", 5)), 0L);
    List<TableSpec.ColumnSpec> columns = new ArrayList<>(spec.columns());
    columns.add(
        TableSpec.ColumnSpec.optional("viewability_score", "DOUBLE", "Share of the ad in view"));
    TableSpec evolved =
        new TableSpec(
            spec.name(),
            spec.comment(),
            columns,
            spec.partitioning(),
            spec.key(),
            spec.properties(),
            spec.timeColumn(),
            spec.groupColumn());
    TableSetup.ensure(spark, config.catalog(), evolved);
    Row row = spark.sql("SELECT viewability_score FROM " + table).first();
    assertTrue(row.isNullAt(0));
  }

  private List<Row> contents() {
    return spark.table(table).drop("processed_time").orderBy("impression_id").collectAsList();
  }

  private Dataset<Row> batch(Row... rows) {
    return spark.createDataFrame(new ArrayList<>(List.of(rows)), spec.sparkSchema());
  }

  private static Row row(String impressionId, String clickId, int clickSecond) {
    Timestamp impression = Timestamp.from(T0);
    Timestamp click = Timestamp.from(T0.plusSeconds(clickSecond));
    return RowFactory.create(
        "ad-1",
        impressionId,
        clickId,
        "cmp-0001",
        null,
        null,
        "pub-0001",
        impression,
        click,
        "USA",
        "ios",
        4,
        10.0,
        0.5,
        "No",
        (long) clickSecond,
        "Mobile",
        0.6,
        false,
        Timestamp.from(T0.plusSeconds(60)));
  }
}
