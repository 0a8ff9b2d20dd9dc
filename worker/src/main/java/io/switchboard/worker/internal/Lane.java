package io.switchboard.worker.internal;

import io.switchboard.worker.offsets.PartitionOffsets;
import io.switchboard.worker.pacing.LanePacer;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One owned dispatch partition: its offsets, its pacer (which outlives it), the dispatches fetched
 * but not yet started, the started ones, the retries due and the results not yet published. A new
 * {@code Lane} object is made on every assignment (and on every rewind after a failed transaction);
 * results of calls started for an older object are dropped, because the partition's new life redoes
 * them. Owned by the poll thread.
 *
 * <p>A job goes through a lane as: {@link #enqueue} (fetched), {@link #started} (its first call
 * made), {@link #retryDue} and {@link #started} again for every retry, and {@link #finished} once,
 * started or not. Only jobs at the head of the queue or of the retries start or finish from there.
 */
final class Lane {
  private static final Logger log = LoggerFactory.getLogger(Lane.class);

  /** What the lane does with a fetched record. */
  enum Admission {
    /** Process it. */
    TAKE,
    /**
     * Not for this life of the lane: already finished or in flight, or fetched after a record held
     * back.
     */
    SKIP,
    /**
     * Leave it on the broker (seek back to it, pause): the commit metadata could not hold it yet.
     */
    HOLD_BACK
  }

  /** What this lane commits in a transaction: its position and the results it finishes. */
  record Commit(
      TopicPartition partition,
      OffsetAndMetadata position,
      List<ProducerRecord<String, byte[]>> results) {}

  private final TopicPartition partition;
  private LanePacer pacer;

  /**
   * Permits of {@link #pacer} not settled yet. A permit of a pacer replaced since ({@link #repace})
   * is not settled: that pacer counts nothing any more.
   */
  private final Set<LanePacer.Permit> unsettled =
      Collections.newSetFromMap(new IdentityHashMap<>());

  /** Null until the first record arrives when nothing was committed for the partition. */
  private PartitionOffsets offsets;

  /** Fetched dispatches not yet started, in offset order. */
  private final ArrayDeque<Job> queue = new ArrayDeque<>();

  /** Started dispatches whose retry delay has passed, waiting for the pacer. */
  private final ArrayDeque<Job> retries = new ArrayDeque<>();

  /** Dispatches started and not finished: calling, or waiting for a retry. */
  private final Set<Job> active = Collections.newSetFromMap(new IdentityHashMap<>());

  /**
   * Replies, hand-offs and dead letters of finished dispatches, not yet published: they go out only
   * in a transaction that also commits this lane's offsets, never without them.
   */
  private final List<ProducerRecord<String, byte[]>> results = new ArrayList<>();

  /** Something finished since the last commit. */
  private boolean uncommitted;

  /** Nothing can start before this (epoch millis): the pacer's delay or the head's deadline. */
  private long nextTryAtMs;

  private boolean paused;

  /** The offset left on the broker because the metadata could not hold it yet, or -1. */
  private long heldBackFrom = -1;

  /** Results kept back because the offsets would not fit the commit metadata (warned once). */
  private boolean resultsHeld;

  /** Being revoked: its calls in flight are finished, nothing new starts from its queue. */
  private boolean leaving;

  /**
   * @param offsets restored from the commit, or null when nothing was committed
   */
  Lane(TopicPartition partition, LanePacer pacer, PartitionOffsets offsets) {
    this.partition = Objects.requireNonNull(partition, "partition");
    this.pacer = Objects.requireNonNull(pacer, "pacer");
    this.offsets = offsets;
  }

  TopicPartition partition() {
    return partition;
  }

  LanePacer pacer() {
    return pacer;
  }

  /** A permit of the lane's pacer for one call of {@code estimatedTokens}, or empty. */
  Optional<LanePacer.Permit> acquire(int estimatedTokens) {
    Optional<LanePacer.Permit> permit = pacer.tryAcquire(estimatedTokens);
    permit.ifPresent(unsettled::add);
    return permit;
  }

  /**
   * Paces the lane by {@code next} from now on (its deployment's limits changed in a new config
   * version). The calls of the old pacer's window are not carried over: the router's budget, which
   * carries over, keeps what it hands out within the new limits.
   */
  void repace(LanePacer next) {
    pacer = Objects.requireNonNull(next, "next");
    unsettled.clear();
  }

  /** Decides about a fetched record; {@link Admission#TAKE} counts it in flight. */
  Admission admit(long offset) {
    if (heldBackFrom >= 0 && offset >= heldBackFrom) {
      return Admission
          .SKIP; // the rest of a fetch after a record left for later; fetched again from there
    }
    if (offsets == null) {
      offsets = PartitionOffsets.startingAt(offset);
    }
    if (!offsets.hasRoomFor(offset)) {
      paused = true;
      heldBackFrom = offset;
      return Admission.HOLD_BACK;
    }
    return offsets.dispatch(offset) ? Admission.TAKE : Admission.SKIP;
  }

  /** Queues a taken record's job behind those fetched before it. */
  void enqueue(Job job) {
    queue.add(job);
  }

  /** The next retry due, or null. */
  Job nextRetry() {
    return retries.peek();
  }

  /**
   * The next fetched job if the lane may start a new one (not leaving, fewer than {@code window}
   * started), or null.
   */
  Job nextNew(int window) {
    return leaving || active.size() >= window ? null : queue.peek();
  }

  /** When the oldest fetched job must be answered by, or null. */
  Instant queueHeadDeadline() {
    Job head = queue.peek();
    return head == null ? null : head.deadline();
  }

  /** Whether the lane waits (for its pacer or a deadline) at {@code nowMs}. */
  boolean waiting(long nowMs) {
    return nowMs < nextTryAtMs;
  }

  /**
   * Nothing starts before {@code atMs} (epoch millis), unless a retry falls due; 0 to stop waiting.
   */
  void waitUntil(long atMs) {
    nextTryAtMs = atMs;
  }

  /** A call of {@code job}, the head of the retries or of the queue, was made. */
  void started(Job job) {
    dequeue(job);
    active.add(job);
  }

  /** The retry delay of a started job has passed: it starts again when the pacer lets it. */
  void retryDue(Job job) {
    retries.add(job);
    nextTryAtMs = 0;
  }

  /**
   * Corrects the pacer's count of a call to what it used; the call counts whoever owns the lane
   * now.
   */
  void settle(LanePacer.Permit permit, int tokens) {
    if (unsettled.remove(permit)) {
      pacer.settle(permit, Math.max(0, tokens));
    }
  }

  /** Finishes a job, started or not: its records go out with its offset. */
  void finished(Job job, List<ProducerRecord<String, byte[]>> records) {
    dequeue(job);
    active.remove(job);
    finished(job.offset(), records);
  }

  /** Finishes a taken record that needed no job (answered or dead-lettered at once). */
  void finished(long offset, List<ProducerRecord<String, byte[]>> records) {
    results.addAll(records);
    offsets.complete(offset);
    uncommitted = true;
  }

  /** Dispatches started and not finished. */
  int active() {
    return active.size();
  }

  /**
   * Adds the dispatches this lane holds unfinished (fetched and not started, or started and not
   * finished) to {@code held}, per deployment id: what the worker reports in flight.
   */
  void countHeld(Map<String, Integer> held) {
    queue.forEach(job -> held.merge(job.deployment().deploymentId(), 1, Integer::sum));
    active.forEach(job -> held.merge(job.deployment().deploymentId(), 1, Integer::sum));
  }

  /** Whether anything is started or waiting to start. */
  boolean busy() {
    return !active.isEmpty() || !queue.isEmpty();
  }

  /**
   * Whether the lane may take another fetched record: nothing waits in its queue, fewer than {@code
   * window} are started, and its next record (or the one it held back) has room in the commit
   * metadata.
   */
  boolean canTakeMore(int window) {
    return queue.isEmpty()
        && active.size() < window
        && (offsets == null || offsets.hasRoomFor(Math.max(offsets.nextExpected(), heldBackFrom)));
  }

  /** Records whether the consumer is to be paused on this lane; true when that changed. */
  boolean markPaused(boolean pause) {
    if (!pause) {
      heldBackFrom = -1;
    }
    if (pause == paused) {
      return false;
    }
    paused = pause;
    return true;
  }

  boolean paused() {
    return paused;
  }

  /** Being revoked: the calls in flight finish, nothing new starts from the queue. */
  void leave() {
    leaving = true;
  }

  /** Whether something finished since the last commit. */
  boolean uncommitted() {
    return uncommitted;
  }

  /**
   * What this lane commits now, or null when its finished offsets do not fit the commit metadata
   * yet: then its results wait with them, since a reply published without the offset that marks it
   * answered would be answered again by the next owner.
   */
  Commit toCommit() {
    if (!offsets.fitsCommit()) {
      if (!resultsHeld) {
        resultsHeld = true;
        log.warn(
            "finished offsets of {} do not fit the commit metadata; its replies wait with its commit",
            partition);
      }
      return null;
    }
    return new Commit(
        partition,
        new OffsetAndMetadata(offsets.commitPoint(), offsets.metadata()),
        List.copyOf(results));
  }

  /** The transaction with {@link #toCommit()}'s commit was committed. */
  void committed() {
    results.clear();
    resultsHeld = false;
    uncommitted = false;
  }

  private void dequeue(Job job) {
    if (retries.peek() == job) {
      retries.poll();
    } else if (queue.peek() == job) {
      queue.poll();
    }
  }
}
