package io.switchboard.schemas.topics;

import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.config.SwitchboardConfig;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which partitions of the dispatch topic belong to which deployment. Deployments own contiguous
 * ranges, in {@code model_list} order, {@code lanes} partitions each: with lanes 2, 1, 3 the
 * deployments own [0,1], [2], [3,4,5]. A worker that owns a partition owns {@code 1/lanes} of that
 * deployment's rpm and tpm.
 */
public final class LanePlan {
  /** The partitions of one deployment: {@code [first, first + count)}. */
  public record Lanes(String deploymentId, int first, int count) {
    public boolean contains(int partition) {
      return partition >= first && partition < first + count;
    }
  }

  private final Map<String, Lanes> byDeployment;
  private final Lanes[] byPartition;

  /**
   * One lane's share of a deployment's {@code rpm} or {@code tpm}: {@code limit / lanes} rounded
   * down, but at least 1 (so with a limit below {@code lanes} the lanes together exceed it); null
   * for no limit.
   *
   * @throws IllegalArgumentException for a limit below 1
   */
  public static Integer laneShare(Integer limit, int lanes) {
    if (limit == null) {
      return null;
    }
    if (limit < 1) {
      throw new IllegalArgumentException("rpm/tpm must be >= 1 when set, was " + limit);
    }
    return Math.max(1, limit / lanes);
  }

  /**
   * How much of {@code limit} a deployment's lanes can deliver together, each paced at its {@link
   * #laneShare}: {@code lanes * share}, never more than the limit (with rpm 100 over 3 lanes, 99).
   * The router hands out no more than this, so that no lane gets calls it would have to hold back.
   */
  public static Integer deliverable(Integer limit, int lanes) {
    Integer share = laneShare(limit, lanes);
    return share == null ? null : (int) Math.min(limit, (long) share * lanes);
  }

  /**
   * One lane's part of a deployment's {@code rpm} in one rate window of {@code seconds} ({@code
   * rate_window_seconds}): {@code laneShare * seconds / 60} rounded down, but at least 1 (so with a
   * small rpm over several lanes the lanes together may exceed the window's part, as with {@link
   * #laneShare}); null when {@code seconds} or {@code rpm} is null.
   */
  public static Integer laneWindowShare(Integer rpm, int lanes, Integer seconds) {
    Integer share = laneShare(rpm, lanes);
    return share == null || seconds == null ? null : (int) Math.max(1, (long) share * seconds / 60);
  }

  /**
   * How many calls a deployment's lanes can deliver together in one rate window of {@code seconds}:
   * {@code lanes * laneWindowShare}, never more than the window's part of the rpm ({@code rpm *
   * seconds / 60} rounded down, at least 1). With rpm 6,000 over 3 lanes: 999 in 10 s (3 x 333) and
   * 99 in 1 s. The router hands out no more than this in a window.
   */
  public static Integer windowDeliverable(Integer rpm, int lanes, Integer seconds) {
    Integer lane = laneWindowShare(rpm, lanes, seconds);
    return lane == null
        ? null
        : (int) Math.min(Math.max(1, (long) rpm * seconds / 60), (long) lane * lanes);
  }

  private LanePlan(Map<String, Lanes> byDeployment, int partitions) {
    this.byDeployment = Collections.unmodifiableMap(byDeployment);
    this.byPartition = new Lanes[partitions];
    byDeployment
        .values()
        .forEach(
            l -> {
              for (int p = l.first(); p < l.first() + l.count(); p++) {
                byPartition[p] = l;
              }
            });
  }

  public static LanePlan of(SwitchboardConfig config) {
    return of(config.modelList());
  }

  public static LanePlan of(List<DeploymentConfig> deployments) {
    Map<String, Lanes> plan = new LinkedHashMap<>();
    int next = 0;
    for (DeploymentConfig d : deployments) {
      plan.put(d.deploymentId(), new Lanes(d.deploymentId(), next, d.lanes()));
      next += d.lanes();
    }
    return new LanePlan(plan, next);
  }

  /** Partitions the dispatch topic needs. */
  public int partitions() {
    return byPartition.length;
  }

  public Lanes lanesOf(String deploymentId) {
    Lanes lanes = byDeployment.get(deploymentId);
    if (lanes == null) {
      throw new IllegalArgumentException("no lanes for deployment '" + deploymentId + "'");
    }
    return lanes;
  }

  /** The deployment owning a partition, or empty for a partition beyond the plan. */
  public Optional<Lanes> ownerOf(int partition) {
    return partition >= 0 && partition < byPartition.length
        ? Optional.of(byPartition[partition])
        : Optional.empty();
  }

  /** The lane of a deployment for a request key: spread over its partitions by key hash. */
  public int partitionFor(String deploymentId, String key) {
    Lanes lanes = lanesOf(deploymentId);
    if (lanes.count() == 1 || key == null) {
      return lanes.first();
    }
    return lanes.first() + Math.floorMod(key.hashCode(), lanes.count());
  }
}
