package io.adlake.job;

import static org.apache.spark.sql.functions.base64;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.encode;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.when;

import io.adlake.config.AdlakeConfig;
import io.adlake.config.AdlakeConfig.IngestSettings;
import io.adlake.event.EventDecoder;
import io.adlake.event.EventParser;
import io.adlake.event.EventType;
import io.adlake.event.RawRecord;
import io.adlake.geo.GeoIpFile;
import io.adlake.lake.AdlakeTables;
import io.adlake.lake.CommitLedger;
import io.adlake.lake.Dimension;
import io.adlake.lake.DimensionLoad;
import io.adlake.lake.DimensionSnapshots;
import io.adlake.lake.TableSetup;
import io.adlake.lake.TableSpec;
import io.adlake.lake.WriteFaults;
import io.adlake.source.EventSource;
import io.adlake.transform.BronzeFlattening;
import io.adlake.transform.IpGeography;
import io.adlake.transform.RequestEnrichment;
import io.adlake.transform.ResendMarking;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.streaming.OutputMode;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;

/**
 * Bronze ingest, one query per stream: raw → parse + validate → mark re-sent records within the
 * dedup window → foreachBatch: records and duplicates counted, duplicates dropped, valid records
 * flattened into the bronze table, unusable ones into {@code quarantine} with their bytes and
 * reason, bid requests also into {@code bid_requests_enriched}, and one {@code ingest_metrics} row
 * — every write exactly once. Every record read ends in bronze, in quarantine, or in the duplicates
 * count.
 */
public final class IngestJob {
  public static final String QUERY_PREFIX = "ingest_";

  /** A record's re-send key, beside its raw columns while it is marked. */
  private static final String RECORD_KEY = "_record_key";

  private IngestJob() {}

  public static List<StreamingQuery> start(
      SparkSession spark,
      AdlakeConfig config,
      EventSource source,
      Trigger trigger,
      PrintStream out) {
    List<EventType> types = List.of(EventType.values());
    source.requireStreams(types);
    EventDecoder decoder = EventSource.decoder(config);
    decoder.requireReady(types);
    requireResendMarkingState(spark, config, types);
    Tables tables = Tables.ensure(spark, config);
    // Shipped and opened before any query starts: a missing or corrupt file stops the start.
    Optional<GeoIpFile> geoIp = GeoIpFile.ship(spark, config.enrichment().geoip());
    // A record whose arrival time is more than the re-send window behind the newest arrival read is
    // behind the watermark: Spark drops it before the sink sees it. It is counted in late_events
    // against its bronze table, as the metrics queries' late rows are.
    Map<String, String> queryToTable = new LinkedHashMap<>();
    types.forEach(type -> queryToTable.put(queryName(type), bronzeSpec(type).name()));
    new LateEventsRecorder(
        spark, TableSetup.ensure(spark, config.catalog(), AdlakeTables.lateEvents()), queryToTable);
    List<StreamingQuery> queries = new ArrayList<>();
    for (EventType type : types) {
      queries.add(startOne(spark, config, source, decoder, trigger, type, tables, geoIp, out));
    }
    return queries;
  }

  /**
   * Stops the start when an ingest checkpoint holds the state of the de-duplication used before
   * re-sends were marked ({@code dropDuplicatesWithinWatermark}): Spark cannot restore it into
   * {@code flatMapGroupsWithState} and would fail the query at its first batch, with a message
   * (STREAMING_STATEFUL_OPERATOR_NOT_MATCH_IN_STATE_METADATA on Spark 4, a state schema mismatch on
   * 3.5) that does not say what to do. The state schema Spark writes for the first partition of
   * operator 0 tells them apart on every Spark line.
   */
  static void requireResendMarkingState(
      SparkSession spark, AdlakeConfig config, List<EventType> types) {
    for (EventType type : types) {
      String checkpoint = Checkpoints.location(config, queryName(type));
      Path schema = new Path(checkpoint, "state/0/0/_metadata/schema");
      String content;
      try {
        FileSystem fs = schema.getFileSystem(spark.sparkContext().hadoopConfiguration());
        if (!fs.exists(schema)) {
          continue;
        }
        try (FSDataInputStream in = fs.open(schema)) {
          content = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read the state schema " + schema, e);
      }
      if (!content.contains("\"groupState\"")) {
        throw new IllegalStateException(
            "Checkpoint "
                + checkpoint
                + " holds the de-duplication state of an older adlake (dropDuplicatesWithinWatermark),"
                + " which this version cannot restore: re-sends are now marked by flatMapGroupsWithState"
                + " so that records read are counted exactly. Stop the ingest, move the ingest"
                + " checkpoints ("
                + Checkpoints.location(config, QUERY_PREFIX + "*")
                + ") aside and start again: new checkpoints start where"
                + " adlake.source.kafka.starting-offsets or adlake.source.kinesis.starting-position"
                + " say, and a files source reads every file again. docs/operations.md,"
                + " \"Upgrading ingest checkpoints\".");
      }
    }
  }

  /** Qualified names of the tables the ingest writes, created or evolved on start. */
  record Tables(
      Map<EventType, String> bronze,
      String enriched,
      String quarantine,
      String metrics,
      String rates) {
    static Tables ensure(SparkSession spark, AdlakeConfig config) {
      Map<Dimension, String> dimensions =
          new DimensionLoad(spark, config.catalog()).ensureTables(config.ingest().usdRates());
      Map<EventType, String> bronze = new EnumMap<>(EventType.class);
      for (EventType type : EventType.values()) {
        bronze.put(type, TableSetup.ensure(spark, config.catalog(), bronzeSpec(type)));
      }
      return new Tables(
          bronze,
          TableSetup.ensure(spark, config.catalog(), AdlakeTables.bidRequestsEnriched()),
          TableSetup.ensure(spark, config.catalog(), AdlakeTables.quarantine()),
          TableSetup.ensure(spark, config.catalog(), AdlakeTables.ingestMetrics()),
          dimensions.get(Dimension.CURRENCY_RATES));
    }
  }

  public static TableSpec bronzeSpec(EventType type) {
    return switch (type) {
      case BID_REQUEST -> AdlakeTables.bidRequests();
      case BID_RESPONSE -> AdlakeTables.bidResponses();
      case IMPRESSION -> AdlakeTables.impressions();
      case CLICK -> AdlakeTables.clicks();
      case CONVERSION -> AdlakeTables.conversions();
    };
  }

  public static String queryName(EventType type) {
    return QUERY_PREFIX + type.name().toLowerCase(Locale.ROOT);
  }

  private static StreamingQuery startOne(
      SparkSession spark,
      AdlakeConfig config,
      EventSource source,
      EventDecoder decoder,
      Trigger trigger,
      EventType type,
      Tables tables,
      Optional<GeoIpFile> geoIp,
      PrintStream out) {
    IngestSettings settings = config.ingest();
    Dataset<Row> raw = source.readStream(spark, type);
    Function<Dataset<Row>, Dataset<Row>> parse =
        records ->
            EventParser.parse(
                records,
                type,
                decoder,
                settings.maxRecordBytes(),
                settings.minEventTime(),
                settings.maxFutureSkew());
    // A valid record's key is its id; an unusable one is keyed by its position, so it is never a
    // "duplicate".
    Column key =
        when(col(EventParser.REASON).isNull(), idOf(type))
            .otherwise(
                concat_ws(
                    "/",
                    col(RawRecord.SOURCE),
                    col(RawRecord.PARTITION).cast("string"),
                    col(RawRecord.OFFSET).cast("string"),
                    sha2(col(RawRecord.RAW), 256)));
    // Re-sends are marked, not dropped: the sink counts records read and duplicates on its batch.
    // Marked as raw records with their key, parsed again after: the marking's shuffle and its
    // typed function then carry a few flat columns, not the whole nested event.
    Dataset<Row> keyed =
        parse
            .apply(raw)
            .select(
                Stream.concat(
                        Arrays.stream(raw.columns()).map(functions::col),
                        Stream.of(key.as(RECORD_KEY)))
                    .toArray(Column[]::new));
    Dataset<Row> marked =
        parse.apply(
            ResendMarking.mark(keyed, col(RECORD_KEY), settings.dedupWindow()).drop(RECORD_KEY));
    return ForeachBatchQuery.start(
        marked,
        queryName(type),
        OutputMode.Append(),
        config,
        trigger,
        new IngestSink(
            type, type.streamName(config.streams()), tables, settings, geoIp.orElse(null), out));
  }

  private static Column idOf(EventType type) {
    return switch (type) {
      case BID_REQUEST -> col("id");
      case BID_RESPONSE -> col("bidid");
      case IMPRESSION -> col("impression_id");
      case CLICK -> col("click_id");
      case CONVERSION -> col("conversion_id");
    };
  }

  /** What one micro-batch of one stream did; also the {@code ingest_metrics} row. */
  public record IngestBatch(
      String stream,
      long batchId,
      long recordsRead,
      long duplicatesDropped,
      long bronzeRecords,
      long bronzeRows,
      long quarantined,
      Map<String, Long> quarantinedByReason,
      long filtered,
      Map<String, Long> filteredByReason,
      long enrichedRows,
      Long geoUnresolved) {}

  static final class IngestSink implements VoidFunction2<Dataset<Row>, Long> {
    private static final long serialVersionUID = 1L;
    private final EventType type;
    private final String stream;
    private final Tables tables;
    private final IngestSettings settings;
    // A field may not be Optional in a serializable function; NULL = no geography.
    private final GeoIpFile geoIp;
    private final transient PrintStream out;

    IngestSink(
        EventType type,
        String stream,
        Tables tables,
        IngestSettings settings,
        GeoIpFile geoIp,
        PrintStream out) {
      this.type = type;
      this.stream = stream;
      this.tables = tables;
      this.settings = settings;
      this.geoIp = geoIp;
      this.out = out;
    }

    @Override
    public void call(Dataset<Row> batch, Long batchId) {
      SparkSession spark = batch.sparkSession();
      String writer = CommitLedger.writerId(spark);
      Dataset<Row> batchRows = WriteFaults.INSTALLED.ingestBatch(batch, stream, batchId).persist();
      try {
        // Actions on the persisted batch: exact however often Spark re-runs the tasks behind it.
        Map<List<Object>, Long> counts =
            countBy(batchRows, ResendMarking.DUPLICATE, EventParser.REASON);
        long recordsRead = 0;
        long duplicates = 0;
        Map<String, Long> reasons = new HashMap<>();
        for (Map.Entry<List<Object>, Long> count : counts.entrySet()) {
          recordsRead += count.getValue();
          if (Boolean.TRUE.equals(count.getKey().get(0))) {
            duplicates += count.getValue();
          } else {
            reasons.merge((String) count.getKey().get(1), count.getValue(), Long::sum);
          }
        }
        long valid = reasons.getOrDefault(null, 0L);
        reasons.remove(null);
        long quarantined = recordsRead - duplicates - valid;
        Dataset<Row> records =
            batchRows.filter(not(col(ResendMarking.DUPLICATE))).drop(ResendMarking.DUPLICATE);

        TableSpec bronzeSpec = bronzeSpec(type);
        Dataset<Row> bronze =
            BronzeFlattening.flatten(type, EventParser.valid(records), bronzeSpec).persist();
        long bronzeRows = valid == 0 ? 0 : bronze.count();
        CommitLedger.appendOnce(
            spark, tables.bronze().get(type), writer, batchId, bronze, bronzeRows);
        CommitLedger.appendOnce(
            spark, tables.quarantine(), writer, batchId, quarantineRows(records), quarantined);

        Map<String, Long> filteredBy = new TreeMap<>();
        long enrichedRows = 0;
        // Counted for bid requests when geography is on; NULL otherwise.
        Long geoUnresolved = type == EventType.BID_REQUEST && geoIp != null ? 0L : null;
        if (type == EventType.BID_REQUEST && bronzeRows > 0) {
          // Floors convert at the rates as they are at this batch; the snapshot read is recorded
          // with the commit, so a replay converts as the first attempt did.
          DimensionSnapshots pins =
              DimensionSnapshots.pin(
                  spark,
                  Map.of(AdlakeTables.CURRENCY_RATES, tables.rates()),
                  tables.enriched(),
                  writer,
                  batchId);
          Dataset<Row> rates = pins.read(spark, AdlakeTables.currencyRates(), tables.rates());
          Dataset<Row> enriched =
              RequestEnrichment.enrich(bronze, rates, Optional.ofNullable(geoIp)).persist();
          Map<List<Object>, Long> byReason =
              countBy(enriched, RequestEnrichment.FILTER_REASON, IpGeography.RESOLVED);
          for (Map.Entry<List<Object>, Long> count : byReason.entrySet()) {
            String reason = (String) count.getKey().get(0);
            if (reason != null) {
              filteredBy.merge(reason, count.getValue(), Long::sum);
              continue;
            }
            enrichedRows += count.getValue();
            if (Boolean.FALSE.equals(count.getKey().get(1))) {
              geoUnresolved += count.getValue();
            }
          }
          CommitLedger.appendOnce(
              spark,
              tables.enriched(),
              writer,
              batchId,
              RequestEnrichment.kept(enriched, AdlakeTables.bidRequestsEnriched()),
              enrichedRows,
              pins.summary());
          enriched.unpersist();
        }
        bronze.unpersist();

        IngestBatch result =
            new IngestBatch(
                stream,
                batchId,
                recordsRead,
                duplicates,
                valid,
                bronzeRows,
                quarantined,
                new TreeMap<>(reasons),
                filteredBy.values().stream().mapToLong(Long::longValue).sum(),
                filteredBy,
                enrichedRows,
                geoUnresolved);
        if (recordsRead > 0) {
          CommitLedger.appendOnce(
              spark, tables.metrics(), writer, batchId, metricsRow(spark, writer, result), 1);
          out.println(describe(result));
        }
      } finally {
        batchRows.unpersist();
      }
    }

    /** Counts of rows per combination of values (nulls included), from one small aggregation. */
    private static Map<List<Object>, Long> countBy(
        Dataset<Row> rows, String column, String... more) {
      Map<List<Object>, Long> counts = new HashMap<>();
      for (Row row : rows.groupBy(column, more).count().collectAsList()) {
        List<Object> key = new ArrayList<>();
        for (int i = 0; i < 1 + more.length; i++) {
          key.add(row.get(i));
        }
        counts.put(key, row.getLong(1 + more.length));
      }
      return counts;
    }

    private Dataset<Row> quarantineRows(Dataset<Row> records) {
      Column raw = col(RawRecord.RAW);
      Column text = raw.cast("string");
      // Valid UTF-8 survives decode + encode unchanged; anything else is kept byte for byte as
      // base64.
      Column validUtf8 = encode(text, "UTF-8").equalTo(raw);
      return AdlakeTables.quarantine()
          .selectFrom(
              EventParser.invalid(records),
              Map.of(
                  "event_type", lit(type.name().toLowerCase(Locale.ROOT)),
                  "source", col(RawRecord.SOURCE),
                  "source_partition", col(RawRecord.PARTITION),
                  "source_offset", col(RawRecord.OFFSET),
                  "reason", col(EventParser.REASON),
                  "raw_text", when(validUtf8, text),
                  "raw_base64", when(validUtf8.equalTo(false), base64(raw)),
                  "raw_bytes", length(raw),
                  "received_at", col(RawRecord.RECEIVED_AT),
                  "quarantined_at", current_timestamp()));
    }

    private static Dataset<Row> metricsRow(SparkSession spark, String writer, IngestBatch b) {
      Row row =
          RowFactory.create(
              b.stream(),
              writer,
              b.batchId(),
              new Timestamp(System.currentTimeMillis()),
              b.recordsRead(),
              b.duplicatesDropped(),
              b.bronzeRecords(),
              b.bronzeRows(),
              b.quarantined(),
              b.quarantinedByReason(),
              b.filtered(),
              b.filteredByReason(),
              b.enrichedRows(),
              b.geoUnresolved());
      return spark.createDataFrame(List.of(row), AdlakeTables.ingestMetrics().sparkSchema());
    }
  }

  /** The one line per micro-batch people read. */
  static String describe(IngestBatch b) {
    StringBuilder line =
        new StringBuilder(
            String.format(
                "  ingest %s batch %d: read %,d, bronze %,d records " + "(%,d rows)",
                b.stream(), b.batchId(), b.recordsRead(), b.bronzeRecords(), b.bronzeRows()));
    if (b.duplicatesDropped() > 0) {
      line.append(String.format(", %,d duplicates dropped", b.duplicatesDropped()));
    }
    if (b.quarantined() > 0) {
      line.append(String.format(", quarantined %,d %s", b.quarantined(), b.quarantinedByReason()));
    }
    if (b.enrichedRows() > 0 || b.filtered() > 0) {
      line.append(
          String.format(
              ", enriched %,d, filtered %,d %s",
              b.enrichedRows(), b.filtered(), b.filteredByReason()));
    }
    if (b.geoUnresolved() != null && b.geoUnresolved() > 0) {
      line.append(String.format(", %,d without geography", b.geoUnresolved()));
    }
    return line.toString();
  }
}
