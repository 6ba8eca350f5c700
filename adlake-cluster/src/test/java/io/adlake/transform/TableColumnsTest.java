package io.adlake.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.adlake.TestServices;
import io.adlake.config.AdlakeConfig;
import io.adlake.event.EventParser;
import io.adlake.event.EventType;
import io.adlake.event.RawRecord;
import io.adlake.job.IngestJob;
import io.adlake.lake.AdlakeTables;
import io.adlake.lake.MergeMode;
import io.adlake.lake.TableSpec;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Every transformation that produces a table's rows returns exactly the columns of that table's
 * spec, in its order and of its types: the table's writer (an append or a MERGE by column) gets
 * what the DDL declared.
 */
class TableColumnsTest {
  /** The merge mode changes a table's properties, never its columns. */
  private static final MergeMode ANY_MODE = MergeMode.COPY_ON_WRITE;

  @Test
  void everyTransformationReturnsExactlyTheColumnsOfItsTable() {
    SparkSession spark = TestServices.spark();
    AdlakeConfig config = TestServices.config("table_columns");
    Map<TableSpec, Dataset<Row>> produced = new LinkedHashMap<>();

    // Ingest: parsed records of each stream flattened into bronze, bid requests also enriched.
    Map<EventType, Dataset<Row>> valid = new EnumMap<>(EventType.class);
    Map<EventType, Dataset<Row>> bronze = new EnumMap<>(EventType.class);
    for (EventType type : EventType.values()) {
      valid.put(type, EventParser.valid(EventParser.parse(noRawRecords(spark), type)));
      TableSpec spec = IngestJob.bronzeSpec(type);
      bronze.put(type, BronzeFlattening.flatten(type, valid.get(type), spec));
      produced.put(spec, bronze.get(type));
    }
    Dataset<Row> requests = bronze.get(EventType.BID_REQUEST);
    Dataset<Row> responses = bronze.get(EventType.BID_RESPONSE);
    Dataset<Row> impressions = bronze.get(EventType.IMPRESSION);
    Dataset<Row> clicks = bronze.get(EventType.CLICK);
    produced.put(
        AdlakeTables.bidRequestsEnriched(),
        RequestEnrichment.kept(
            RequestEnrichment.enrich(requests, config.ingest().usdRates()),
            AdlakeTables.bidRequestsEnriched()));

    // Attribution: parsed impressions and clicks, joined, enriched, one row per key.
    TableSpec attributed = AdlakeTables.enrichedAdData(config.attribution().table(), ANY_MODE);
    produced.put(
        attributed,
        Attribution.firstClickWins(
            Attribution.enrich(
                Attribution.join(
                    valid.get(EventType.IMPRESSION),
                    valid.get(EventType.CLICK),
                    config.attribution()),
                config.attribution(),
                attributed),
            attributed));

    // Metrics over bronze; the funnel rollup over funnel_events.
    TableSpec byGeo = AdlakeTables.hourlyImpressionsByGeo(ANY_MODE);
    produced.put(byGeo, Metrics.hourlyImpressionsByGeo(impressions, byGeo));
    TableSpec byBidder = AdlakeTables.rollingMetricsByBidder(ANY_MODE);
    produced.put(byBidder, Metrics.rollingMetricsByBidder(impressions, byBidder));
    TableSpec byCampaign = AdlakeTables.campaignMetrics5m(ANY_MODE);
    produced.put(
        byCampaign,
        Metrics.campaignMetrics5m(
            Metrics.withUser(impressions, requests),
            clicks,
            config.attribution().clickRevenueMultiplier(),
            byCampaign));
    // Conversions over bronze: last touch, journeys, credits; campaign metrics with them.
    Dataset<Row> conversions = ConversionAttribution.canonical(bronze.get(EventType.CONVERSION));
    Dataset<Row> touches = ConversionAttribution.touches(clicks, impressions);
    TableSpec attributedConversions = AdlakeTables.attributedConversions(ANY_MODE);
    Dataset<Row> lastTouch =
        ConversionAttribution.attribute(
            conversions,
            touches,
            config.conversions(),
            ReferenceData.constantRates(spark, config.ingest().usdRates()),
            attributedConversions);
    produced.put(attributedConversions, lastTouch);
    TableSpec journeys = AdlakeTables.conversionJourneys(ANY_MODE);
    Dataset<Row> journeyRows =
        ConversionAttribution.journeys(conversions, touches, config.conversions(), journeys);
    produced.put(journeys, journeyRows);
    TableSpec credits = AdlakeTables.attributionCredits(ANY_MODE);
    produced.put(
        credits,
        ConversionAttribution.credits(lastTouch, journeyRows, config.conversions(), credits));
    Dataset<Row> campaignsWithConversions =
        Metrics.campaignMetrics5m(
            Metrics.withUser(impressions, requests),
            clicks,
            lastTouch,
            config.attribution().clickRevenueMultiplier(),
            byCampaign);

    Dataset<Row> funnelEvents =
        Metrics.funnelEvents(
            requests,
            responses,
            impressions,
            clicks,
            config.aggregate(),
            AdlakeTables.funnelEvents());
    produced.put(AdlakeTables.funnelEvents(), funnelEvents);
    TableSpec byPublisher = AdlakeTables.hourlyFunnelByPublisher(ANY_MODE);
    produced.put(byPublisher, Metrics.hourlyFunnelByPublisher(funnelEvents, byPublisher));

    // A table may have more than one transformation: campaign metrics streamed and recomputed.
    List<Map.Entry<TableSpec, Dataset<Row>>> checked = new ArrayList<>(produced.entrySet());
    checked.add(Map.entry(byCampaign, campaignsWithConversions));
    List<String> differences = new ArrayList<>();
    checked.forEach(
        entry -> {
          TableSpec spec = entry.getKey();
          Dataset<Row> rows = entry.getValue();
          if (!List.of(rows.columns()).equals(spec.columnNames())) {
            differences.add(
                spec.name()
                    + " gets columns "
                    + List.of(rows.columns())
                    + ", declared "
                    + spec.columnNames());
            return;
          }
          StructField[] declared = spec.sparkSchema().fields();
          for (int i = 0; i < declared.length; i++) {
            DataType type = rows.schema().fields()[i].dataType();
            if (!type.equals(declared[i].dataType())) {
              differences.add(
                  spec.name()
                      + "."
                      + declared[i].name()
                      + " is "
                      + type.sql()
                      + ", declared "
                      + declared[i].dataType().sql());
            }
          }
        });
    assertEquals(List.of(), differences);
  }

  /** No records, in the shape every source delivers them: only the schemas matter here. */
  private static Dataset<Row> noRawRecords(SparkSession spark) {
    StructType schema =
        new StructType()
            .add(RawRecord.RAW, DataTypes.BinaryType)
            .add(RawRecord.SOURCE, DataTypes.StringType)
            .add(RawRecord.PARTITION, DataTypes.IntegerType)
            .add(RawRecord.OFFSET, DataTypes.LongType)
            .add(RawRecord.RECEIVED_AT, DataTypes.TimestampType);
    return spark.createDataFrame(List.of(), schema);
  }
}
