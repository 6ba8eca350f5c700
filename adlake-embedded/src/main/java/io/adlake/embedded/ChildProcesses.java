package io.adlake.embedded;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Stopping the servers adlake starts in child processes (the demo's schema registry; the tests'
 * servers).
 */
public final class ChildProcesses {
  private ChildProcesses() {}

  /**
   * Asks the process to stop (SIGTERM), so a server can close its files and ports, and kills it
   * (SIGKILL) if it has not exited within {@code grace}; returns once it has exited or a second
   * {@code grace} has passed.
   */
  public static void stop(Process process, Duration grace) {
    process.destroy();
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
