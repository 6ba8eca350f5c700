package io.adlake.peers.flink;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;

/**
 * The Flink peer of adlake's attribution (issue 18), for a benchmark driver:
 *
 * <pre>
 * java @adlake-peer-flink/target/peer-jvm.options \
 *   -cp adlake-peer-flink/target/classes:$(cat adlake-peer-flink/target/peer-classpath.txt) \
 *   io.adlake.peers.flink.FlinkAttributionPeer --bootstrap-servers HOST:PORT --warehouse /abs/dir \
 *   --namespace NS --impressions-topic T1 --clicks-topic T2 --interval-ms MS --work-dir /abs/dir
 * </pre>
 *
 * <p>Prints {@code PEER READY} on its own stdout line once every task of the job runs, then runs
 * until its standard input closes (its parent died) or it gets SIGTERM, and stops cleanly: job
 * cancelled, MiniCluster closed, {@code PEER STOPPED}. Flink's and the connectors' logs go to
 * {@code <work-dir>/flink-peer.log}; stdout carries only the status lines. A bad argument, an
 * unreachable broker, a missing topic or a failed job: one line on stderr and exit code 2 (usage)
 * or 1.
 */
public final class FlinkAttributionPeer {
  private static final Duration START_TIMEOUT = Duration.ofMinutes(2);
  private static final Duration POLL = Duration.ofMillis(500);

  private FlinkAttributionPeer() {}

  public static void main(String[] args) {
    PeerOptions options;
    try {
      options = PeerOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("flink-peer: " + e.getMessage());
      System.exit(2);
      return;
    }
    try {
      Files.createDirectories(options.workDir());
      Files.createDirectories(options.warehouse());
      // Before the first logger exists: log4j reads its configuration once.
      System.setProperty("adlake.peer.log-file", options.logFile().toString());
      System.setProperty("log4j2.configurationFile", "log4j2-peer.properties");
      run(options);
    } catch (Exception e) {
      System.err.println("flink-peer: " + oneLine(e));
      System.exit(1);
    }
  }

  private static void run(PeerOptions options) throws Exception {
    KafkaPreflight.requireTopics(
        options.bootstrapServers(), List.of(options.impressionsTopic(), options.clicksTopic()));
    AttributionPeerJob job = AttributionPeerJob.submit(options);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(job), "flink-peer-shutdown"));
    job.awaitRunning(START_TIMEOUT);
    System.out.println("PEER READY");
    System.out.flush();

    Thread stdin = new Thread(FlinkAttributionPeer::awaitEndOfInput, "flink-peer-stdin");
    stdin.setDaemon(true);
    stdin.start();
    while (stdin.isAlive()) {
      JobStatus status = job.status();
      if (status.isGloballyTerminalState()) {
        throw new IllegalStateException(
            "The Flink job ended as "
                + status
                + ": "
                + job.failure()
                + " (see "
                + options.logFile()
                + ")");
      }
      TimeUnit.MILLISECONDS.sleep(POLL.toMillis());
    }
    // Standard input closed: the parent is gone. System.exit runs the shutdown hook.
    System.exit(0);
  }

  /** Blocks until standard input ends: the parent closed it or died. */
  private static void awaitEndOfInput() {
    InputStream in = System.in;
    byte[] buffer = new byte[256];
    try {
      while (in.read(buffer) >= 0) {
        // Input is ignored; only its end matters.
      }
    } catch (IOException e) {
      // A broken stdin means the same as a closed one.
    }
  }

  private static void stop(AttributionPeerJob job) {
    try {
      job.close();
      System.out.println("PEER STOPPED");
    } catch (Exception e) {
      System.err.println("flink-peer: stopping failed: " + oneLine(e));
    }
    System.out.flush();
  }

  private static String oneLine(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = e.getMessage() != null ? e.getMessage() : e.toString();
    if (root != e && root.getMessage() != null && !message.contains(root.getMessage())) {
      message = message + ": " + root.getMessage();
    }
    return message.replace('\n', ' ');
  }
}
