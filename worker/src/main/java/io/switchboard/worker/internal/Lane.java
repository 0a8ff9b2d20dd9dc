package io.switchboard.worker.internal;

import io.switchboard.worker.offsets.PartitionOffsets;
import io.switchboard.worker.pacing.LanePacer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * One owned dispatch partition: its offsets, its pacer (which outlives it), the dispatches
 * fetched but not yet started, the retries due and the results not yet published. A new {@code
 * Lane} object is made on every assignment (and on every rewind after a failed transaction);
 * results of calls started for an older object are dropped, because the partition's new life
 * redoes them. Owned by the poll thread.
 */
final class Lane {
  final TopicPartition partition;
  final LanePacer pacer;
  /** Null until the first record arrives when nothing was committed for the partition. */
  PartitionOffsets offsets;
  /** Fetched dispatches not yet started, in offset order. */
  final ArrayDeque<Job> queue = new ArrayDeque<>();
  /** Started dispatches whose retry delay has passed, waiting for the pacer. */
  final ArrayDeque<Job> retries = new ArrayDeque<>();
  /**
   * Replies, hand-offs and dead letters of finished dispatches, not yet published: they go out
   * only in a transaction that also commits this lane's offsets, never without them.
   */
  final List<ProducerRecord<String, byte[]>> results = new ArrayList<>();
  /** Dispatches started and not finished: calling, or waiting for a retry. */
  int active;
  /** Nothing can start before this (epoch millis): the pacer's delay or the head's deadline. */
  long nextTryAtMs;
  boolean paused;
  /** The offset left on the broker because the metadata could not hold it yet, or -1. */
  long heldBackFrom = -1;
  /** Results kept back because the offsets would not fit the commit metadata (warned once). */
  boolean resultsHeld;
  /** Being revoked: its calls in flight are finished, nothing new starts from its queue. */
  boolean leaving;

  Lane(TopicPartition partition, LanePacer pacer, PartitionOffsets offsets) {
    this.partition = partition;
    this.pacer = pacer;
    this.offsets = offsets;
  }
}
