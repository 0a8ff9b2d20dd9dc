package io.switchboard.worker.internal;

import io.switchboard.worker.offsets.PartitionOffsets;
import io.switchboard.worker.pacing.LanePacer;
import io.switchboard.worker.pacing.LanePacers;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatch partitions this worker owns, one {@link Lane} each, and the consumer's position and
 * pause state on them. An assigned partition starts from its committed offset, skipping what the
 * commit metadata records as finished; a rewound one (after a failed transaction) starts again from
 * there with a new lane. The pacers outlive the lanes ({@link LanePacers}). Owned by the poll
 * thread; the counts are thread-safe.
 */
final class OwnedLanes {
  private static final Logger log = LoggerFactory.getLogger(OwnedLanes.class);

  private final KafkaConsumer<String, byte[]> consumer;
  private final LanePacers pacers;
  private final Clock clock;
  private final BooleanSupplier running;
  private final Map<TopicPartition, Lane> lanes = new HashMap<>();
  private volatile int owned;
  private volatile int paused;

  /**
   * @param running whether the worker still runs: a broker outage is waited out only that long
   */
  OwnedLanes(
      KafkaConsumer<String, byte[]> consumer,
      LanePacers pacers,
      Clock clock,
      BooleanSupplier running) {
    this.consumer = Objects.requireNonNull(consumer, "consumer");
    this.pacers = Objects.requireNonNull(pacers, "pacers");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.running = Objects.requireNonNull(running, "running");
  }

  /** The lane of a partition, or null when it is not owned. */
  Lane get(TopicPartition partition) {
    return lanes.get(partition);
  }

  /** Whether {@code lane} is the current life of its partition (not revoked, not rewound). */
  boolean owns(Lane lane) {
    return lanes.get(lane.partition()) == lane;
  }

  Collection<Lane> all() {
    return lanes.values();
  }

  /** Partitions owned now. Thread-safe. */
  int owned() {
    return owned;
  }

  /** Owned partitions paused now. Thread-safe. */
  int paused() {
    return paused;
  }

  /** Dispatches started and not finished, on every lane. */
  int active() {
    return lanes.values().stream().mapToInt(Lane::active).sum();
  }

  /** Dispatches held unfinished (queued or started) on every lane, per deployment id. */
  Map<String, Integer> held() {
    Map<String, Integer> held = new HashMap<>();
    lanes.values().forEach(lane -> lane.countHeld(held));
    return held;
  }

  /** Whether any lane has something started, waiting to start, or not yet committed. */
  boolean busy() {
    return lanes.values().stream().anyMatch(l -> l.busy() || l.uncommitted());
  }

  /** Starts lanes for newly assigned partitions, where the consumer already is. */
  void assigned(Collection<TopicPartition> partitions) {
    restore(partitions, false);
  }

  /** Forgets revoked or lost partitions: results of their calls still in flight are dropped. */
  void removed(Collection<TopicPartition> partitions) {
    partitions.forEach(lanes::remove);
    owned = lanes.size();
  }

  /**
   * Restarts every owned partition from its committed offset and metadata, with a new lane: after a
   * failed transaction, nothing it would have finished is visible.
   */
  void rewind() {
    Set<TopicPartition> partitions = new HashSet<>(lanes.keySet());
    lanes.clear();
    restore(partitions, true);
  }

  /**
   * Leaves {@code offset} and what follows on the broker and pauses the lane ({@link
   * Lane.Admission#HOLD_BACK}).
   */
  void holdBack(Lane lane, long offset) {
    consumer.seek(lane.partition(), offset);
    consumer.pause(List.of(lane.partition()));
  }

  /** Paces the owned lanes of these partitions by their new pacers (a new config version). */
  void repace(Map<Integer, LanePacer> pacers) {
    lanes
        .values()
        .forEach(
            lane -> {
              LanePacer next = pacers.get(lane.partition().partition());
              if (next != null) {
                lane.repace(next);
              }
            });
  }

  /** Pauses and resumes the consumer on the lanes the scheduler said. */
  void apply(LaneScheduler.Pauses pauses) {
    if (!pauses.pause().isEmpty()) {
      consumer.pause(pauses.pause());
    }
    if (!pauses.resume().isEmpty()) {
      consumer.resume(pauses.resume());
    }
    paused = pauses.paused();
  }

  /**
   * Makes fresh lanes from the committed offsets; with {@code seek}, moves the consumer back to
   * them.
   */
  private void restore(Collection<TopicPartition> partitions, boolean seek) {
    if (partitions.isEmpty()) {
      owned = lanes.size();
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> committed = committed(partitions);
    for (TopicPartition tp : partitions) {
      OffsetAndMetadata c = committed.get(tp);
      PartitionOffsets offsets = null;
      if (c != null) {
        try {
          offsets = PartitionOffsets.restore(c.offset(), c.metadata());
        } catch (IllegalArgumentException corrupt) {
          log.error(
              "commit metadata of {} is corrupt ({}); resuming at offset {} without it",
              tp,
              corrupt.getMessage(),
              c.offset());
          offsets = PartitionOffsets.startingAt(c.offset());
        }
      }
      if (seek) {
        if (c != null) {
          consumer.seek(tp, c.offset());
        } else {
          consumer.seekToBeginning(List.of(tp));
        }
      }
      lanes.put(tp, new Lane(tp, pacer(tp), offsets));
    }
    consumer.resume(partitions);
    owned = lanes.size();
  }

  /**
   * The committed offsets and metadata of {@code partitions}. A broker outage (the group
   * coordinator unreachable) is waited out, as long as the worker runs: the alternative, owning
   * partitions without knowing what was already answered, could answer a request twice.
   */
  private Map<TopicPartition, OffsetAndMetadata> committed(Collection<TopicPartition> partitions) {
    Set<TopicPartition> wanted = new HashSet<>(partitions);
    while (true) {
      try {
        return consumer.committed(wanted, Duration.ofSeconds(15));
      } catch (TimeoutException e) {
        if (!running.getAsBoolean()) {
          throw e;
        }
        log.warn(
            "committed offsets of {} not available yet ({}); trying again", wanted, e.getMessage());
      }
    }
  }

  private LanePacer pacer(TopicPartition tp) {
    try {
      return pacers.forPartition(tp.partition());
    } catch (IllegalArgumentException e) {
      log.warn("{}; its dispatches are not paced", e.getMessage());
      return new LanePacer(null, null, clock);
    }
  }
}
