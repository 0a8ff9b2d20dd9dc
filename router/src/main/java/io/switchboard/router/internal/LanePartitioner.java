package io.switchboard.router.internal;

import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.topics.LanePlan;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each dispatch to a partition of its deployment's lane. The router checks at start-up
 * that the dispatch topic is as large as the plan; should it shrink below the plan later, the
 * partition wraps around (the worker reads the deployment from the envelope, so only the lane's
 * pacing share is off) and a warning is logged.
 */
public final class LanePartitioner implements StreamPartitioner<String, Dispatch> {
  private static final Logger log = LoggerFactory.getLogger(LanePartitioner.class);

  private final LanePlan plan;
  private volatile boolean warned;

  public LanePartitioner(LanePlan plan) {
    this.plan = plan;
  }

  @Override
  public Optional<Set<Integer>> partitions(String topic, String key, Dispatch value, int numPartitions) {
    int partition = plan.partitionFor(value.deploymentId(), key);
    if (partition >= numPartitions) {
      if (!warned) {
        warned = true;
        log.warn("topic '{}' has {} partitions but the lane plan needs {}; run `switchboard topics` to grow it",
            topic, numPartitions, plan.partitions());
      }
      partition %= numPartitions;
    }
    return Optional.of(Set.of(partition));
  }
}
