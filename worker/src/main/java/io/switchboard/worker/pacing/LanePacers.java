package io.switchboard.worker.pacing;

import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.config.PriorityReserve;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.topics.LanePlan;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The pacers of the dispatch partitions this worker owns or has owned, created on first assignment
 * and kept for the worker's life: a partition revoked and assigned again (every eager rebalance
 * does that), or rewound after a failed transaction, keeps the calls made in its current window.
 * Each partition is one lane of the deployment that owns it (see {@link LanePlan}). A partition new
 * to this worker starts with an empty window: calls another worker made for it in the last minute
 * are not known here. Not thread-safe: the poll loop owns it.
 */
public final class LanePacers {
  private SwitchboardConfig config;
  private LanePlan plan;
  private final Clock clock;
  private final PaceLimits paceLimits;
  private final Map<Integer, LanePacer> byPartition = new HashMap<>();

  /** Pacers at the configured limits. */
  public LanePacers(SwitchboardConfig config, Clock clock) {
    this(config, PaceLimits.CONFIGURED, clock);
  }

  /** Pacers at the limits {@code paceLimits} gives each deployment. */
  public LanePacers(SwitchboardConfig config, PaceLimits paceLimits, Clock clock) {
    this.config = Objects.requireNonNull(config, "config");
    this.plan = LanePlan.of(config);
    this.paceLimits = Objects.requireNonNull(paceLimits, "paceLimits");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Paces by {@code next} from now on (a new config version). A partition keeps its pacer, and the
   * calls of its window, when its deployment's limits (rpm, tpm, lanes, rate window) are the same
   * in {@code next}; otherwise it gets a new pacer for the new limits. A partition that belongs to
   * no deployment in {@code next} keeps its pacer.
   *
   * @return the partitions given a new pacer, and their new pacers
   */
  public Map<Integer, LanePacer> reconfigure(SwitchboardConfig next) {
    this.config = Objects.requireNonNull(next, "next");
    this.plan = LanePlan.of(next);
    Map<Integer, LanePacer> replaced = new HashMap<>();
    for (Map.Entry<Integer, LanePacer> e : byPartition.entrySet()) {
      plan.ownerOf(e.getKey())
          .flatMap(lanes -> next.deployment(lanes.deploymentId()))
          .map(d -> LanePacer.forLane(d, paceLimits, PriorityReserve.of(next, d), clock))
          .filter(fresh -> !sameLimits(fresh, e.getValue()))
          .ifPresent(fresh -> replaced.put(e.getKey(), fresh));
    }
    byPartition.putAll(replaced);
    return replaced;
  }

  private static boolean sameLimits(LanePacer a, LanePacer b) {
    return List.of(
            a.requestLimit() == null ? -1 : a.requestLimit(),
            a.tokenLimit() == null ? -1 : a.tokenLimit(),
            a.shortLimit() == null ? -1 : a.shortLimit(),
            a.shortWindowMs())
        .equals(
            List.of(
                b.requestLimit() == null ? -1 : b.requestLimit(),
                b.tokenLimit() == null ? -1 : b.tokenLimit(),
                b.shortLimit() == null ? -1 : b.shortLimit(),
                b.shortWindowMs()));
  }

  /**
   * The pacer of a dispatch partition, created on first use.
   *
   * @throws IllegalArgumentException when no deployment owns the partition
   */
  public LanePacer forPartition(int partition) {
    return byPartition.computeIfAbsent(
        partition,
        p -> {
          String deploymentId =
              plan.ownerOf(p)
                  .orElseThrow(
                      () ->
                          new IllegalArgumentException(
                              "dispatch partition "
                                  + p
                                  + " belongs to no deployment: the topic has more partitions ("
                                  + "at least "
                                  + (p + 1)
                                  + ") than the config's lanes ("
                                  + plan.partitions()
                                  + ")"))
                  .deploymentId();
          DeploymentConfig deployment = config.deployment(deploymentId).orElseThrow();
          return LanePacer.forLane(
              deployment, paceLimits, PriorityReserve.of(config, deployment), clock);
        });
  }
}
