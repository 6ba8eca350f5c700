package io.adlake.lake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adlake.TestServices;
import io.adlake.config.AdlakeConfig;
import io.adlake.event.EventType;
import io.adlake.event.FunnelGenerator;
import io.adlake.event.FunnelGenerator.Summary;
import io.adlake.job.AttributionJob;
import io.adlake.job.IngestJob;
import io.adlake.job.ProgressLog;
import io.adlake.job.RecordingProgressLog;
import io.adlake.job.StreamingJobs;
import io.adlake.testservers.IcebergRestCatalog;
import io.adlake.testservers.S3Proxy;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Table;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The REST catalog and S3 paths against real servers in child JVMs on 127.0.0.1: generator → broker
 * → ingest and attribution ({@link StreamingJobs#runAll}, available-now) → Iceberg tables in an
 * Iceberg REST catalog whose data and metadata files are objects in an S3 bucket (s3proxy,
 * S3FileIO), with Spark's checkpoints on {@code s3a://} in the same bucket. The jobs run once for
 * the class; the last test runs them again.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RestCatalogOnS3Test {
  private static final String BUCKET = "adlake-lake";
  private static final String WAREHOUSE = "wh";
  private static final String CHECKPOINTS = "checkpoints";
  private static final String SPARK_HADOOP = "spark.hadoop.";

  private static S3Proxy s3;
  private static IcebergRestCatalog catalog;
  private static SparkSession spark;
  private static AdlakeConfig config;
  private static Summary sent;

  @BeforeAll
  static void runIngestAndAttributionOnceThroughTheRestCatalogIntoTheBucket() throws Exception {
    Path servers = TestServices.root().resolve("rest_s3_servers");
    s3 = S3Proxy.start(servers.resolve("s3"), BUCKET);
    catalog =
        IcebergRestCatalog.start(
            servers.resolve("catalog"), s3, "s3://" + BUCKET + "/" + WAREHOUSE);
    TestServices.broker();
    spark = TestServices.spark();
    config = TestServices.config("rest_s3", overrides());
    TestServices.useCatalogOf(config);

    sent =
        TestServices.generateToBroker(
            config, FunnelGenerator.Run.count(6_000, 2000, Instant.parse("2026-11-22T06:00:00Z")));
    StreamingJobs.runAll(
        spark,
        config,
        List.of(StreamingJobs.INGEST, StreamingJobs.ATTRIBUTION),
        Trigger.AvailableNow(),
        new ProgressLog(System.out));
  }

  /**
   * What an operator would set for a REST catalog on S3: catalog, S3FileIO and s3a settings in the
   * config.
   */
  private static String[] overrides() {
    List<String> o = new ArrayList<>(catalog.adlakeSettings("rest_lake"));
    o.addAll(
        List.of(
            "adlake.streaming.checkpoint-root=s3a://" + BUCKET + "/" + CHECKPOINTS,
            // Enough clicks for attribution rows; several micro-batches per query.
            "adlake.generator.click-rate=0.3",
            // ...and conversions for the bronze conversions table.
            "adlake.generator.conversions.click-rate=0.5",
            "adlake.source.kafka.max-offsets-per-trigger=1500"));
    return o.toArray(String[]::new);
  }

  /** The catalog first: it writes to the object store until it stops. */
  @AfterAll
  static void stopServers() {
    Optional.ofNullable(catalog).ifPresent(IcebergRestCatalog::close);
    Optional.ofNullable(s3).ifPresent(S3Proxy::close);
  }

  @Test
  @Order(1)
  void theRestCatalogListsEveryTableAndTheyHoldWhatTheGeneratorSent() throws Exception {
    assertEquals(
        listedTables(), restCatalogTables(), "tables listed by GET /v1/namespaces/{ns}/tables");

    for (EventType type : EventType.values()) {
      assertEquals(
          sent.sent(type), bronzeRecords(type), type + ": every clean record once in bronze");
      assertEquals(
          sent.malformed().getOrDefault(type, 0L),
          count(
              "SELECT count(*) FROM "
                  + table(AdlakeTables.QUARANTINE)
                  + " WHERE event_type = '"
                  + type.name().toLowerCase()
                  + "'"),
          type + ": every malformed record in quarantine");
    }
    Set<List<String>> attributed = new HashSet<>();
    for (Row row :
        spark
            .sql(
                "SELECT ad_id, impression_id, click_id FROM " + table(config.attribution().table()))
            .collectAsList()) {
      attributed.add(List.of(row.getString(0), row.getString(1), row.getString(2)));
    }
    assertEquals(
        sent.expected().stream()
            .map(e -> List.of(e.adId(), e.impressionId(), e.clickId()))
            .collect(Collectors.toSet()),
        attributed,
        "attributions equal the generator's ground truth");
    assertEquals(
        sent.expected().size(),
        count("SELECT count(*) FROM " + table(config.attribution().table())));
    assertTrue(
        sent.expected().size() > 20, "enough clicks to attribute: " + sent.expected().size());
  }

  @Test
  @Order(2)
  void dataManifestAndMetadataFilesAreObjectsInTheBucket() {
    Set<String> objects = new HashSet<>(s3.objects(WAREHOUSE));
    for (String name : expectedTables()) {
      Table table = TableSetup.load(spark, table(name));
      List<String> files = new ArrayList<>();
      spark
          .sql("SELECT file_path FROM " + table(name) + ".files")
          .collectAsList()
          .forEach(r -> files.add(r.getString(0)));
      spark
          .sql("SELECT path FROM " + table(name) + ".manifests")
          .collectAsList()
          .forEach(r -> files.add(r.getString(0)));
      files.add(((HasTableOperations) table).operations().current().metadataFileLocation());
      assertTrue(files.size() >= 3, name + ": at least one data file and one manifest: " + files);
      for (String file : files) {
        assertTrue(file.startsWith("s3://" + BUCKET + "/" + WAREHOUSE + "/"), name + ": " + file);
        assertTrue(
            objects.contains(file.substring(("s3://" + BUCKET + "/").length())),
            name + ": " + file + " is not an object in the bucket");
      }
    }
  }

  @Test
  @Order(3)
  void everyQueryCheckpointsItsOffsetsAndCommitsInTheBucket() {
    List<String> queries = new ArrayList<>();
    for (EventType type : EventType.values()) {
      queries.add(IngestJob.queryName(type));
    }
    queries.add(AttributionJob.QUERY_NAME);
    for (String query : queries) {
      Set<Long> offsets = batchIds(query, "offsets");
      Set<Long> commits = batchIds(query, "commits");
      assertFalse(offsets.isEmpty(), query + ": no offsets in s3a://" + BUCKET + "/" + CHECKPOINTS);
      assertEquals(offsets, commits, query + ": every planned batch committed");
    }
  }

  @Test
  @Order(4)
  void aSecondRunFromTheS3CheckpointsReadsNothingAndChangesNoRow() throws Exception {
    Map<String, Long> snapshots = currentSnapshots();
    Map<String, Long> rows = rowCounts();
    RecordingProgressLog second = new RecordingProgressLog(System.out);

    StreamingJobs.runAll(
        spark,
        config,
        List.of(StreamingJobs.INGEST, StreamingJobs.ATTRIBUTION),
        Trigger.AvailableNow(),
        second);

    assertEquals(
        0,
        second.progresses().stream().mapToLong(StreamingQueryProgress::numInputRows).sum(),
        "records read on restart");
    assertEquals(snapshots, currentSnapshots(), "no table got a new snapshot");
    assertEquals(rows, rowCounts());
  }

  @Test
  @Order(5)
  void theEnvironmentFileIsReadFromTheBucket() throws Exception {
    String uri = "s3a://" + BUCKET + "/artifacts/adlake-remote.conf";
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(uri);
    try (OutputStream out =
        path.getFileSystem(spark.sparkContext().hadoopConfiguration()).create(path)) {
      out.write("adlake.catalog.namespace = from_the_bucket\n".getBytes(StandardCharsets.UTF_8));
    }
    // spark-submit --conf spark.hadoop.* puts the settings into system properties before any
    // SparkContext.
    Map<String, String> s3a = s3.s3aProperties();
    s3a.forEach((k, v) -> System.setProperty(SPARK_HADOOP + k, v));
    try {
      assertEquals(
          "from_the_bucket",
          io.adlake.config.ConfigLoader.load(uri, List.of()).catalog().namespace());
    } finally {
      s3a.keySet().forEach(k -> System.clearProperty(SPARK_HADOOP + k));
    }
    assertTrue(
        s3.objects("artifacts/").contains("artifacts/adlake-remote.conf"), "the file is an object");
  }

  /**
   * Every table the jobs create: those holding data, the dimension tables the jobs join (the rates
   * seeded from the conf; campaigns and advertisers empty until loaded), and late_events (empty:
   * nothing arrives behind the ingest's watermark here).
   */
  private static Set<String> listedTables() {
    Set<String> tables = expectedTables();
    tables.addAll(
        List.of(
            AdlakeTables.CAMPAIGNS,
            AdlakeTables.ADVERTISERS,
            AdlakeTables.CURRENCY_RATES,
            AdlakeTables.LATE_EVENTS));
    return tables;
  }

  /** The tables the run wrote data to. */
  private static Set<String> expectedTables() {
    return new TreeSet<>(
        List.of(
            AdlakeTables.BID_REQUESTS,
            AdlakeTables.BID_RESPONSES,
            AdlakeTables.IMPRESSIONS,
            AdlakeTables.CLICKS,
            AdlakeTables.CONVERSIONS,
            AdlakeTables.BID_REQUESTS_ENRICHED,
            AdlakeTables.QUARANTINE,
            AdlakeTables.INGEST_METRICS,
            config.attribution().table()));
  }

  /** Straight from the server, not through Spark's catalog. */
  private static Set<String> restCatalogTables() throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            catalog.uri()
                                + "/v1/namespaces/"
                                + config.catalog().namespace()
                                + "/tables"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    Set<String> names = new TreeSet<>();
    for (JsonNode identifier : new ObjectMapper().readTree(response.body()).get("identifiers")) {
      names.add(identifier.get("name").asText());
    }
    return names;
  }

  /** Batch ids of the files in a checkpoint's {@code offsets} or {@code commits} directory. */
  private static Set<Long> batchIds(String query, String log) {
    String prefix = CHECKPOINTS + "/" + query + "/" + log + "/";
    return s3.objects(prefix).stream()
        .map(key -> key.substring(prefix.length()))
        .filter(name -> name.matches("\\d+"))
        .map(Long::valueOf)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static Map<String, Long> currentSnapshots() {
    Map<String, Long> snapshots = new LinkedHashMap<>();
    for (String name : expectedTables()) {
      snapshots.put(name, TableSetup.load(spark, table(name)).currentSnapshot().snapshotId());
    }
    return snapshots;
  }

  private static Map<String, Long> rowCounts() {
    Map<String, Long> rows = new LinkedHashMap<>();
    for (String name : expectedTables()) {
      rows.put(name, count("SELECT count(*) FROM " + table(name)));
    }
    return rows;
  }

  private static long bronzeRecords(EventType type) {
    return switch (type) {
      case BID_REQUEST ->
          count("SELECT count(DISTINCT request_id) FROM " + table(AdlakeTables.BID_REQUESTS));
      case BID_RESPONSE ->
          count("SELECT count(DISTINCT response_id) FROM " + table(AdlakeTables.BID_RESPONSES));
      case IMPRESSION -> count("SELECT count(*) FROM " + table(AdlakeTables.IMPRESSIONS));
      case CLICK -> count("SELECT count(*) FROM " + table(AdlakeTables.CLICKS));
      case CONVERSION -> count("SELECT count(*) FROM " + table(AdlakeTables.CONVERSIONS));
    };
  }

  private static long count(String sql) {
    return spark.sql(sql).first().getLong(0);
  }

  private static String table(String name) {
    return config.catalog().qualified(name);
  }
}
