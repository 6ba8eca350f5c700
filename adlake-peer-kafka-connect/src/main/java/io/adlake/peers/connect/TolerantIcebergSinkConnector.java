package io.adlake.peers.connect;

import org.apache.iceberg.connect.IcebergSinkConnector;
import org.apache.kafka.connect.connector.Task;

/** Iceberg's sink connector, unchanged but for its task: {@link TolerantIcebergSinkTask}. */
public class TolerantIcebergSinkConnector extends IcebergSinkConnector {

  @Override
  public Class<? extends Task> taskClass() {
    return TolerantIcebergSinkTask.class;
  }
}
