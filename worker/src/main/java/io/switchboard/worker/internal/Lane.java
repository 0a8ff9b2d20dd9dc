package io.switchboard.worker.internal;

import io.switchboard.schemas.Priority;
import io.switchboard.worker.offsets.PartitionOffsets;
import io.switchboard.worker.pacing.LanePacer;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
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
 * started or not. Only jobs at the head of a queue or of the retries start or finish from there.
 *
 * <p>Fetched and retrying jobs wait in one queue per class ({@link Priority}), each in offset
 * order; the scheduler serves the classes highest first. A lane reads past the batch dispatches
 * waiting in its queue, up to {@code worker_settings.batch_read_ahead} of them and as far as the
 * commit metadata has room, so that a later interactive or default dispatch is not stuck behind a
 * batch backlog; it never reads past a waiting interactive or default dispatch (it pauses, as
 * without classes).
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

  /** Fetched dispatches not yet started, per class, in offset order. */
  private final EnumMap<Priority, ArrayDeque<Job>> queues = perClass();

  /** Started dispatches whose retry delay has passed, waiting for the pacer, per class. */
  private final EnumMap<Priority, ArrayDeque<Job>> retries = perClass();

  /** Jobs in {@link #queues}. */
  private int queued;

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
    return acquire(estimatedTokens, Priority.DEFAULT);
  }

  /** A permit of the lane's pacer for one call of class {@code priority}, or empty. */
  Optional<LanePacer.Permit> acquire(int estimatedTokens, Priority priority) {
    Optional<LanePacer.Permit> permit = pacer.tryAcquire(estimatedTokens, priority);
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

  /**
   * Queues a taken record's job behind those of its class fetched before it. The first of its class
   * ends the lane's wait: the pacer may have room for this class (its reserve) while it had none
   * for the class the lane waited on.
   */
  void enqueue(Job job) {
    ArrayDeque<Job> queue = queues.get(job.priority());
    if (queue.isEmpty()) {
      nextTryAtMs = 0;
    }
    queue.add(job);
    queued++;
  }

  /** The next retry of class {@code priority} due, or null. */
  Job nextRetry(Priority priority) {
    return retries.get(priority).peek();
  }

  /**
   * The next fetched job of class {@code priority} if the lane may start a new one (not leaving,
   * fewer than {@code window} started), or null.
   */
  Job nextNew(Priority priority, int window) {
    return leaving || active.size() >= window ? null : queues.get(priority).peek();
  }

  /** When the first of the fetched jobs at the heads of the queues must be answered by, or null. */
  Instant queueHeadDeadline() {
    Instant first = null;
    for (ArrayDeque<Job> queue : queues.values()) {
      Job head = queue.peek();
      Instant deadline = head == null ? null : head.deadline();
      if (deadline != null && (first == null || deadline.isBefore(first))) {
        first = deadline;
      }
    }
    return first;
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
    retries.get(job.priority()).add(job);
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
    if (active.remove(job)) {
      // A place in the window: a class that found it full may start now, whatever the lane waits
      // on.
      nextTryAtMs = 0;
    }
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
    queues
        .values()
        .forEach(
            q -> q.forEach(job -> held.merge(job.deployment().deploymentId(), 1, Integer::sum)));
    active.forEach(job -> held.merge(job.deployment().deploymentId(), 1, Integer::sum));
  }

  /** Whether anything is started or waiting to start. */
  boolean busy() {
    return !active.isEmpty() || queued > 0;
  }

  /** Fetched jobs not started, of every class. */
  int queued() {
    return queued;
  }

  /**
   * Whether the lane may take another fetched record: its next record (or the one it held back) has
   * room in the commit metadata, and either nothing waits in its queues and fewer than {@code
   * window} are started, or only batch dispatches wait, fewer than {@code batchReadAhead}.
   *
   * @param batchReadAhead the most batch dispatches held fetched and not started ({@code
   *     worker_settings.batch_read_ahead}): bounds the memory a backlog takes (a dispatch holds its
   *     request); the commit metadata bounds it too, at about 24,000 offsets above the commit point
   */
  boolean canTakeMore(int window, int batchReadAhead) {
    if (offsets != null && !offsets.hasRoomFor(Math.max(offsets.nextExpected(), heldBackFrom))) {
      return false;
    }
    int batch = queues.get(Priority.BATCH).size();
    if (batch == 0) {
      return queued == 0 && active.size() < window;
    }
    return batch == queued && batch < batchReadAhead;
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

  /** Whether the lane is being revoked. */
  boolean leaving() {
    return leaving;
  }

  /** Whether a record was left on the broker because the commit metadata could not hold it. */
  boolean holdingBack() {
    return heldBackFrom >= 0;
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
    ArrayDeque<Job> retrying = retries.get(job.priority());
    ArrayDeque<Job> queue = queues.get(job.priority());
    if (retrying.peek() == job) {
      retrying.poll();
    } else if (queue.peek() == job) {
      queue.poll();
      queued--;
    }
  }

  private static EnumMap<Priority, ArrayDeque<Job>> perClass() {
    EnumMap<Priority, ArrayDeque<Job>> byClass = new EnumMap<>(Priority.class);
    for (Priority p : Priority.values()) {
      byClass.put(p, new ArrayDeque<>());
    }
    return byClass;
  }
}
