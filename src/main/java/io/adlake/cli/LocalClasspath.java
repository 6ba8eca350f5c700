package io.adlake.cli;

import io.adlake.config.ConfigurationException;

/** demo and bench embed a Kafka broker, which the cluster jar does not carry. */
final class LocalClasspath {
  private LocalClasspath() {}

  static void requireBroker(String command) {
    try {
      Class.forName("kafka.server.KafkaRaftServer", false, LocalClasspath.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new ConfigurationException("'" + command + "' embeds a Kafka broker, which the cluster jar does not "
          + "carry. Run it from a checkout with `make " + command + "` (or bin/adlake " + command + ").");
    }
  }
}
