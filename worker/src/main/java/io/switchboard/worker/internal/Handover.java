package io.switchboard.worker.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.common.TopicPartition;

/**
 * Hands partitions over in a rebalance. Assigned partitions start from their commit; revoked ones
 * first finish the calls in flight on them and publish their outcomes, so that the next owner does
 * not call the provider again: up to {@code shutdown_grace_ms} in a rebalance, up to what is left
 * of the grace period when the worker drains. Nothing new starts on those lanes meanwhile; other
 * lanes go on. This holds the group's rebalance for as long as the slowest of those calls (bounded
 * by the grace). Lost partitions are dropped at once: another worker may own them already. Runs on
 * the poll thread, inside {@code poll}.
 */
final class Handover implements ConsumerRebalanceListener {
  /** What the poll thread does while a revocation waits for calls to finish. */
  interface Work {
    /** Applies what calls reported, starts what may start, publishes. */
    void turn();

    /** Applies what calls reported and publishes. */
    void settle();

    /** Whether no call has reported anything since the last {@link #turn()}. */
    boolean idle();
  }

  private final OwnedLanes lanes;
  private final RunState state;
  private final Clock clock;
  private final Duration grace;
  private final Work work;

  Handover(OwnedLanes lanes, RunState state, Clock clock, Duration grace, Work work) {
    this.lanes = Objects.requireNonNull(lanes, "lanes");
    this.state = Objects.requireNonNull(state, "state");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.grace = Objects.requireNonNull(grace, "grace");
    this.work = Objects.requireNonNull(work, "work");
  }

  @Override
  public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
    if (state.abandoned()) {
      return;
    }
    finishInFlight(partitions);
    work.settle();
    lanes.removed(partitions);
  }

  @Override
  public void onPartitionsLost(Collection<TopicPartition> partitions) {
    lanes.removed(partitions);
  }

  @Override
  public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
    lanes.assigned(partitions);
  }

  private void finishInFlight(Collection<TopicPartition> partitions) {
    List<Lane> leaving = partitions.stream().map(lanes::get).filter(Objects::nonNull).toList();
    leaving.forEach(Lane::leave);
    Instant end = state.draining() ? state.drainEnd() : clock.instant().plus(grace);
    while (!state.abandoned()
        && (state.running() || state.draining())
        && clock.instant().isBefore(end)
        && leaving.stream().anyMatch(l -> lanes.owns(l) && l.active() > 0)) {
      work.turn();
      if (work.idle()) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
      }
    }
  }
}
