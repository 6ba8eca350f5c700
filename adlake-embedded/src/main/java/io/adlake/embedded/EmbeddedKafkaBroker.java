package io.adlake.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.utils.Time;

/**
 * A real single-node Kafka broker in KRaft mode (broker and controller in one process), bound to
 * 127.0.0.1 on free ports. For {@code demo}, {@code bench} and the tests; never used on a cluster.
 *
 * <p>In-process, or as a child JVM of its own ({@link #main}): a test that runs Spark of another
 * Scala line in child processes starts the broker that way, with this module's classpath.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
  private final Path logDir;
  private final int brokerPort;
  private final KafkaRaftServer server;

  private EmbeddedKafkaBroker(Path logDir, int brokerPort, KafkaRaftServer server) {
    this.logDir = logDir;
    this.brokerPort = brokerPort;
    this.server = server;
  }

  /**
   * {@code EmbeddedKafkaBroker <log dir>}: starts a broker, prints {@code READY <bootstrap
   * servers>} on a line of its own and runs until standard input closes (its parent ends) or the
   * JVM is stopped.
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: EmbeddedKafkaBroker <log dir>");
      System.exit(2);
    }
    EmbeddedKafkaBroker broker = start(Path.of(args[0]));
    Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "embedded-broker-shutdown"));
    System.out.println("READY " + broker.bootstrapServers());
    System.out.flush();
    while (System.in.read() >= 0) {
      // The parent is still there: keep running.
    }
    System.exit(0);
  }

  /**
   * Formats {@code logDir} and starts the broker; returns once the broker answers metadata
   * requests.
   */
  public static EmbeddedKafkaBroker start(Path logDir) throws IOException {
    return start(logDir, freePort());
  }

  /**
   * Starts on a given port; a restart on the same port and log dir keeps every topic and offset.
   */
  public static EmbeddedKafkaBroker start(Path logDir, int brokerPort) throws IOException {
    Files.createDirectories(logDir);
    int controllerPort = freePort();
    Properties props = serverProperties(logDir, brokerPort, controllerPort);
    Path configFile = logDir.resolve("server.properties");
    if (!Files.exists(logDir.resolve("meta.properties"))) {
      try (Writer out = Files.newBufferedWriter(configFile)) {
        props.store(out, "adlake embedded broker");
      }
      format(configFile);
    }
    KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
    server.startup();
    EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(logDir, brokerPort, server);
    broker.awaitReady(Duration.ofSeconds(60));
    return broker;
  }

  private static Properties serverProperties(Path logDir, int brokerPort, int controllerPort) {
    Properties p = new Properties();
    p.setProperty("process.roles", "broker,controller");
    p.setProperty("node.id", "1");
    p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    p.setProperty(
        "listeners",
        "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
    p.setProperty("controller.listener.names", "CONTROLLER");
    p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.setProperty("inter.broker.listener.name", "PLAINTEXT");
    p.setProperty("log.dirs", logDir.toAbsolutePath().toString());
    p.setProperty("offsets.topic.replication.factor", "1");
    p.setProperty("transaction.state.log.replication.factor", "1");
    p.setProperty("transaction.state.log.min.isr", "1");
    p.setProperty("num.partitions", "2");
    p.setProperty("group.initial.rebalance.delay.ms", "0");
    p.setProperty("auto.create.topics.enable", "false");
    // Nothing is ever deleted by retention during a demo or test run.
    p.setProperty("log.retention.ms", "-1");
    return p;
  }

  private static void format(Path configFile) {
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    String[] args = {
      "format",
      "--cluster-id",
      Uuid.randomUuid().toString(),
      "--config",
      configFile.toString(),
      "--ignore-formatted"
    };
    // StorageTool.main calls System.exit; execute returns the exit code instead.
    int code = StorageTool.execute(args, new PrintStream(output, true, StandardCharsets.UTF_8));
    if (code != 0) {
      throw new IllegalStateException(
          "Formatting the Kafka log dir failed (exit "
              + code
              + "): "
              + output.toString(StandardCharsets.UTF_8));
    }
  }

  private void awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      try (Admin admin = admin()) {
        admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
        return;
      } catch (Exception e) {
        last = new IllegalStateException(e);
      }
    }
    throw new IllegalStateException(
        "Embedded Kafka broker on "
            + bootstrapServers()
            + " did not become ready in "
            + timeout.toSeconds()
            + " s",
        last);
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + brokerPort;
  }

  public int port() {
    return brokerPort;
  }

  public Path logDir() {
    return logDir;
  }

  public Admin admin() {
    Properties p = new Properties();
    p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    p.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    p.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000");
    return Admin.create(p);
  }

  /**
   * Creates the topics that do not exist yet, with the given number of partitions each, and returns
   * once every partition of each has a leader.
   */
  public void createTopics(Collection<String> topics, int partitions) {
    try (Admin admin = admin()) {
      Set<String> existing = admin.listTopics().names().get(20, TimeUnit.SECONDS);
      List<NewTopic> missing =
          topics.stream()
              .distinct()
              .filter(t -> !existing.contains(t))
              .map(t -> new NewTopic(t, partitions, (short) 1))
              .toList();
      admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!allHaveLeaders(admin, topics)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "Topics " + topics + " have partitions without a leader after 30 s");
        }
        Thread.sleep(100);
      }
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "Cannot create topics " + topics + " on " + bootstrapServers(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while creating topics " + topics, e);
    }
  }

  /**
   * Whether every partition of the topics has a leader; false, not an error, while the broker's
   * metadata does not know a just-created topic yet.
   */
  private static boolean allHaveLeaders(Admin admin, Collection<String> topics)
      throws ExecutionException, TimeoutException, InterruptedException {
    Collection<TopicDescription> described;
    try {
      described = admin.describeTopics(topics).allTopicNames().get(20, TimeUnit.SECONDS).values();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return false;
      }
      throw e;
    }
    return described.stream()
        .flatMap(t -> t.partitions().stream())
        .allMatch(p -> p.leader() != null);
  }

  @Override
  public void close() {
    server.shutdown();
    server.awaitShutdown();
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }
}
