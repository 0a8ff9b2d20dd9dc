package io.switchboard.router.internal;

import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.topics.LanePlan;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each dispatch to a partition of its deployment's lane, taking the deployment's partitions
 * in turn. The worker paces every partition at its equal share of the deployment's rpm and tpm, so
 * the partitions must get equal shares of the calls. Spread by a hash of the request id they differ
 * by chance (one standard deviation is about 1.8% of 2,000 calls a minute), and at a deployment's
 * full budget the calls over a partition's share waited there while the others had room. Requests
 * are independent: no order is lost. The router checks at start-up that the dispatch topic is as
 * large as the plan; should it shrink below the plan later, the partition wraps around (the worker
 * reads the deployment from the envelope, so only the lane's pacing share is off) and a warning is
 * logged.
 */
public final class LanePartitioner implements StreamPartitioner<String, Dispatch> {
  private static final Logger log = LoggerFactory.getLogger(LanePartitioner.class);

  private final LanePlans plans;

  /** Dispatches written per deployment by this router instance (all its tasks and threads). */
  private final Map<String, AtomicLong> written = new ConcurrentHashMap<>();

  private volatile boolean warned;

  public LanePartitioner(LanePlan plan) {
    this(new LanePlans(plan));
  }

  /** A partitioner writing each dispatch to the lanes of the config version it was routed by. */
  public LanePartitioner(LanePlans plans) {
    this.plans = plans;
  }

  @Override
  public Optional<Set<Integer>> partitions(
      String topic, String key, Dispatch value, int numPartitions) {
    LanePlan plan = plans.of(value.configVersion());
    LanePlan.Lanes lanes = plan.lanesOf(value.deploymentId());
    int partition =
        lanes.count() == 1
            ? lanes.first()
            : lanes.first()
                + (int)
                    Math.floorMod(
                        written
                            .computeIfAbsent(value.deploymentId(), d -> new AtomicLong())
                            .getAndIncrement(),
                        (long) lanes.count());
    if (partition >= numPartitions) {
      if (!warned) {
        warned = true;
        log.warn(
            "topic '{}' has {} partitions but the lane plan needs {}; run `switchboard topics` to grow it",
            topic,
            numPartitions,
            plan.partitions());
      }
      partition %= numPartitions;
    }
    return Optional.of(Set.of(partition));
  }
}
