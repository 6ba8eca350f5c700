package io.adlake.peers.connect;

import java.nio.file.Path;
import java.util.Properties;
import org.apache.log4j.PropertyConfigurator;

/**
 * Sends every log line of the worker, the sink and Iceberg to {@code <work-dir>/peer.log}; stdout
 * stays free for the peer's status lines. reload4j, as a Kafka Connect distribution logs.
 */
final class PeerLogging {

  private PeerLogging() {}

  static Path configure(Path workDir) {
    Path file = workDir.resolve("peer.log");
    Properties p = new Properties();
    p.setProperty("log4j.rootLogger", "INFO, file");
    p.setProperty("log4j.appender.file", "org.apache.log4j.FileAppender");
    p.setProperty("log4j.appender.file.File", file.toString());
    p.setProperty("log4j.appender.file.Append", "true");
    p.setProperty("log4j.appender.file.layout", "org.apache.log4j.PatternLayout");
    p.setProperty("log4j.appender.file.layout.ConversionPattern", "[%d] %p [%t] %m (%c)%n");
    // Every Kafka client logs its full configuration at INFO: dozens of lines per client.
    p.setProperty("log4j.logger.org.apache.kafka.common.config.AbstractConfig", "WARN");
    p.setProperty("log4j.logger.org.apache.hadoop", "WARN");
    PropertyConfigurator.configure(p);
    return file;
  }
}
