package io.adlake.peers.flink;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.bridge.java.StreamStatementSet;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.api.config.TableConfigOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The attribution job on a MiniCluster of this JVM: the cluster is started, the SQL planned into a
 * job graph and submitted; {@link #close()} cancels the job and closes the cluster. One MiniCluster
 * the peer owns (not the one {@code executeSql} would start behind the scenes), so that shutdown is
 * explicit and "running" can mean every task running.
 */
final class AttributionPeerJob implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AttributionPeerJob.class);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  private final MiniCluster cluster;
  private final JobID jobId;
  private boolean closed;

  private AttributionPeerJob(MiniCluster cluster, JobID jobId) {
    this.cluster = requireNonNull(cluster, "cluster");
    this.jobId = requireNonNull(jobId, "jobId");
  }

  /** Starts the cluster, creates the table when missing, submits the job. */
  static AttributionPeerJob submit(PeerOptions options) throws Exception {
    Configuration conf = configuration(options);
    MiniCluster cluster =
        new MiniCluster(
            new MiniClusterConfiguration.Builder()
                .setConfiguration(conf)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(options.parallelism())
                .build());
    cluster.start();
    try {
      JobGraph graph = plan(options, conf);
      cluster.submitJob(graph).get();
      LOG.info("Submitted {} as job {}", graph.getName(), graph.getJobID());
      return new AttributionPeerJob(cluster, graph.getJobID());
    } catch (Exception e) {
      cluster.close();
      throw e;
    }
  }

  /**
   * The SQL, planned against a stream environment that only builds the graph: the statements create
   * the Iceberg table when missing, then the INSERT becomes the job.
   */
  private static JobGraph plan(PeerOptions options, Configuration conf) {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    StreamTableEnvironment tables =
        StreamTableEnvironment.create(env, EnvironmentSettings.inStreamingMode());
    AttributionSql sql = AttributionSql.of(options);
    sql.tableStatements().forEach(tables::executeSql);
    List<String> attribution = sql.attributionStatements();
    attribution.subList(0, attribution.size() - 1).forEach(tables::executeSql);
    StreamStatementSet job = tables.createStatementSet();
    job.addInsertSql(attribution.get(attribution.size() - 1));
    job.attachAsDataStream();
    return env.getStreamGraph().getJobGraph();
  }

  private static Configuration configuration(PeerOptions options) {
    Configuration conf = new Configuration();
    conf.set(PipelineOptions.NAME, "adlake-peer-flink attribution");
    conf.set(CoreOptions.DEFAULT_PARALLELISM, options.parallelism());
    // Exactly once: the Iceberg sink commits the files of checkpoint n when checkpoint n completes.
    conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, options.checkpointInterval());
    conf.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
    // Heap state (hashmap backend), not RocksDB: the join state is bounded by the watermark and
    // the rank's by the attributed keys, both small next to the heap; checkpoints go to files.
    conf.set(StateBackendOptions.STATE_BACKEND, "hashmap");
    conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
    conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, options.checkpointUri());
    // A failing job fails the peer (after a few retries) instead of restarting for ever unseen.
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(2));
    // Loopback only, any free port: the machine is shared and nothing outside needs the REST API.
    conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
    conf.set(RestOptions.ADDRESS, "127.0.0.1");
    conf.set(RestOptions.BIND_PORT, "0");
    conf.set(JobManagerOptions.ADDRESS, "127.0.0.1");
    conf.set(TaskManagerOptions.HOST, "127.0.0.1");
    conf.set(CoreOptions.TMP_DIRS, options.workDir().resolve("tmp").toString());
    // As adlake's Spark session: timestamps turned into wall-clock time are UTC's.
    conf.set(TableConfigOptions.LOCAL_TIME_ZONE, "UTC");
    return conf;
  }

  /**
   * Waits until every task of the job runs.
   *
   * @throws IllegalStateException when the job ends first, or does not get there within {@code
   *     timeout}
   */
  void awaitRunning(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      AccessExecutionGraph graph = cluster.getExecutionGraph(jobId).get();
      if (graph.getState().isTerminalState()) {
        throw new IllegalStateException(
            "The Flink job ended as " + graph.getState() + " before running: " + failure(graph));
      }
      if (graph.getState() == JobStatus.RUNNING && allTasksRunning(graph)) {
        return;
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
    throw new IllegalStateException(
        "The Flink job did not start within " + timeout.toSeconds() + " s");
  }

  /** The job's state now. */
  JobStatus status() throws Exception {
    return cluster.getJobStatus(jobId).get();
  }

  /** Why the job failed, in one line. */
  String failure() throws Exception {
    return failure(cluster.getExecutionGraph(jobId).get());
  }

  /** Cancels the job (when still running), waits for it to end, closes the cluster. Idempotent. */
  @Override
  public synchronized void close() throws ExecutionException, TimeoutException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (!cluster
          .getJobStatus(jobId)
          .get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
          .isGloballyTerminalState()) {
        cluster.cancelJob(jobId).get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        cluster.requestJobResult(jobId).get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      }
      cluster.closeAsync().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      cluster.closeAsync();
    }
  }

  private static boolean allTasksRunning(AccessExecutionGraph graph) {
    for (AccessExecutionVertex vertex : graph.getAllExecutionVertices()) {
      if (vertex.getExecutionState() != ExecutionState.RUNNING) {
        return false;
      }
    }
    return true;
  }

  private static String failure(AccessExecutionGraph graph) {
    var info = graph.getFailureInfo();
    if (info == null) {
      return "no failure recorded";
    }
    // The root cause, not the restart strategy's "Recovery is suppressed" wrapper.
    String trace = info.getExceptionAsString();
    int cause = trace.lastIndexOf("Caused by: ");
    String root = cause < 0 ? trace : trace.substring(cause + "Caused by: ".length());
    int end = root.indexOf('\n');
    return end < 0 ? root : root.substring(0, end);
  }
}
