package io.switchboard.worker.internal;

import io.switchboard.worker.pacing.LanePacer;
import io.switchboard.worker.provider.ProviderCall;
import io.switchboard.worker.provider.ProviderClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes provider calls on the asynchronous provider client and waits for retries on a timer, so no
 * thread is held per call. What a call ends in ({@link CallOutcomes}) and when a retry falls due is
 * posted as a {@link CallEvent} for the poll thread; nothing here touches a lane.
 */
final class CallRunner implements LaneScheduler.Launcher {
  private static final Logger log = LoggerFactory.getLogger(CallRunner.class);

  private final ProviderClient providers;
  private final CallOutcomes outcomes;
  private final ScheduledExecutorService timer;
  private volatile long defaultTimeoutMs;
  private final Consumer<CallEvent> post;
  private final AtomicInteger inFlight = new AtomicInteger();

  /**
   * @param defaultTimeoutMs a call's timeout when neither the request nor the deployment sets one
   * @param post hands an event to the poll thread; called from the completing and timer threads
   */
  CallRunner(
      ProviderClient providers,
      CallOutcomes outcomes,
      ScheduledExecutorService timer,
      long defaultTimeoutMs,
      Consumer<CallEvent> post) {
    this.providers = Objects.requireNonNull(providers, "providers");
    this.outcomes = Objects.requireNonNull(outcomes, "outcomes");
    this.timer = Objects.requireNonNull(timer, "timer");
    this.defaultTimeoutMs = defaultTimeoutMs;
    this.post = Objects.requireNonNull(post, "post");
  }

  /** The timeout of calls started from now on that neither the request nor the deployment sets. */
  void defaultTimeout(long ms) {
    defaultTimeoutMs = ms;
  }

  /** Provider calls in progress now. Thread-safe. */
  int inFlight() {
    return inFlight.get();
  }

  @Override
  public void launch(Lane lane, Job job, LanePacer.Permit permit, Instant now) {
    ProviderCall call =
        new ProviderCall(
            job.deployment(),
            job.dispatch().request().body(),
            job.id(),
            job.callTimeout(now, defaultTimeoutMs),
            () -> lane.pacer().sent(permit));
    inFlight.incrementAndGet();
    providers
        .call(call)
        .whenComplete(
            (response, error) -> {
              inFlight.decrementAndGet();
              CallEvent.Completed completed = outcomes.classify(lane, job, permit, response, error);
              post.accept(completed);
              if (completed.retries()) {
                scheduleRetry(lane, job, completed.retryIn());
              }
            });
  }

  private void scheduleRetry(Lane lane, Job job, Duration delay) {
    try {
      timer.schedule(
          () -> post.accept(new CallEvent.RetryDue(lane, job)),
          Math.max(0, delay.toMillis()),
          TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closing) {
      log.debug("retry of request {} not scheduled: the worker is closing", job.id());
    }
  }
}
