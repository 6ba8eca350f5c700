package io.adlake.peers.connect;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.connect.cli.ConnectStandalone;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;
import org.apache.kafka.connect.util.FutureCallback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka Connect peer of adlake's bronze ingest (issue 18): Iceberg's Kafka Connect sink in an
 * embedded standalone Connect worker, the four event topics into the tables {@code
 * <namespace>.bid_requests}, {@code .bid_responses}, {@code .impressions} and {@code .clicks} of an
 * Iceberg Hadoop catalog.
 *
 * <p>The contract a benchmark driver relies on: arguments as in {@link PeerArguments#USAGE}; prints
 * {@code PEER READY} on its own stdout line once the connector's tasks run; runs until its standard
 * input closes or it gets SIGTERM, then stops the worker and prints {@code PEER STOPPED …}; prints
 * {@code PEER FAILED …} and exits 3 if the connector or a task fails. Bad arguments: one line on
 * stderr, exit 2; a broker it cannot reach or a topic that is missing: exit 1. Logs go to {@code
 * <work-dir>/peer.log}.
 */
public final class ConnectIngestPeer {

  private static final Duration BROKER_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration START_TIMEOUT = Duration.ofMinutes(2);
  private static final Duration STATUS_POLL = Duration.ofMillis(500);

  private final PeerArguments args;
  private final PeerConnectorPlan plan;
  private final PrintStream status;
  private final Logger log = LoggerFactory.getLogger(ConnectIngestPeer.class);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile Connect<StandaloneHerder> connect;

  ConnectIngestPeer(PeerArguments args, PrintStream status) {
    this.args = args;
    this.plan = PeerConnectorPlan.of(args);
    this.status = status;
  }

  public static void main(String[] argv) {
    if (argv.length == 1 && argv[0].equals("--help")) {
      System.out.println(PeerArguments.USAGE);
      return;
    }
    PeerArguments args;
    try {
      args = PeerArguments.parse(argv);
      Files.createDirectories(args.workDir());
    } catch (IllegalArgumentException | IOException e) {
      System.err.println("ConnectIngestPeer: " + e.getMessage() + " (--help for usage)");
      System.exit(2);
      return;
    }
    PeerLogging.configure(args.workDir());
    ConnectIngestPeer peer = new ConnectIngestPeer(args, System.out);
    try {
      peer.prepareTopics();
    } catch (PeerException e) {
      System.err.println("ConnectIngestPeer: " + e.getMessage());
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(peer::stop, "peer-shutdown"));
    watchStandardInput();
    try {
      peer.start();
      peer.status.println("PEER READY");
      peer.status.flush();
      peer.superviseUntilStopped();
    } catch (PeerException e) {
      peer.log.error("Peer failed", e);
      peer.status.println("PEER FAILED " + e.getMessage());
      peer.status.flush();
      System.exit(3);
    }
  }

  /**
   * Checks that the broker answers and the event topics exist, and creates the sink's control topic
   * and the dead-letter topic (the broker does not create topics on demand).
   */
  void prepareTopics() {
    try (Admin admin = admin()) {
      long timeout = BROKER_TIMEOUT.toMillis();
      admin.describeCluster().clusterId().get(timeout, TimeUnit.MILLISECONDS);
      Set<String> existing = admin.listTopics().names().get(timeout, TimeUnit.MILLISECONDS);
      List<String> missing =
          args.topics().stream().filter(topic -> !existing.contains(topic)).toList();
      if (!missing.isEmpty()) {
        throw new PeerException("topics missing on " + args.bootstrapServers() + ": " + missing);
      }
      List<NewTopic> topics = new ArrayList<>();
      // One partition: the sink's coordinator and workers exchange commit events in order.
      topics.add(new NewTopic(plan.controlTopic(), 1, (short) 1));
      topics.add(new NewTopic(plan.deadLetterTopic(), 1, (short) 1));
      for (var created : admin.createTopics(topics).values().entrySet()) {
        try {
          created.getValue().get(timeout, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      }
    } catch (TimeoutException e) {
      throw new PeerException(
          "Kafka broker at "
              + args.bootstrapServers()
              + " did not answer within "
              + BROKER_TIMEOUT.toSeconds()
              + " s");
    } catch (ExecutionException e) {
      throw new PeerException(
          "Kafka broker at " + args.bootstrapServers() + ": " + e.getCause().getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PeerException("interrupted");
    }
  }

  /** Starts the worker, deploys the connector and waits until it and all its tasks run. */
  void start() {
    log.info("Starting Connect for {}: connector {}", args, plan.connectorProperties());
    connect = new ConnectStandalone().startConnect(plan.workerProperties());
    log.info("Connect REST server on {}", connect.rest().serverUrl());
    FutureCallback<StandaloneHerder.Created<?>> created = new FutureCallback<>();
    connect
        .herder()
        .putConnectorConfig(
            plan.connectorName(),
            plan.connectorProperties(),
            true,
            (e, r) -> created.onCompletion(e, r));
    try {
      created.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new PeerException("connector " + plan.connectorName() + " not created: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PeerException("interrupted");
    }
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (!running(state())) {
      if (System.nanoTime() > deadline) {
        throw new PeerException(
            "connector tasks not RUNNING after "
                + START_TIMEOUT.toSeconds()
                + " s: "
                + describe(state()));
      }
      sleep(STATUS_POLL);
    }
    log.info("Connector running: {}", describe(state()));
  }

  /** Until stopped: fails the peer when the connector or a task fails. */
  void superviseUntilStopped() {
    while (stopped.getCount() > 0) {
      ConnectorStateInfo state = state();
      if (failed(state)) {
        throw new PeerException(describe(state));
      }
      try {
        stopped.await(STATUS_POLL.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Stops the worker (its tasks flush nothing further; uncommitted data is re-read next time). */
  void stop() {
    if (stopped.getCount() == 0) {
      return;
    }
    stopped.countDown();
    Connect<StandaloneHerder> running = connect;
    if (running != null) {
      running.stop();
      running.awaitStop();
    }
    status.println(
        "PEER STOPPED unconvertible="
            + TolerantIcebergSinkTask.UNCONVERTIBLE.get()
            + " dead-letter-records="
            + deadLetterRecords());
    status.flush();
  }

  private long deadLetterRecords() {
    try (Admin admin = admin()) {
      TopicPartition partition = new TopicPartition(plan.deadLetterTopic(), 0);
      return admin
          .listOffsets(Map.of(partition, OffsetSpec.latest()))
          .partitionResult(partition)
          .get(5, TimeUnit.SECONDS)
          .offset();
    } catch (Exception e) {
      log.warn("Could not read the dead-letter topic's end offset", e);
      return -1;
    }
  }

  private ConnectorStateInfo state() {
    try {
      return connect.herder().connectorStatus(plan.connectorName());
    } catch (RuntimeException e) {
      return null; // not yet known to the herder
    }
  }

  private boolean running(ConnectorStateInfo state) {
    if (state == null || failed(state)) {
      if (failed(state)) {
        throw new PeerException(describe(state));
      }
      return false;
    }
    return "RUNNING".equals(state.connector().state())
        && state.tasks().size() == args.tasks()
        && state.tasks().stream().allMatch(task -> "RUNNING".equals(task.state()));
  }

  private static boolean failed(ConnectorStateInfo state) {
    return state != null
        && ("FAILED".equals(state.connector().state())
            || state.tasks().stream().anyMatch(task -> "FAILED".equals(task.state())));
  }

  private static String describe(ConnectorStateInfo state) {
    if (state == null) {
      return "no status yet";
    }
    StringBuilder s = new StringBuilder("connector " + state.connector().state());
    for (ConnectorStateInfo.TaskState task : state.tasks()) {
      s.append(", task ").append(task.id()).append(' ').append(task.state());
      if (task.trace() != null) {
        s.append(" (").append(task.trace().lines().findFirst().orElse("")).append(')');
      }
    }
    if (state.connector().trace() != null) {
      s.append(" (").append(state.connector().trace().lines().findFirst().orElse("")).append(')');
    }
    return s.toString();
  }

  private Admin admin() {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args.bootstrapServers());
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) BROKER_TIMEOUT.toMillis());
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) BROKER_TIMEOUT.toMillis());
    return Admin.create(p);
  }

  /** Exits (running the shutdown hook) when standard input closes: the parent process is gone. */
  private static void watchStandardInput() {
    Thread watcher =
        new Thread(
            () -> {
              try {
                while (System.in.read() >= 0) {
                  // Input is ignored; only its end matters.
                }
              } catch (IOException e) {
                // A broken stdin means the parent is gone too.
              }
              System.exit(0);
            },
            "peer-stdin");
    watcher.setDaemon(true);
    watcher.start();
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PeerException("interrupted");
    }
  }

  /** A failure with a message fit for the peer's one status line. */
  static final class PeerException extends RuntimeException {
    PeerException(String message) {
      super(message);
    }

    PeerException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
