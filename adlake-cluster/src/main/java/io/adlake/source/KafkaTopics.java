package io.adlake.source;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the stream topics that do not exist yet; an unreachable broker fails with its address.
 */
public final class KafkaTopics {
  private static final int TIMEOUT_SECONDS = 20;

  private KafkaTopics() {}

  /**
   * Fails fast, naming the setting to fix, when the brokers cannot be reached or a topic is
   * missing; Spark's own Kafka source would otherwise wait or fail with a bare client timeout.
   *
   * @param sourceOptions the source's extra options; {@code kafka.*} ones (security, SASL) apply
   *     here too
   */
  public static void requireTopics(
      String bootstrapServers, Map<String, String> sourceOptions, Collection<String> topics) {
    try (Admin admin = admin(bootstrapServers, sourceOptions)) {
      Set<String> existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      List<String> missing = topics.stream().filter(t -> !existing.contains(t)).sorted().toList();
      if (!missing.isEmpty()) {
        throw new IllegalStateException(
            "Kafka at "
                + bootstrapServers
                + " has no topic(s) "
                + missing
                + ". Create them (adlake generate creates them too) or fix adlake.streams.*");
      }
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "Kafka at "
              + bootstrapServers
              + " is not reachable (no answer within "
              + TIMEOUT_SECONDS
              + " s). Is the broker running, and is adlake.source.kafka.bootstrap-servers right?",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while checking Kafka topics", e);
    }
  }

  /** The offsets a partition holds: from {@code earliest} to {@code latest}, the next to write. */
  public record PartitionOffsets(long earliest, long latest) {}

  /**
   * The earliest and latest offsets of every partition of {@code topics}, from the brokers
   * (ListOffsets). Fails naming the broker and the setting when it does not answer, and naming the
   * topics that do not exist.
   *
   * @param sourceOptions the source's extra options; {@code kafka.*} ones (security, SASL) apply
   *     here too
   */
  public static Map<TopicPartition, PartitionOffsets> offsets(
      String bootstrapServers, Map<String, String> sourceOptions, Collection<String> topics) {
    try (Admin admin = admin(bootstrapServers, sourceOptions)) {
      Set<String> existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      List<String> missing = topics.stream().filter(t -> !existing.contains(t)).sorted().toList();
      if (!missing.isEmpty()) {
        throw new IllegalStateException(
            "Kafka at " + bootstrapServers + " has no topic(s) " + missing);
      }
      Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (TopicDescription d : describe(admin, topics)) {
        for (TopicPartitionInfo p : d.partitions()) {
          TopicPartition partition = new TopicPartition(d.name(), p.partition());
          earliest.put(partition, OffsetSpec.earliest());
          latest.put(partition, OffsetSpec.latest());
        }
      }
      var first = admin.listOffsets(earliest).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      var last = admin.listOffsets(latest).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      Map<TopicPartition, PartitionOffsets> offsets = new HashMap<>();
      first.forEach(
          (partition, info) ->
              offsets.put(
                  partition, new PartitionOffsets(info.offset(), last.get(partition).offset())));
      return offsets;
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "Kafka at "
              + bootstrapServers
              + " did not give the offsets of "
              + topics
              + " within "
              + TIMEOUT_SECONDS
              + " s ("
              + (e.getCause() == null ? e : e.getCause()).getMessage()
              + "). Is the broker running, and is adlake.source.kafka.bootstrap-servers right?",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while reading Kafka offsets", e);
    }
  }

  /**
   * Creation returns when the controller has the topic, and describeTopics shows a leader as soon
   * as the broker's metadata cache has it, which can be before the broker's replica manager leads
   * the partition: a first produce then gets NOT_LEADER_OR_FOLLOWER (seen in the test broker's
   * log), and on a loaded machine a producer was seen to hold such a batch until it expired. Wait
   * until every partition has a leader and answers ListOffsets, which the leader replica serves
   * under the same check as Produce.
   */
  private static void awaitLeaders(Admin admin, Collection<String> topics)
      throws InterruptedException, ExecutionException, TimeoutException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
    Exception last = null;
    while (true) {
      try {
        Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
        boolean led = true;
        for (TopicDescription d : describe(admin, topics)) {
          for (TopicPartitionInfo p : d.partitions()) {
            led &= p.leader() != null && !p.leader().isEmpty();
            partitions.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest());
          }
        }
        if (led) {
          admin.listOffsets(partitions).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
          return;
        }
      } catch (ExecutionException e) {
        last = e; // not known to the broker, or not led by its replica manager yet
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException(
            "partitions of "
                + topics
                + " are not ready on the broker after "
                + TIMEOUT_SECONDS
                + " s"
                + (last == null ? "" : ": " + last.getCause()));
      }
      Thread.sleep(100);
    }
  }

  private static Admin admin(String bootstrapServers, Map<String, String> sourceOptions) {
    Properties p = new Properties();
    sourceOptions.forEach(
        (k, v) -> {
          if (k.startsWith("kafka.")) {
            p.setProperty(k.substring("kafka.".length()), v);
          }
        });
    p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    p.setProperty(
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Integer.toString(TIMEOUT_SECONDS * 1000));
    return Admin.create(p);
  }

  public static void ensure(String bootstrapServers, Collection<String> topics, int partitions) {
    try (Admin admin = admin(bootstrapServers, Map.of())) {
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
        throw new IllegalStateException(
            "Cannot create topics "
                + topics
                + " on "
                + bootstrapServers
                + ": "
                + e.getCause().getMessage(),
            e);
      }
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "Kafka at "
              + bootstrapServers
              + " did not answer within "
              + TIMEOUT_SECONDS
              + " s. Is the broker "
              + "running and adlake.source.kafka.bootstrap-servers right?",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while creating topics", e);
    }
  }

  /** The topics' descriptions (partitions and their leaders), within the admin timeout. */
  private static Collection<TopicDescription> describe(Admin admin, Collection<String> topics)
      throws InterruptedException, ExecutionException, TimeoutException {
    return admin
        .describeTopics(topics)
        .allTopicNames()
        .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
        .values();
  }
}
