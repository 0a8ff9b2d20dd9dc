package io.switchboard.router.streams;

import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.topics.TopicProvisioner;
import java.time.Duration;
import java.util.HashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.CloseOptions.GroupMembershipOperation;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a Kafka Streams application of the router (the router itself, the metrics aggregator):
 * starts it, answers its stream threads' failures, and waits for it to run.
 *
 * <p>A stream thread that fails once the application has run is replaced: one bad moment should not
 * stop the process. A failure before the application first ran is a failed start (a setting the
 * broker refuses, such as a transaction timeout above its maximum, fails every thread the same
 * way): the application stops, leaving its consumer group as its owner's close would, and {@link
 * #awaitRunning} throws with the cause at once. Replacing that thread would not only fail again:
 * Kafka Streams keeps a replaced thread's consumer in the group, so the new thread's join waits for
 * that member's session to expire (45 s by default), longer than a close waits for it; the threads
 * would outlive the close and, as the group's leader, create again the changelog topics that a
 * cleanup had just deleted.
 */
public final class StreamsRun {
  private static final Logger log = LoggerFactory.getLogger(StreamsRun.class);

  /** How long a failed thread waits for the stop it asked for to begin. */
  private static final Duration STOP_BEGINS_WITHIN = Duration.ofSeconds(10);

  private final KafkaStreams streams;
  private final String what;
  private final GroupMembershipOperation membership;
  private volatile boolean ran;
  private volatile Throwable startFailure;

  /**
   * Takes over {@code streams}' state listener and uncaught-exception handler; call it while {@code
   * streams} is CREATED.
   *
   * @param what names the application in the log and in errors, e.g. {@code router}
   * @param membership what a failed start does with the application's consumer group: leave it, or
   *     remain (static members)
   */
  public StreamsRun(KafkaStreams streams, String what, GroupMembershipOperation membership) {
    this.streams = streams;
    this.what = what;
    this.membership = membership;
    streams.setStateListener(
        (now, before) -> {
          if (now == KafkaStreams.State.RUNNING) {
            ran = true;
          }
        });
    streams.setUncaughtExceptionHandler(this::threadFailed);
  }

  /**
   * Creates the topics the config names where they are missing (refusing a dispatch topic smaller
   * than the lane plan), then starts the application.
   */
  public void start(SwitchboardConfig config) throws InterruptedException {
    try (Admin admin = Admin.create(new HashMap<String, Object>(config.kafka()))) {
      TopicProvisioner.ensure(admin, config);
    }
    streams.start();
  }

  private StreamThreadExceptionResponse threadFailed(Throwable e) {
    if (ran) {
      log.error("{} stream thread failed; replacing it", what, e);
      return StreamThreadExceptionResponse.REPLACE_THREAD;
    }
    log.error("{} stream thread failed before the {} ran; stopping the {}", what, what, what, e);
    if (startFailure == null) {
      startFailure = e;
    }
    stop();
    // The stop above has begun: this answer only lets the thread end.
    return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
  }

  /**
   * Closes the application with {@link #membership}, from another thread: a stream thread may not
   * wait for its own close. SHUTDOWN_CLIENT alone would close it keeping this thread's consumer in
   * the group until its session expires, so this waits until that close has begun.
   */
  private void stop() {
    Thread closer =
        new Thread(
            () ->
                streams.close(
                    CloseOptions.timeout(Duration.ZERO).withGroupMembershipOperation(membership)),
            what + "-stop");
    closer.setDaemon(true);
    closer.start();
    long end = System.nanoTime() + STOP_BEGINS_WITHIN.toNanos();
    try {
      // A close under way elsewhere holds the close of this one back, but has begun the stop.
      while (!stopping() && closer.isAlive() && System.nanoTime() < end) {
        closer.join(10);
      }
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private boolean stopping() {
    KafkaStreams.State state = streams.state();
    return state.isShuttingDown() || state.hasCompletedShutdown();
  }

  /**
   * Waits until the application is RUNNING.
   *
   * @throws IllegalStateException at once when it stopped before it ran (with the cause of a failed
   *     start), or after {@code timeout}
   */
  public void awaitRunning(Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (streams.state() != KafkaStreams.State.RUNNING) {
      if (stopping()) {
        throw new IllegalStateException(
            what + " stopped before it ran (state " + streams.state() + ")" + cause());
      }
      if (System.nanoTime() > end) {
        throw new IllegalStateException(
            what + " not RUNNING after " + timeout + " (state " + streams.state() + ")");
      }
      Thread.sleep(50);
    }
  }

  /** The innermost message of the failed start's cause, which names what the broker refused. */
  private String cause() {
    Throwable e = startFailure;
    if (e == null) {
      return "";
    }
    while (e.getCause() != null && e.getCause() != e) {
      e = e.getCause();
    }
    return ": a stream thread failed at start-up: " + e.getMessage();
  }
}
