package io.switchboard.router.selection;

import io.switchboard.schemas.DeploymentHealth;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.config.RoutingStrategy;
import io.switchboard.schemas.config.SwitchboardConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The last step of a routing decision: which of the eligible members of a candidate set gets the
 * request, by the set's {@link RoutingStrategy} ({@code routing_strategies[<alias or group>]}, else
 * {@code router_settings.routing_strategy}).
 *
 * <p>The eligible members are those the selector left after every filter (failed, weight 0, context
 * window, cooldown, budget), so a strategy never brings back one of them. {@code weighted} lets the
 * weighted rotation choose among all of them. The others score each eligible member, keep those
 * with the lowest score, and let the weighted rotation choose among those: ties go to the member
 * furthest behind its weighted share, so the same inputs give the same pick, and equal scores split
 * by weight.
 *
 * <ul>
 *   <li>{@code least-busy}: dispatches in flight, summed over the fresh reports of every worker
 *       ({@link HealthReports#fresh}), plus what this task sent to the deployment since the newest
 *       of them ({@link RecentPicks}); no fresh report counts as 0.
 *   <li>{@code usage-based}: the share of this task's rpm, rate-window and tpm budget the request
 *       would leave used (the largest of the three; 0 for a deployment without limits).
 *   <li>{@code latency-based}: the latency merged over the fresh reports of every worker, weighted
 *       by their calls. A deployment no worker has measured recently ties with the fastest, so it
 *       gets its weighted share next to it until it is measured: a deployment that was slow is
 *       tried again once its reports have aged out, instead of never again.
 * </ul>
 */
public final class Strategies {
  private final SwitchboardConfig config;
  private final HealthView health;
  private final Duration ttl;

  /** Null when no candidate set is least-busy: nothing reads them. */
  private final RecentPicks picks;

  Strategies(SwitchboardConfig config, HealthView health) {
    this.config = config;
    this.health = health;
    this.ttl = HealthReports.ttl(config.workerSettings());
    boolean leastBusy =
        config.routerSettings().routingStrategy() == RoutingStrategy.LEAST_BUSY
            || config.routingStrategies().containsValue(RoutingStrategy.LEAST_BUSY);
    this.picks = leastBusy ? new RecentPicks(ttl.toMillis()) : null;
  }

  /**
   * Picks one of the eligible members and counts the pick in {@code counts}.
   *
   * @param weights the members' integer weights ({@link WeightedRoundRobin#normalize})
   * @param counts the set's rotation counts
   * @param eligible which members may be picked
   * @param usage the share of its budget a deployment would have used with this request
   * @return the index of the member picked
   */
  int pick(
      CandidateSet set,
      long[] weights,
      long[] counts,
      boolean[] eligible,
      Instant now,
      ToDoubleFunction<DeploymentConfig> usage) {
    RoutingStrategy strategy = config.routingStrategyOf(set.name());
    boolean[] among = eligible;
    if (strategy != RoutingStrategy.WEIGHTED) {
      double[] scores = new double[eligible.length];
      List<Candidate> members = set.members();
      for (int i = 0; i < scores.length; i++) {
        scores[i] =
            eligible[i] && weights[i] > 0
                ? score(strategy, members.get(i).deployment(), now, usage)
                : Double.NaN;
      }
      among = lowest(scores, eligible, weights);
    }
    int index = WeightedRoundRobin.pick(weights, counts, among);
    if (picks != null) {
      picks.record(set.members().get(index).deploymentId(), now.toEpochMilli());
    }
    return index;
  }

  /**
   * The member's score under the strategy (lower is better); NaN for a latency nobody measured
   * recently.
   */
  private double score(
      RoutingStrategy strategy,
      DeploymentConfig d,
      Instant now,
      ToDoubleFunction<DeploymentConfig> usage) {
    return switch (strategy) {
      case WEIGHTED -> 0;
      case USAGE_BASED -> usage.applyAsDouble(d);
      case LATENCY_BASED -> {
        DeploymentHealth fresh = health.reports(d.deploymentId()).fresh(now, ttl);
        yield fresh == null || fresh.latencyEwmaMs() <= 0 ? Double.NaN : fresh.latencyEwmaMs();
      }
      case LEAST_BUSY -> {
        DeploymentHealth fresh = health.reports(d.deploymentId()).fresh(now, ttl);
        int reported = fresh == null || fresh.inFlight() == null ? 0 : fresh.inFlight();
        long after = fresh == null ? Long.MIN_VALUE : fresh.updatedAt().toEpochMilli();
        yield reported + picks.since(d.deploymentId(), after, now.toEpochMilli());
      }
    };
  }

  /**
   * The eligible members (with a weight above 0) whose score is the lowest; a NaN score (not
   * measured) counts as the lowest measured one, and as 0 when none is measured. When no member
   * qualifies, {@code eligible} as it is.
   */
  static boolean[] lowest(double[] scores, boolean[] eligible, long[] weights) {
    double least = Double.POSITIVE_INFINITY;
    boolean any = false;
    for (int i = 0; i < scores.length; i++) {
      if (eligible[i] && weights[i] > 0) {
        any = true;
        if (!Double.isNaN(scores[i]) && scores[i] < least) {
          least = scores[i];
        }
      }
    }
    if (!any) {
      return eligible;
    }
    boolean[] among = new boolean[scores.length];
    for (int i = 0; i < scores.length; i++) {
      among[i] =
          eligible[i]
              && weights[i] > 0
              && (Double.isNaN(scores[i])
                  || scores[i] == least
                  || least == Double.POSITIVE_INFINITY);
    }
    return among;
  }
}
