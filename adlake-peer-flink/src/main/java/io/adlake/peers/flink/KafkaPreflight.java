package io.adlake.peers.flink;

import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Fails fast, with one clear message, when the broker cannot be reached or a topic is missing:
 * Flink's Kafka source would otherwise retry quietly for ever.
 */
final class KafkaPreflight {
  private static final int TIMEOUT_SECONDS = 15;

  private KafkaPreflight() {}

  static void requireTopics(String bootstrapServers, List<String> topics) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, TIMEOUT_SECONDS * 1000);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_SECONDS * 1000);
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "adlake-peer-flink-preflight");
    try (Admin admin = Admin.create(props)) {
      Set<String> existing;
      try {
        existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        throw new IllegalStateException(
            "Kafka broker at "
                + bootstrapServers
                + " is unreachable (no answer within "
                + TIMEOUT_SECONDS
                + " s): check --bootstrap-servers");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while reaching Kafka at " + bootstrapServers);
      }
      List<String> missing = topics.stream().filter(t -> !existing.contains(t)).toList();
      if (!missing.isEmpty()) {
        throw new IllegalStateException(
            "Kafka topic(s) "
                + missing
                + " do not exist at "
                + bootstrapServers
                + ": create them first (bin/adlake generate does)");
      }
    }
  }
}
