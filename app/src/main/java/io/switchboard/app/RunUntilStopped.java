package io.switchboard.app;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a process running until SIGTERM or Ctrl-C, then closes what it started, last started
 * first, each once.
 */
final class RunUntilStopped {
  private static final Logger log = LoggerFactory.getLogger(RunUntilStopped.class);

  private final List<AutoCloseable> started = new ArrayList<>();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean stopping;

  /** Registers something to close at the end; returns it. */
  <T extends AutoCloseable> T closeAtEnd(T resource) {
    synchronized (started) {
      started.add(resource);
    }
    return resource;
  }

  /** Blocks until the process is told to stop and everything is closed. */
  void await() throws InterruptedException {
    Runtime.getRuntime().addShutdownHook(new Thread(this::closeAll, "switchboard-shutdown"));
    stopped.await();
  }

  /**
   * Blocks until the process is told to stop (returns 0), or until {@code alive} turns false on
   * its own (closes everything and returns 1, so that a supervisor restarts the process rather
   * than keep one that no longer works).
   */
  int await(java.util.function.BooleanSupplier alive, String what) throws InterruptedException {
    Runtime.getRuntime().addShutdownHook(new Thread(this::closeAll, "switchboard-shutdown"));
    while (!stopped.await(1, java.util.concurrent.TimeUnit.SECONDS)) {
      if (!stopping && !alive.getAsBoolean()) {
        log.error("{} stopped on its own; exiting with status 1 (see the errors above)", what);
        closeAll();
        return 1;
      }
    }
    return 0;
  }

  private void closeAll() {
    stopping = true;
    synchronized (started) {
      for (int i = started.size() - 1; i >= 0; i--) {
        try {
          started.get(i).close();
        } catch (Exception e) {
          log.warn("error while closing {}: {}", started.get(i).getClass().getSimpleName(), e.toString());
        }
      }
      started.clear();
    }
    stopped.countDown();
  }
}
