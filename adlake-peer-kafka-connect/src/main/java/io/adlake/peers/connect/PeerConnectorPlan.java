package io.adlake.peers.connect;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.storage.StringConverter;
import org.apache.kafka.connect.transforms.InsertField;

/**
 * What the peer deploys: the standalone worker's properties and the one Iceberg sink connector's,
 * derived from the command line alone (no I/O), so a test can read them.
 *
 * @param connectorName the connector, also the worker's consumer group {@code connect-<name>}
 * @param controlTopic the sink's control topic (its commit coordination)
 * @param deadLetterTopic where Connect puts the records the sink could not take, with the error in
 *     the headers
 */
public record PeerConnectorPlan(
    String connectorName,
    String controlTopic,
    String deadLetterTopic,
    Map<String, String> workerProperties,
    Map<String, String> connectorProperties) {

  /**
   * The field the InsertField SMT adds to every value: the record's topic. Iceberg's sink 1.10
   * routes by a field of the value only (route-field + per-table route-regex), not by topic, so the
   * topic has to become a field; every peer table carries it as a string column.
   */
  public static final String ROUTE_FIELD = "_topic";

  public PeerConnectorPlan {
    requireNonNull(connectorName, "connectorName");
    requireNonNull(controlTopic, "controlTopic");
    requireNonNull(deadLetterTopic, "deadLetterTopic");
    workerProperties = Map.copyOf(workerProperties);
    connectorProperties = Map.copyOf(connectorProperties);
  }

  public static PeerConnectorPlan of(PeerArguments args) {
    String name = "adlake-peer-connect-" + args.namespace();
    String control = name + "-control";
    String deadLetters = name + "-dlq";
    return new PeerConnectorPlan(
        name, control, deadLetters, worker(args), connector(args, name, control, deadLetters));
  }

  private static Map<String, String> worker(PeerArguments args) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("bootstrap.servers", args.bootstrapServers());
    // The generator's keys are plain strings; the values JSON objects without a schema envelope.
    p.put("key.converter", StringConverter.class.getName());
    p.put("value.converter", JsonConverter.class.getName());
    p.put("value.converter.schemas.enable", "false");
    p.put("offset.storage.file.filename", args.workDir().resolve("connect.offsets").toString());
    // Nothing listens beyond loopback; port 0 = a free port, read back from the server.
    p.put("listeners", "http://127.0.0.1:0");
    p.put("rest.advertised.host.name", "127.0.0.1");
    // Every plugin here (Connect's own, the sink, the peer's task) declares itself in
    // META-INF/services: no class-path scan at start.
    p.put("plugin.discovery", "service_load");
    // How often an idle sink task's put() runs (WorkerSinkTask polls for at most this long). The
    // sink answers its coordinator's commit requests only inside put(), so with the default 60 s a
    // worker whose topics went quiet answers after the commit timeout (30 s) and nothing is ever
    // committed (observed here: every commit "committed to 0 table(s)" once the backlog was read).
    p.put("offset.flush.interval.ms", "500");
    // Sink consumers start at the earliest offset when the group has none (also Connect's default).
    p.put("consumer.auto.offset.reset", "earliest");
    return p;
  }

  private static Map<String, String> connector(
      PeerArguments args, String name, String control, String deadLetters) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("name", name);
    // The stock sink, with a task that hands records it cannot convert to Connect's errant-record
    // reporter (TolerantIcebergSinkTask says why).
    p.put("connector.class", TolerantIcebergSinkConnector.class.getName());
    p.put("tasks.max", Integer.toString(args.tasks()));
    p.put("topics", String.join(",", args.topics()));

    // A record that does not parse (or convert) is logged and sent to the dead-letter topic, not
    // fatal.
    p.put("errors.tolerance", "all");
    p.put("errors.log.enable", "true");
    p.put("errors.deadletterqueue.topic.name", deadLetters);
    p.put("errors.deadletterqueue.topic.replication.factor", "1");
    p.put("errors.deadletterqueue.context.headers.enable", "true");

    p.put("transforms", "topic");
    p.put("transforms.topic.type", InsertField.Value.class.getName());
    p.put("transforms.topic.topic.field", ROUTE_FIELD);

    StringBuilder tables = new StringBuilder();
    for (String table : PeerArguments.TABLES) {
      String qualified = args.namespace() + "." + table;
      tables.append(tables.isEmpty() ? "" : ",").append(qualified);
      p.put("iceberg.table." + qualified + ".route-regex", Pattern.quote(args.tables().get(table)));
    }
    p.put("iceberg.tables", tables.toString());
    p.put("iceberg.tables.route-field", ROUTE_FIELD);
    p.put("iceberg.tables.auto-create-enabled", "true");
    // Columns appear as records bring them (a field absent from the first records, or null there).
    p.put("iceberg.tables.evolve-schema-enabled", "true");

    p.put("iceberg.control.topic", control);
    p.put("iceberg.control.commit.interval-ms", Long.toString(args.intervalMs()));
    // The sink's own clients (control topic, offsets) do not see the worker's properties unless
    // the worker was started from a properties file on the command line: tell them the broker.
    p.put("iceberg.kafka.bootstrap.servers", args.bootstrapServers());

    p.put("iceberg.catalog", "peer");
    p.put("iceberg.catalog.type", "hadoop");
    p.put("iceberg.catalog.warehouse", args.warehouse().toString());
    return p;
  }
}
