package io.switchboard.worker.internal;

import io.switchboard.schemas.ErrorCode;
import io.switchboard.schemas.Outcome;
import io.switchboard.schemas.Priority;
import io.switchboard.worker.pacing.LanePacer;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;

/**
 * Decides what each lane may start and whether it may take more records. Pure logic over the lanes,
 * their pacers and the clock; the calls themselves are made by a {@link Launcher}.
 *
 * <ul>
 *   <li>Classes are served highest first: interactive, default, batch. Within a class, retries due
 *       start first, then fetched dispatches in offset order, while fewer than the window ({@code
 *       worker_settings.max_in_flight_per_lane}) are started. Nothing new starts on a lane being
 *       revoked or while the worker drains; retries still do.
 *   <li>A class the pacer refuses does not stop the classes below it: they may still have their
 *       reserve ({@code priority_reserve}); the pacer holds the reserves of the classes above.
 *   <li>A job whose deadline has passed is answered as expired, and one whose deployment cools down
 *       or was removed from the config in force is handed back to the router, without a call.
 *   <li>A call needs a permit of the lane's pacer; without one the lane waits until the pacer says,
 *       or until the deadline of the job or of the queue's head if that comes first.
 *   <li>A lane is paused while it cannot take more: an interactive or default dispatch waits in its
 *       queue, its window is full with nothing waiting, its batch read-ahead is full, or its next
 *       record has no room in the commit metadata; all are while draining.
 * </ul>
 */
final class LaneScheduler {
  /** Makes the provider call of a job its lane has just counted as started. */
  @FunctionalInterface
  interface Launcher {
    void launch(Lane lane, Job job, LanePacer.Permit permit, Instant now);
  }

  /** The partitions to pause and to resume now, and how many owned lanes are paused then. */
  record Pauses(List<TopicPartition> pause, List<TopicPartition> resume, int paused) {}

  private final int window;
  private final int batchReadAhead;
  private final Clock clock;
  private final Function<String, Optional<Instant>> cooldowns;
  private final Predicate<String> configured;
  private final Outputs outputs;
  private final Launcher launcher;

  /**
   * @param window the most dispatches started and not finished per lane (at least 1)
   * @param batchReadAhead the most batch dispatches a lane holds fetched and not started
   * @param cooldowns when a deployment's cooldown ends, by deployment id, or empty when it has none
   * @param configured whether a deployment id is in the config in force: a job of one removed since
   *     it was fetched goes back to the router
   */
  LaneScheduler(
      int window,
      int batchReadAhead,
      Clock clock,
      Function<String, Optional<Instant>> cooldowns,
      Predicate<String> configured,
      Outputs outputs,
      Launcher launcher) {
    this.window = Math.max(1, window);
    this.batchReadAhead = Math.max(0, batchReadAhead);
    this.clock = Objects.requireNonNull(clock, "clock");
    this.cooldowns = Objects.requireNonNull(cooldowns, "cooldowns");
    this.configured = Objects.requireNonNull(configured, "configured");
    this.outputs = Objects.requireNonNull(outputs, "outputs");
    this.launcher = Objects.requireNonNull(launcher, "launcher");
  }

  /**
   * Starts what each lane may start now, class by class from the highest: retries first, then new
   * dispatches within the window.
   */
  void startWork(Collection<Lane> lanes, boolean draining) {
    long nowMs = clock.millis();
    for (Lane lane : lanes) {
      if (lane.waiting(nowMs)) {
        continue;
      }
      lane.waitUntil(0);
      long wakeAt = Long.MAX_VALUE;
      for (Priority priority : Priority.values()) {
        long blockedUntil = 0;
        for (Job job; blockedUntil == 0 && (job = lane.nextRetry(priority)) != null; ) {
          blockedUntil = tryStart(lane, job);
        }
        for (Job job;
            blockedUntil == 0 && !draining && (job = lane.nextNew(priority, window)) != null; ) {
          blockedUntil = tryStart(lane, job);
        }
        if (blockedUntil > 0) {
          wakeAt = Math.min(wakeAt, blockedUntil);
        }
      }
      if (wakeAt != Long.MAX_VALUE) {
        lane.waitUntil(wakeAt);
      }
    }
  }

  /** Which lanes to pause and resume now (see the class comment). */
  Pauses pauses(Collection<Lane> lanes, boolean draining) {
    List<TopicPartition> pause = new ArrayList<>();
    List<TopicPartition> resume = new ArrayList<>();
    int paused = 0;
    for (Lane lane : lanes) {
      boolean full = draining || !lane.canTakeMore(window, batchReadAhead);
      if (lane.markPaused(full)) {
        (full ? pause : resume).add(lane.partition());
      }
      if (full) {
        paused++;
      }
    }
    return new Pauses(pause, resume, paused);
  }

  /**
   * Starts the job's next call, or finishes it without a call (deadline passed, deployment cooling
   * down), and returns 0. When the pacer has no permit for the job's class yet, returns when to try
   * again (epoch millis): the pacer's delay or a deadline, whichever comes first.
   */
  private long tryStart(Lane lane, Job job) {
    Instant now = clock.instant();
    Instant deadline = job.deadline();
    String deploymentId = job.deployment().deploymentId();
    if (deadline != null && !now.isBefore(deadline)) {
      lane.finished(
          job,
          List.of(
              outputs.error(
                  job,
                  ErrorCode.DEADLINE_EXCEEDED,
                  "deadline "
                      + deadline
                      + " passed before "
                      + (job.retry() == 0 ? "the provider call" : "retry " + job.retry())
                      + " to deployment '"
                      + deploymentId
                      + "'",
                  now)));
      return 0;
    }
    if (!configured.test(deploymentId)) {
      lane.finished(
          job,
          List.of(
              outputs.handoff(
                  job,
                  Outcome.FALLBACK,
                  "deployment '" + deploymentId + "' was removed from the config")));
      return 0;
    }
    Optional<Instant> coolingUntil = cooldowns.apply(deploymentId);
    if (coolingUntil.isPresent()) {
      lane.finished(
          job,
          List.of(
              outputs.handoff(
                  job,
                  Outcome.FALLBACK,
                  "deployment '"
                      + deploymentId
                      + "' is cooling down until "
                      + coolingUntil.get())));
      return 0;
    }
    int estimate = job.estimatedTokens();
    Optional<LanePacer.Permit> permit = lane.acquire(estimate, job.priority());
    if (permit.isEmpty()) {
      long at =
          now.toEpochMilli()
              + Math.max(1, lane.pacer().delayUntilAvailable(estimate, job.priority()).toMillis());
      if (deadline != null) {
        at = Math.min(at, deadline.toEpochMilli());
      }
      Instant headDeadline = lane.queueHeadDeadline();
      if (headDeadline != null) {
        at = Math.min(at, headDeadline.toEpochMilli());
      }
      return at;
    }
    lane.started(job);
    launcher.launch(lane, job, permit.get(), now);
    return 0;
  }
}
