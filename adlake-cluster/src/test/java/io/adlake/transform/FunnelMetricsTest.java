package io.adlake.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.adlake.TestServices;
import io.adlake.config.AdlakeConfig;
import io.adlake.lake.AdlakeTables;
import io.adlake.lake.MergeMode;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * hourly_funnel_by_publisher on a small fixed event set whose counts are worked out by hand below.
 */
class FunnelMetricsTest {
  private static SparkSession spark;

  @BeforeAll
  static void spark() {
    spark = TestServices.spark();
  }

  @Test
  void eachEventCountsInTheHourOfItsRequestWhenItFollowsWithinTheConfiguredDelay() {
    AdlakeConfig.AggregateSettings settings = TestServices.config("funnel_metrics").aggregate();
    assertEquals(Duration.ofSeconds(5), settings.responseWithin(), "defaults: 5 s, 10 s, 60 s");

    Dataset<Row> requests =
        rows(
            "request_id STRING, imp_id STRING, publisher_id STRING, event_timestamp TIMESTAMP",
            List.of(
                // pub-a, hour 10: r1 has two ad slots; r2 one; r3 one (its response comes too
                // late).
                new Object[] {"r1", "1", "pub-a", ts("10:59:58")},
                new Object[] {"r1", "2", "pub-a", ts("10:59:58")},
                new Object[] {"r2", "1", "pub-a", ts("10:10:00")},
                new Object[] {"r3", "1", "pub-a", ts("10:20:00")},
                // pub-b, hour 11; and a request without publisher.
                new Object[] {"r4", "1", "pub-b", ts("11:00:00")},
                new Object[] {"r5", "1", null, ts("11:30:00")}));
    Dataset<Row> responses =
        rows(
            "request_id STRING, imp_id STRING, response_id STRING, event_timestamp TIMESTAMP",
            List.of(
                new Object[] {
                  "r1", "1", "s1", ts("11:00:03")
                }, // 5 s after its request: counts, in hour 10
                new Object[] {"r1", "2", "s1b", ts("10:59:58")}, // same instant: counts
                new Object[] {"r2", "1", "s2", ts("10:10:01")},
                new Object[] {"r3", "1", "s3", ts("10:20:05.001")}, // 5.001 s: outside
                new Object[] {"r4", "1", "s4", ts("11:00:00.500")},
                new Object[] {"r5", "9", "s5", ts("11:30:01")})); // no such ad slot
    Dataset<Row> impressions =
        rows(
            "response_id STRING, impression_id STRING, event_timestamp TIMESTAMP",
            List.of(
                new Object[] {
                  "s1", "i1", ts("11:00:13")
                }, // 10 s after its response: counts, in hour 10
                new Object[] {"s2", "i2", ts("10:10:12")}, // 11 s: outside
                new Object[] {"s3", "i3", ts("10:20:06")}, // its response is not in the funnel
                new Object[] {"s4", "i4", ts("11:00:01")}));
    Dataset<Row> clicks =
        rows(
            "click_id STRING, impression_id STRING, event_timestamp TIMESTAMP",
            List.of(
                new Object[] {"c1", "i1", ts("11:01:13")}, // 60 s: counts
                new Object[] {"c2", "i1", ts("11:01:14")}, // 61 s: outside
                new Object[] {"c3", "i2", ts("10:10:20")}, // its impression is not in the funnel
                new Object[] {"c4", "i4", ts("11:00:30")},
                new Object[] {
                  "c5", "i4", ts("11:00:59")
                })); // a second click within the delay counts too

    Map<String, Row> funnel = new TreeMap<>();
    for (Row row :
        Metrics.hourlyFunnelByPublisher(
                requests,
                responses,
                impressions,
                clicks,
                settings,
                AdlakeTables.hourlyFunnelByPublisher(MergeMode.COPY_ON_WRITE))
            .selectExpr(
                "concat(date_format(window_start, 'HH'), ' ', publisher_id)",
                "bid_requests",
                "bid_responses",
                "impressions",
                "clicks",
                "fill_rate",
                "win_rate",
                "ctr")
            .collectAsList()) {
      funnel.put(row.getString(0), row);
    }

    assertEquals(List.of("10 pub-a", "11 UNKNOWN", "11 pub-b"), List.copyOf(funnel.keySet()));
    assertCounts(funnel.get("10 pub-a"), 4, 3, 1, 1);
    assertEquals(0.75, funnel.get("10 pub-a").getDouble(5), 1e-12);
    assertEquals(1.0 / 3, funnel.get("10 pub-a").getDouble(6), 1e-12);
    assertEquals(1.0, funnel.get("10 pub-a").getDouble(7), 1e-12);
    assertCounts(funnel.get("11 pub-b"), 1, 1, 1, 2);
    assertEquals(2.0, funnel.get("11 pub-b").getDouble(7), 1e-12);
    assertCounts(funnel.get("11 UNKNOWN"), 1, 0, 0, 0);
    assertNull(funnel.get("11 UNKNOWN").get(6), "no responses: no win rate");
    assertNull(funnel.get("11 UNKNOWN").get(7), "no impressions: no CTR");
  }

  private static void assertCounts(
      Row row, long requests, long responses, long impressions, long clicks) {
    assertEquals(
        List.of(requests, responses, impressions, clicks),
        List.of(row.getLong(1), row.getLong(2), row.getLong(3), row.getLong(4)),
        row.getString(0));
  }

  private static Timestamp ts(String time) {
    return Timestamp.from(Instant.parse("2026-11-21T" + time + "Z"));
  }

  private static Dataset<Row> rows(String ddl, List<Object[]> values) {
    return spark.createDataFrame(
        values.stream().map(RowFactory::create).toList(), StructType.fromDDL(ddl));
  }
}
