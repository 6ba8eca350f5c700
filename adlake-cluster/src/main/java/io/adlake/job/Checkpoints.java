package io.adlake.job;

import io.adlake.config.AdlakeConfig;

/** One checkpoint directory per streaming query, under {@code adlake.streaming.checkpoint-root}. */
public final class Checkpoints {
  private Checkpoints() {}

  public static String location(AdlakeConfig config, String queryName) {
    String root = root(config);
    return (root.endsWith("/") ? root : root + "/") + queryName;
  }

  /** The directory that holds every query's checkpoint directory. */
  public static String root(AdlakeConfig config) {
    return SparkSessions.location(config.streaming().checkpointRoot());
  }
}
