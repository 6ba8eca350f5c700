package io.adlake.peers.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class PeerConnectorPlanTest {

  private final PeerConnectorPlan plan =
      PeerConnectorPlan.of(
          PeerArguments.parse(
              "--bootstrap-servers", "127.0.0.1:9092",
              "--warehouse", "/tmp/wh",
              "--namespace", "peer_connect",
              "--topics",
                  "bid_requests=bid-requests,bid_responses=bid-responses,impressions=impressions,clicks=clicks",
              "--interval-ms", "5000",
              "--work-dir", "/tmp/work",
              "--tasks", "2"));

  @Test
  void eachTopicIsRoutedToItsOwnTableByTheInsertedTopicField() {
    var p = plan.connectorProperties();
    assertEquals(
        "peer_connect.bid_requests,peer_connect.bid_responses,peer_connect.impressions,peer_connect.clicks",
        p.get("iceberg.tables"));
    assertEquals("_topic", p.get("iceberg.tables.route-field"));
    assertEquals("_topic", p.get("transforms.topic.topic.field"));
    Pattern responses =
        Pattern.compile(p.get("iceberg.table.peer_connect.bid_responses.route-regex"));
    assertEquals(true, responses.matcher("bid-responses").matches());
    assertEquals(false, responses.matcher("bid-requests").matches());
    assertEquals("bid-requests,bid-responses,impressions,clicks", p.get("topics"));
  }

  @Test
  void sinkWritesTheHadoopCatalogAtTheWarehouseAndCommitsAtTheInterval() {
    var p = plan.connectorProperties();
    assertEquals("hadoop", p.get("iceberg.catalog.type"));
    assertEquals("/tmp/wh", p.get("iceberg.catalog.warehouse"));
    assertEquals("5000", p.get("iceberg.control.commit.interval-ms"));
    assertEquals("adlake-peer-connect-peer_connect-control", p.get("iceberg.control.topic"));
    assertEquals("127.0.0.1:9092", p.get("iceberg.kafka.bootstrap.servers"));
    assertEquals("2", p.get("tasks.max"));
    assertEquals("all", p.get("errors.tolerance"));
    assertEquals(
        "adlake-peer-connect-peer_connect-dlq", p.get("errors.deadletterqueue.topic.name"));
  }

  @Test
  void workerListensOnLoopbackOnlyAndKeepsItsOffsetsInTheWorkDir() {
    var w = plan.workerProperties();
    assertEquals("http://127.0.0.1:0", w.get("listeners"));
    assertEquals("/tmp/work/connect.offsets", w.get("offset.storage.file.filename"));
    assertEquals("false", w.get("value.converter.schemas.enable"));
  }
}
