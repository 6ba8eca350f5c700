package io.adlake.source;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the stream topics that do not exist yet; an unreachable broker fails with its address. */
public final class KafkaTopics {
  private static final int TIMEOUT_SECONDS = 20;

  private KafkaTopics() {}

  /**
   * Fails fast, naming the setting to fix, when the brokers cannot be reached or a topic is missing;
   * Spark's own Kafka source would otherwise wait or fail with a bare client timeout.
   *
   * @param sourceOptions the source's extra options; {@code kafka.*} ones (security, SASL) apply here too
   */
  public static void requireTopics(String bootstrapServers, java.util.Map<String, String> sourceOptions,
      Collection<String> topics) {
    try (Admin admin = admin(bootstrapServers, sourceOptions)) {
      Set<String> existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      List<String> missing = topics.stream().filter(t -> !existing.contains(t)).sorted().toList();
      if (!missing.isEmpty()) {
        throw new IllegalStateException("Kafka at " + bootstrapServers + " has no topic(s) " + missing
            + ". Create them (adlake generate creates them too) or fix adlake.streams.*");
      }
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("Kafka at " + bootstrapServers + " is not reachable (no answer within "
          + TIMEOUT_SECONDS + " s). Is the broker running, and is adlake.source.kafka.bootstrap-servers right?", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while checking Kafka topics", e);
    }
  }

  /**
   * Creation returns when the controller has the topic; a producer that writes before every partition has a
   * leader on the broker can see its records expire (seen in tests). Wait until they all do.
   */
  private static void awaitLeaders(Admin admin, Collection<String> topics)
      throws InterruptedException, ExecutionException, TimeoutException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
    while (true) {
      boolean ready;
      try {
        ready = admin.describeTopics(topics).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).values().stream()
            .allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
      } catch (ExecutionException e) {
        ready = false; // not known to the broker yet
      }
      if (ready) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("partitions of " + topics + " have no leader after " + TIMEOUT_SECONDS + " s");
      }
      Thread.sleep(100);
    }
  }

  private static Admin admin(String bootstrapServers, java.util.Map<String, String> sourceOptions) {
    Properties p = new Properties();
    sourceOptions.forEach((k, v) -> {
      if (k.startsWith("kafka.")) {
        p.setProperty(k.substring("kafka.".length()), v);
      }
    });
    p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    p.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Integer.toString(TIMEOUT_SECONDS * 1000));
    return Admin.create(p);
  }

  public static void ensure(String bootstrapServers, Collection<String> topics, int partitions) {
    try (Admin admin = admin(bootstrapServers, java.util.Map.of())) {
      Set<String> existing = admin.listTopics().names().get(20, TimeUnit.SECONDS);
      List<NewTopic> missing = new ArrayList<>();
      for (String topic : topics) {
        if (!existing.contains(topic)) {
          missing.add(new NewTopic(topic, partitions, (short) 1));
        }
      }
      if (!missing.isEmpty()) {
        admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
      }
      awaitLeaders(admin, topics);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("Cannot create topics " + topics + " on " + bootstrapServers + ": "
            + e.getCause().getMessage(), e);
      }
    } catch (TimeoutException e) {
      throw new IllegalStateException("Kafka at " + bootstrapServers + " did not answer within " + TIMEOUT_SECONDS
          + " s. Is the broker "
          + "running and adlake.source.kafka.bootstrap-servers right?", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while creating topics", e);
    }
  }
}
