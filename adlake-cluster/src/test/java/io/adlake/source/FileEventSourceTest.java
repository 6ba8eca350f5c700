package io.adlake.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.adlake.TestServices;
import io.adlake.config.AdlakeConfig;
import io.adlake.event.EventType;
import io.adlake.event.FileEventSink;
import io.adlake.event.FunnelGenerator;
import io.adlake.event.FunnelGenerator.Summary;
import io.adlake.event.KafkaEventSink;
import io.adlake.job.AttributionJob;
import io.adlake.job.ProgressLog;
import io.adlake.job.RecordingProgressLog;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Test;

/** The same events through the files source and the Kafka source give the same table. */
class FileEventSourceTest {
  private static final String[] FUNNEL = {
    "adlake.generator.click-rate=0.3",
    "adlake.source.files.max-files-per-trigger=3",
    "adlake.source.kafka.max-offsets-per-trigger=2000"
  };

  @Test
  void filesSourceGivesTheSameRowsAsTheKafkaSource() throws Exception {
    TestServices.broker();
    SparkSession spark = TestServices.spark();
    AdlakeConfig kafka = TestServices.config("via_kafka", FUNNEL);
    AdlakeConfig files =
        TestServices.config("via_files", concat(FUNNEL, "adlake.source.type=files"));
    Instant start = Instant.parse("2026-11-21T15:00:00Z");

    TestServices.broker()
        .createTopics(List.of(kafka.streams().impressions(), kafka.streams().clicks()), 2);
    Summary viaKafka;
    try (KafkaEventSink sink =
        new KafkaEventSink(TestServices.broker().bootstrapServers(), kafka.streams(), Map.of())) {
      viaKafka = generator(kafka).generate(run(start), sink, s -> {});
    }
    Summary viaFiles;
    try (FileEventSink sink =
        new FileEventSink(Path.of(files.source().files().path()), files.streams(), 1500, "t")) {
      viaFiles = generator(files).generate(run(start), sink, s -> {});
    }
    assertEquals(
        viaKafka.expected(), viaFiles.expected(), "the same seed and start give the same events");

    AttributionJob.start(
            spark,
            kafka,
            EventSource.from(kafka),
            Trigger.AvailableNow(),
            new ProgressLog(System.out))
        .awaitTermination();
    RecordingProgressLog filesLog = new RecordingProgressLog(System.out);
    AttributionJob.start(spark, files, EventSource.from(files), Trigger.AvailableNow(), filesLog)
        .awaitTermination();

    assertTrue(
        filesLog.commits().stream().filter(c -> c.rows() > 0).count() > 1, "several file batches");
    List<Row> fromKafka = rows(spark, kafka);
    List<Row> fromFiles = rows(spark, files);
    assertEquals(viaKafka.expected().size(), fromKafka.size());
    assertEquals(fromKafka, fromFiles);
  }

  private static String[] concat(String[] a, String b) {
    String[] out = Arrays.copyOf(a, a.length + 1);
    out[a.length] = b;
    return out;
  }

  private static FunnelGenerator generator(AdlakeConfig config) {
    return new FunnelGenerator(config);
  }

  private static FunnelGenerator.Run run(Instant start) {
    return FunnelGenerator.Run.count(25_000, 2000, start)
        .onlyStreams(Set.of(EventType.IMPRESSION, EventType.CLICK));
  }

  /** Every column but processed_time (when the batch ran), in key order. */
  private static List<Row> rows(SparkSession spark, AdlakeConfig config) {
    return spark
        .table(config.catalog().qualified(config.attribution().table()))
        .drop("processed_time")
        .orderBy("ad_id", "impression_id")
        .collectAsList();
  }
}
