package io.adlake.local;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The JVM's peak heap in use, sampled: the total of all heap pools at one moment, the most seen. (A
 * sum of each pool's own peak overstates it, since the pools peak at different times.)
 */
final class HeapSampler implements AutoCloseable {
  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private final AtomicLong peakBytes = new AtomicLong();
  private final Thread thread;
  private volatile boolean running = true;

  private HeapSampler(Duration every) {
    sample();
    thread =
        new Thread(
            () -> {
              while (running) {
                sample();
                try {
                  Thread.sleep(every.toMillis());
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "adlake-heap-sampler");
    thread.setDaemon(true);
    thread.start();
  }

  /** Starts sampling every {@code every} until {@link #close}. */
  static HeapSampler start(Duration every) {
    return new HeapSampler(every);
  }

  private void sample() {
    peakBytes.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
  }

  /** The most heap in use at any sample so far, in MiB. */
  long peakMegabytes() {
    sample();
    return peakBytes.get() / (1024 * 1024);
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
  }
}
