package io.switchboard.worker.internal;

import io.switchboard.schemas.OffloadJob;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.worker.offload.OffloadPolicy;
import io.switchboard.worker.offload.OffsetRanges;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The dispatch side of offloading: groups the class-batch dispatches of each lane and offload
 * deployment ({@link OffloadPolicy}) into jobs, and, when a job is due, finishes its dispatches on
 * the lane with the job's intent ({@link OffloadJob.State#PENDING}) as their one result. The intent
 * goes out in the transaction that commits those offsets, so from then on the job, and only the
 * job, answers them; before it, a crash leaves them uncommitted and they are read again. Only
 * offsets are held here, never bodies: the job runner reads the dispatches again from the topic.
 *
 * <p>A group is due when it holds {@code batch_max_requests} (or the API's limit), nearly the API's
 * byte limit or {@link #MAX_RANGES} separate ranges of offsets, when its first dispatch has waited
 * {@code batch_max_wait_seconds}, when its lane is being revoked or cannot take more records for
 * the commit metadata, and when the worker drains. Owned by the poll thread.
 */
final class OffloadGroups {
  /**
   * The most separate offset ranges a job holds, so its record stays far below Kafka's default
   * message size limit of 1 MiB.
   */
  static final int MAX_RANGES = 20_000;

  /**
   * The share of the API's byte limit at which a job is submitted (lines outweigh records a bit).
   */
  private static final double BYTES_SHARE = 0.8;

  private static final class Group {
    final DeploymentConfig deployment;
    final OffsetRanges offsets = new OffsetRanges();
    final Instant firstAt;
    long bytes;

    Group(DeploymentConfig deployment, Instant firstAt) {
      this.deployment = deployment;
      this.firstAt = firstAt;
    }
  }

  private final Clock clock;
  private final Outputs outputs;
  private final Map<Lane, Map<String, Group>> groups = new IdentityHashMap<>();

  OffloadGroups(Clock clock, Outputs outputs) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.outputs = Objects.requireNonNull(outputs, "outputs");
  }

  /**
   * Takes {@code job} into its lane's group when it goes to a batch API, and writes the group's
   * intent at once when it is full.
   *
   * @param bytes the size of the dispatch record, which the job's input line about matches
   * @return false when the job is to be called in real time
   */
  boolean offer(Lane lane, Job job, int bytes) {
    DeploymentConfig d = job.deployment();
    Instant now = clock.instant();
    if (!OffloadPolicy.offloads(d, job.dispatch(), now)) {
      return false;
    }
    Group group =
        groups
            .computeIfAbsent(lane, l -> new LinkedHashMap<>())
            .computeIfAbsent(d.deploymentId(), id -> new Group(d, now));
    group.offsets.add(job.offset());
    group.bytes += Math.max(0, bytes);
    if (full(group)) {
      write(lane, group, now);
      groups.get(lane).remove(d.deploymentId());
    }
    return true;
  }

  /**
   * Writes the intent of every due group of the owned {@code lanes}; with {@code all}, of every
   * group. Groups of lanes no longer owned are dropped: their dispatches are uncommitted and read
   * again by the partition's next life.
   */
  void flush(Collection<Lane> lanes, boolean all) {
    if (groups.isEmpty()) {
      return;
    }
    Set<Lane> owned = Collections.newSetFromMap(new IdentityHashMap<>());
    owned.addAll(lanes);
    groups.keySet().retainAll(owned);
    Instant now = clock.instant();
    for (Iterator<Map.Entry<Lane, Map<String, Group>>> lanesLeft = groups.entrySet().iterator();
        lanesLeft.hasNext(); ) {
      Map.Entry<Lane, Map<String, Group>> entry = lanesLeft.next();
      Lane lane = entry.getKey();
      boolean laneDue = all || lane.leaving() || lane.holdingBack();
      for (Iterator<Group> it = entry.getValue().values().iterator(); it.hasNext(); ) {
        Group group = it.next();
        if (laneDue || waitedEnough(group, now)) {
          write(lane, group, now);
          it.remove();
        }
      }
      if (entry.getValue().isEmpty()) {
        lanesLeft.remove();
      }
    }
  }

  /** Dispatches held in groups, not yet in a job. */
  int held() {
    int n = 0;
    for (Map<String, Group> byDeployment : groups.values()) {
      for (Group g : byDeployment.values()) {
        n += g.offsets.count();
      }
    }
    return n;
  }

  private static boolean full(Group group) {
    DeploymentConfig d = group.deployment;
    return group.offsets.count() >= d.batchJobRequests()
        || group.bytes >= d.batchApi().maxBytes() * BYTES_SHARE
        || group.offsets.rangeCount() >= MAX_RANGES;
  }

  private static boolean waitedEnough(Group group, Instant now) {
    Duration waited = Duration.between(group.firstAt, now);
    return waited.getSeconds() >= group.deployment.batchMaxWaitSeconds();
  }

  /** Finishes the group's dispatches on its lane, the last one with the job's intent. */
  private void write(Lane lane, Group group, Instant now) {
    int partition = lane.partition().partition();
    String jobId =
        OffloadPolicy.jobId(group.deployment.deploymentId(), partition, group.offsets.first());
    OffloadJob intent =
        OffloadJob.pending(
            jobId,
            group.deployment.deploymentId(),
            partition,
            group.offsets.toString(),
            group.offsets.count(),
            now);
    long last = group.offsets.last();
    for (long offset : group.offsets) {
      lane.finished(
          offset, offset == last ? List.of(outputs.offloadJob(jobId, intent)) : List.of());
    }
  }
}
