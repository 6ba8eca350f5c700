package io.adlake.job;

import io.adlake.config.AdlakeConfig;

/** One checkpoint directory per streaming query, under {@code adlake.streaming.checkpoint-root}. */
public final class Checkpoints {
  private Checkpoints() {}

  public static String location(AdlakeConfig config, String queryName) {
    String root = SparkSessions.location(config.streaming().checkpointRoot());
    return (root.endsWith("/") ? root : root + "/") + queryName;
  }
}
