package io.adlake.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.adlake.TestServices;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.collection.Seq;

/**
 * Parsing of each event type on batch DataFrames, and the reason given for each kind of bad record.
 */
class EventParserTest {
  private static SparkSession spark;

  @BeforeAll
  static void spark() {
    spark = TestServices.spark();
  }

  @Test
  void impressionIsParsedFieldByField() {
    Row row =
        parseOne(
            EventType.IMPRESSION,
            """
        {"impression_id":"i-1","request_id":"r-1","response_id":"b-1","ad_id":"ad-1","campaign_id":"cmp-0001",
         "publisher_id":"pub-0001","event_timestamp":"2026-11-21T09:00:13.137Z","device_type":4,
         "geo_location":"USA","platform":"ios","ad_type":"banner","bid_price":12.5,"win_price":9.75,
         "bidder_id":"bidder-01","creative_id":"cr-1","ad_domain":"brand.example"}""");
    assertNull(row.getAs(EventParser.REASON));
    assertEquals("i-1", row.getAs("impression_id"));
    assertEquals("cmp-0001", row.getAs("campaign_id"));
    assertEquals(4, (int) row.getAs("device_type"));
    assertEquals(12.5, (double) row.getAs("bid_price"));
    assertEquals(9.75, (double) row.getAs("win_price"));
    assertEquals(
        Timestamp.from(Instant.parse("2026-11-21T09:00:13.137Z")),
        row.getAs(EventParser.EVENT_TIME));
    assertEquals("impressions", row.getAs(RawRecord.SOURCE));
    assertEquals(7L, (long) row.getAs(RawRecord.OFFSET));
  }

  @Test
  void clickIsParsedFieldByField() {
    Row row =
        parseOne(
            EventType.CLICK,
            """
        {"click_id":"c-1","impression_id":"i-1","request_id":"r-1","ad_id":"ad-1","campaign_id":"cmp-0001",
         "publisher_id":"pub-0001","event_timestamp":"2026-11-21T09:00:20.000Z","device_type":2,
         "geo_location":"DEU","platform":"web","click_price":0.42,"click_url":"https://brand.example/x"}""");
    assertNull(row.getAs(EventParser.REASON));
    assertEquals("c-1", row.getAs("click_id"));
    assertEquals(0.42, (double) row.getAs("click_price"));
    assertEquals(
        Timestamp.from(Instant.parse("2026-11-21T09:00:20Z")), row.getAs(EventParser.EVENT_TIME));
  }

  @Test
  void bidRequestKeepsItsNestedOpenRtbStructure() {
    Row row =
        parseOne(
            EventType.BID_REQUEST,
            """
        {"id":"r-1","imp":[{"id":"1","banner":{"w":300,"h":250},"bidfloor":1.5,"bidfloorcur":"EUR"}],
         "app":{"id":"app-1","bundle":"com.example.app","publisher":{"id":"pub-0001"}},
         "device":{"ip":"10.0.0.1","geo":{"country":"FRA","region":"FR-1"},"devicetype":4,"os":"Android"},
         "user":{"id":"u-1"},"at":1,"tmax":120,"cur":["USD"],"regs":{"coppa":0,"ext":{"gdpr":1}},
         "event_timestamp":"2026-11-21T09:00:00.000Z"}""");
    assertNull(row.getAs(EventParser.REASON));
    Row imp = row.<Seq<Row>>getAs("imp").apply(0);
    assertEquals(1.5, (double) imp.getAs("bidfloor"));
    assertEquals("EUR", imp.getAs("bidfloorcur"));
    assertEquals(300, (int) imp.<Row>getAs("banner").getAs("w"));
    assertEquals("FRA", row.<Row>getAs("device").<Row>getAs("geo").getAs("country"));
    assertEquals("pub-0001", row.<Row>getAs("app").<Row>getAs("publisher").getAs("id"));
    assertEquals(1, (int) row.<Row>getAs("regs").<Row>getAs("ext").getAs("gdpr"));
  }

  @Test
  void bidResponseKeepsSeatsAndBids() {
    Row row =
        parseOne(
            EventType.BID_RESPONSE,
            """
        {"id":"r-1","bidid":"b-1","seatbid":[{"seat":"bidder-01","bid":[{"id":"x","impid":"1","price":7.25,
         "adomain":["brand.example"],"crid":"cr-1","cid":"cmp-0001","adid":"ad-1"}]}],"cur":"USD",
         "event_timestamp":"2026-11-21T09:00:00.100Z"}""");
    assertNull(row.getAs(EventParser.REASON));
    Row seat = row.<Seq<Row>>getAs("seatbid").apply(0);
    assertEquals("bidder-01", seat.getAs("seat"));
    assertEquals(7.25, (double) seat.<Seq<Row>>getAs("bid").apply(0).getAs("price"));
  }

  @Test
  void eachKindOfBadRecordGetsItsReason() {
    String valid =
        "{\"click_id\":\"c\",\"impression_id\":\"i\",\"ad_id\":\"a\",\"campaign_id\":\"k\","
            + "\"event_timestamp\":\"2026-11-21T09:00:00.000Z\"";
    assertEquals(
        EventParser.MALFORMED, reason(EventType.CLICK, valid)); // truncated: no closing brace
    assertEquals(
        EventParser.MALFORMED, reason(EventType.CLICK, valid + ",\"click_price\":\"abc\"}"));
    assertEquals(EventParser.MALFORMED, reason(EventType.CLICK, "<html>502 Bad Gateway</html>"));
    assertEquals(
        EventParser.MALFORMED,
        reason(EventType.CLICK, new byte[] {(byte) 0xC3, 0x28, (byte) 0xFF, 0x00}));
    assertEquals(EventParser.MALFORMED, reason(EventType.CLICK, ""));
    assertEquals(
        EventParser.MISSING_FIELD_PREFIX + "click_id",
        reason(EventType.CLICK, valid.replace("\"click_id\":\"c\",", "") + "}"));
    assertEquals(
        EventParser.MISSING_FIELD_PREFIX + "ad_id",
        reason(EventType.CLICK, valid.replace("\"ad_id\":\"a\"", "\"ad_id\":\"\"") + "}"));
    assertEquals(
        EventParser.INVALID_TIMESTAMP,
        reason(
            EventType.CLICK, valid.replace("2026-11-21T09:00:00.000Z", "yesterday at noon") + "}"));
    assertNull(reason(EventType.CLICK, valid + "}"));
  }

  @Test
  void validAndInvalidSplitEveryRowExactlyOnce() {
    Dataset<Row> parsed =
        EventParser.parse(
            raw(
                List.of(
                    "{\"bad\"".getBytes(StandardCharsets.UTF_8),
                    ("{\"click_id\":\"c\",\"impression_id\":\"i\",\"ad_id\":\"a\",\"campaign_id\":\"k\","
                            + "\"event_timestamp\":\"2026-11-21T09:00:00.000Z\"}")
                        .getBytes(StandardCharsets.UTF_8))),
            EventType.CLICK);
    assertEquals(1, EventParser.valid(parsed).count());
    List<Row> invalid = EventParser.invalid(parsed).collectAsList();
    assertEquals(1, invalid.size());
    assertEquals(
        "{\"bad\"",
        new String((byte[]) invalid.get(0).getAs(RawRecord.RAW), StandardCharsets.UTF_8));
  }

  private static Row parseOne(EventType type, String json) {
    List<Row> rows =
        EventParser.parse(raw(List.of(json.getBytes(StandardCharsets.UTF_8))), type)
            .collectAsList();
    assertEquals(1, rows.size());
    return rows.get(0);
  }

  private static String reason(EventType type, String text) {
    return reason(type, text.getBytes(StandardCharsets.UTF_8));
  }

  private static String reason(EventType type, byte[] bytes) {
    return parseOneRaw(type, bytes).getAs(EventParser.REASON);
  }

  private static Row parseOneRaw(EventType type, byte[] bytes) {
    return EventParser.parse(raw(List.of(bytes)), type).collectAsList().get(0);
  }

  static Dataset<Row> raw(List<byte[]> values) {
    StructType schema =
        new StructType()
            .add(RawRecord.RAW, DataTypes.BinaryType)
            .add(RawRecord.SOURCE, DataTypes.StringType)
            .add(RawRecord.PARTITION, DataTypes.IntegerType)
            .add(RawRecord.OFFSET, DataTypes.LongType)
            .add(RawRecord.RECEIVED_AT, DataTypes.TimestampType);
    List<Row> rows = new ArrayList<>();
    for (byte[] value : values) {
      rows.add(
          RowFactory.create(
              value, "impressions", 0, 7L, Timestamp.from(Instant.parse("2026-11-21T10:00:00Z"))));
    }
    return spark.createDataFrame(rows, schema);
  }
}
