package io.adlake.cli;

import picocli.CommandLine.Option;

/** Options of the streaming commands. */
final class StreamingOptions {
  @Option(names = "--trigger", defaultValue = "processing-time", paramLabel = "TRIGGER",
      description = "processing-time (every adlake.streaming.trigger-interval, runs until stopped), "
          + "available-now (process what is there, then stop), or an interval such as 30s. "
          + "Default: ${DEFAULT-VALUE}.")
  String trigger;

  @Option(names = "--source", paramLabel = "kafka|files",
      description = "Read from Kafka or from the files source (default: adlake.source.type).")
  String source;

  String[] overrides() {
    return source == null ? new String[0] : new String[] {"adlake.source.type=" + source};
  }
}
