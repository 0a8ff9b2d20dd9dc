package io.switchboard.app;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a process running until SIGTERM or Ctrl-C, then closes what it started, last started first,
 * each once. Says when the process is running (ready for work) and when it stopped.
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

  /**
   * Runs {@code startup}, which registers what it starts; when it fails, closes what it registered
   * and rethrows.
   */
  void start(Startup startup) throws Exception {
    try {
      startup.run();
    } catch (Exception | Error e) {
      closeAll();
      throw e;
    }
  }

  /** What a process starts, in order. */
  interface Startup {
    void run() throws Exception;
  }

  /**
   * Blocks until the process is told to stop (returns 0), or until {@code alive} turns false on its
   * own (closes everything and returns 1, so that a supervisor restarts the process rather than
   * keep one that no longer works). Logs "{@code what} is running" the first time {@code ready}
   * holds, and "{@code what} stopped" at the end.
   */
  int await(BooleanSupplier alive, BooleanSupplier ready, String what) throws InterruptedException {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  closeAll();
                  log.info("{} stopped", what);
                },
                "switchboard-shutdown"));
    boolean running = false;
    while (!stopped.await(running ? 1000 : 100, TimeUnit.MILLISECONDS)) {
      if (!stopping && !alive.getAsBoolean()) {
        log.error("{} stopped on its own; exiting with status 1 (see the errors above)", what);
        closeAll();
        return 1;
      }
      if (!running && !stopping && ready.getAsBoolean()) {
        running = true;
        log.info("{} is running", what);
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
          log.warn(
              "error while closing {}: {}",
              started.get(i).getClass().getSimpleName(),
              e.toString());
        }
      }
      started.clear();
    }
    stopped.countDown();
  }
}
