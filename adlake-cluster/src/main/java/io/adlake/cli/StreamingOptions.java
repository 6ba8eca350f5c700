package io.adlake.cli;

import picocli.CommandLine.Option;

/** Options of the streaming commands. */
final class StreamingOptions {
  @Option(
      names = "--trigger",
      defaultValue = "processing-time",
      paramLabel = "TRIGGER",
      description =
          "processing-time (every adlake.streaming.trigger-interval, runs until stopped), "
              + "available-now (process what is there, then stop), or an interval such as 30s. "
              + "Default: ${DEFAULT-VALUE}.")
  String trigger;

  @Option(
      names = "--source",
      paramLabel = "kafka|files|kinesis",
      description = "Read from Kafka, the files source or Kinesis (default: adlake.source.type).")
  String source;

  String[] overrides() {
    return source == null ? new String[0] : new String[] {"adlake.source.type=" + source};
  }
}
