package io.adlake.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.adlake.avro.AvroGeneration;
import io.adlake.config.AdlakeConfig;
import io.adlake.config.AdlakeConfig.GeneratorSettings;
import io.adlake.config.AdlakeConfig.KinesisSettings;
import io.adlake.config.ConfigLoader;
import io.adlake.event.ConversionTruth.ExpectedConversion;
import io.adlake.event.EventSink;
import io.adlake.event.EventType;
import io.adlake.event.FileEventSink;
import io.adlake.event.FunnelGenerator;
import io.adlake.event.FunnelGenerator.ExpectedAttribution;
import io.adlake.event.FunnelGenerator.Run;
import io.adlake.event.FunnelGenerator.Summary;
import io.adlake.event.GeneratedReferenceData;
import io.adlake.event.GenerationProgress;
import io.adlake.event.KafkaEventSink;
import io.adlake.event.KinesisEventSink;
import io.adlake.event.KinesisRecordWriter;
import io.adlake.source.KafkaTopics;
import io.adlake.source.KinesisStreams;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import software.amazon.awssdk.services.kinesis.KinesisClient;

@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description =
        "Generate a correlated OpenRTB funnel (bid requests, responses, impressions, clicks) and "
            + "the conversions that follow into Kafka topics, Kinesis streams or JSON-lines files.")
final class GenerateCommand implements Callable<Integer> {
  enum Target {
    kafka,
    files,
    kinesis
  }

  @Mixin EnvOptions env;

  @Option(
      names = "--count",
      paramLabel = "N",
      description =
          "Generate about N events (all streams), as fast as "
              + "the target takes them; event time advances at adlake.generator.event-rate per second.")
  long count;

  @Option(
      names = "--rate",
      paramLabel = "EVENTS_PER_S",
      description =
          "Pace the run at this many events per "
              + "second of wall clock (with --duration); event time follows the clock.")
  Double rate;

  @Option(
      names = "--duration",
      paramLabel = "DURATION",
      description = "How long a --rate run lasts, e.g. 60s, 5m.")
  String duration;

  @Option(names = "--seed", description = "Random seed (default: adlake.generator.seed).")
  Long seed;

  @Option(
      names = "--start",
      paramLabel = "INSTANT",
      description =
          "Event time of the first request, ISO-8601 "
              + "(default: now). The same seed and start give the same events, byte for byte.")
  Instant start;

  @Option(
      names = "--to",
      defaultValue = "kafka",
      description = "kafka, kinesis or files " + "(default: ${DEFAULT-VALUE}).")
  Target target;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "Root directory for --to files " + "(default: adlake.source.files.path).")
  Path out;

  @Option(
      names = "--partitions",
      defaultValue = "2",
      description =
          "Partitions of the topics, or shards of the "
              + "Kinesis streams, it creates (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      description =
          "json or avro (Confluent wire format, schemas "
              + "registered in --schema-registry); default: adlake.source.format.")
  AdlakeConfig.RecordFormat format;

  @Option(
      names = "--schema-registry",
      paramLabel = "URL",
      description =
          "Confluent-compatible schema registry for "
              + "--format avro (default: adlake.source.schema-registry.url), e.g. http://127.0.0.1:8081 or Apicurio's "
              + "http://host:8080/apis/ccompat/v7.")
  String schemaRegistry;

  @Option(
      names = "--writer-schema",
      paramLabel = "STREAM=FILE",
      description =
          "With --format avro: write STREAM "
              + "(bid-requests, bid-responses, impressions, clicks, conversions) with the Avro schema in FILE instead of its current one "
              + "from schemas/avro/, e.g. impressions=schemas/avro/history/impression.v1.avsc (an older producer).")
  Map<String, Path> writerSchemas = Map.of();

  @Option(
      names = "--truth",
      paramLabel = "FILE",
      description =
          "Also write the expected attributions as JSON "
              + "lines to FILE: each click attribution (kind click, ad_id, impression_id, click_id, ...) and each "
              + "conversion's (kind conversion, conversion_id, attribution, touch_id, ...).")
  Path truth;

  @Option(
      names = "--dims",
      paramLabel = "DIR",
      description =
          "Also write the reference data of the generated campaigns and advertisers (and the "
              + "rates) as CSV into DIR, for dims load: campaigns.csv, advertisers.csv, "
              + "currency_rates.csv.")
  Path dims;

  @Override
  public Integer call() throws Exception {
    List<String> overrides = new ArrayList<>();
    if (seed != null) {
      overrides.add("adlake.generator.seed=" + seed);
    }
    if (format != null) {
      overrides.add("adlake.source.format=" + format.name().toLowerCase(Locale.ROOT));
    }
    if (schemaRegistry != null) {
      overrides.add("adlake.source.schema-registry.url=" + schemaRegistry);
    }
    if (target == Target.files && format == AdlakeConfig.RecordFormat.AVRO) {
      throw new picocli.CommandLine.ParameterException(
          new picocli.CommandLine(this),
          "--to files writes JSON lines; --format avro needs --to kafka or --to kinesis");
    }
    // The files target writes JSON whatever the source's format; the check of adlake.source.format
    // = avro
    // against the files source is the streaming jobs' concern.
    AdlakeConfig config =
        env.load(
            target == Target.files
                ? overrides.stream()
                    .filter(o -> !o.startsWith("adlake.source.format="))
                    .toArray(String[]::new)
                : overrides.toArray(String[]::new));
    Run run = run(config.generator());
    if (dims != null) {
      new GeneratedReferenceData(config)
          .write(dims, run.start().atZone(java.time.ZoneOffset.UTC).toLocalDate())
          .forEach((table, file) -> System.out.println("  " + table + ": " + file));
    }
    FunnelGenerator generator = new FunnelGenerator(config);
    GenerationProgress progress = new GenerationProgress(System.out, run.count());
    Summary summary;
    try (EventSink sink = sink(config, run)) {
      summary = generator.generate(run, sink, progress);
    }
    progress.finish(summary);
    if (truth != null) {
      writeTruth(summary);
    }
    return 0;
  }

  private Run run(GeneratorSettings settings) {
    Instant from = start != null ? start : Instant.now().truncatedTo(ChronoUnit.SECONDS);
    if (rate != null) {
      if (duration == null) {
        throw new picocli.CommandLine.ParameterException(
            new picocli.CommandLine(this),
            "--rate needs --duration (e.g. --rate 2000 --duration 60s)");
      }
      return FunnelGenerator.Run.paced(rate, ConfigLoader.duration(duration, "--duration"), from);
    }
    if (count <= 0) {
      throw new picocli.CommandLine.ParameterException(
          new picocli.CommandLine(this), "Give --count N, or --rate R with --duration D");
    }
    return FunnelGenerator.Run.count(count, settings.eventRate(), from);
  }

  private EventSink sink(AdlakeConfig config, Run run) throws IOException {
    EventSink sink = plainSink(config, run);
    if (target == Target.files || config.source().format() != AdlakeConfig.RecordFormat.AVRO) {
      return sink;
    }
    try {
      return AvroGeneration.sink(
          sink, config, AvroGeneration.writerSchemas(writerSchemas), System.out);
    } catch (RuntimeException e) {
      sink.close();
      throw e;
    }
  }

  private EventSink plainSink(AdlakeConfig config, Run run) {
    if (target == Target.files) {
      Path root = out != null ? out : Path.of(config.source().files().path());
      System.out.printf(
          "Writing JSON lines under %s (one directory per stream)%n", root.toAbsolutePath());
      return new FileEventSink(root, config.streams(), 50_000, run.start().getEpochSecond() + "");
    }
    if (target == Target.kinesis) {
      return kinesisSink(config);
    }
    String servers = config.source().kafka().bootstrapServers();
    KafkaTopics.ensure(
        servers,
        Arrays.stream(EventType.values()).map(t -> t.streamName(config.streams())).toList(),
        partitions);
    System.out.printf("Writing to Kafka at %s%n", servers);
    return new KafkaEventSink(servers, config.streams(), config.source().kafka().options());
  }

  /**
   * Creates the four streams when missing (--partitions shards each), then writes with PutRecords.
   */
  private EventSink kinesisSink(AdlakeConfig config) {
    KinesisSettings kinesis = config.source().kinesis();
    KinesisClient client = KinesisStreams.connect(kinesis.connection());
    try {
      KinesisStreams.ensure(
          client,
          kinesis.connection(),
          Arrays.stream(EventType.values()).map(t -> t.streamName(config.streams())).toList(),
          partitions);
    } catch (RuntimeException e) {
      client.close();
      throw e;
    }
    System.out.printf("Writing to Kinesis at %s%n", kinesis.connection().endpoint());
    return new KinesisEventSink(
        new KinesisRecordWriter(client, kinesis.putRetry()), config.streams());
  }

  private void writeTruth(Summary summary) throws IOException {
    ObjectMapper json = new ObjectMapper();
    try (BufferedWriter w = Files.newBufferedWriter(truth)) {
      for (ExpectedAttribution e : summary.expected()) {
        Map<String, Object> row = new TreeMap<>();
        row.put("kind", "click");
        row.put("ad_id", e.adId());
        row.put("impression_id", e.impressionId());
        row.put("click_id", e.clickId());
        row.put("campaign_id", e.campaignId());
        row.put("impression_time", e.impressionTime().toString());
        row.put("click_time", e.clickTime().toString());
        w.write(json.writeValueAsString(row));
        w.newLine();
      }
      for (ExpectedConversion c : summary.conversions()) {
        Map<String, Object> row = new TreeMap<>();
        row.put("kind", "conversion");
        row.put("conversion_id", c.conversionId());
        row.put("user_id", c.userId());
        row.put("conversion_time", c.conversionTime().toString());
        row.put("value_usd", c.valueUsd());
        row.put("attribution", c.attribution());
        row.put("touch_id", c.touchId());
        row.put("touch_time", c.touchTime() == null ? null : c.touchTime().toString());
        row.put("campaign_id", c.campaignId());
        row.put("ad_id", c.adId());
        row.put("publisher_id", c.publisherId());
        row.put("seconds_to_convert", c.secondsToConvert());
        w.write(json.writeValueAsString(row));
        w.newLine();
      }
    }
    System.out.printf(
        "Wrote %,d expected click attributions and %,d expected conversion attributions to %s%n",
        summary.expected().size(), summary.conversions().size(), truth);
  }
}
