package io.switchboard.router.selection;

import io.switchboard.schemas.DeploymentHealth;
import io.switchboard.schemas.config.DynamicWeightsSettings;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Weights adapted to observed health ({@code router_settings.dynamic_weights}). Pure.
 *
 * <p>Each deployment's configured share {@code s = w / sum(w)} is multiplied by {@code (1 -
 * error_rate)^error_rate_exponent * (fastest latency / its latency)^latency_exponent} (the fastest
 * among the candidates with a latency observation; a deployment without an observation keeps factor
 * 1), and the products are renormalized. A deployment whose share would then fall below {@code
 * min_share_fraction * s} is held at that floor and the others share the rest (water-filling), so
 * no deployment is ever starved of the traffic that shows it has recovered. When every factor is 0
 * the configured weights stand. The result sums to the same total as the configured weights, so it
 * can replace them as is.
 */
public final class DynamicWeights {
  private DynamicWeights() {}

  /**
   * The weights to route by.
   *
   * @param baseWeights configured weights per deployment id (0 stays 0)
   * @param health observed health per deployment id; missing deployments count as healthy
   * @param settings the switch, the floor and the exponents
   * @return weights per deployment id, in the order of {@code baseWeights}
   */
  public static Map<String, Double> adjust(
      Map<String, Double> baseWeights,
      Map<String, DeploymentHealth> health,
      DynamicWeightsSettings settings) {
    double total = baseWeights.values().stream().mapToDouble(w -> Math.max(0, w)).sum();
    if (!settings.enabled() || total <= 0 || baseWeights.size() < 2) {
      return new LinkedHashMap<>(baseWeights);
    }
    double fastest =
        baseWeights.keySet().stream()
            .map(health::get)
            .filter(h -> h != null && h.latencyEwmaMs() > 0)
            .mapToDouble(DeploymentHealth::latencyEwmaMs)
            .min()
            .orElse(0);

    Map<String, Double> configured = new LinkedHashMap<>();
    Map<String, Double> scaled = new LinkedHashMap<>();
    baseWeights.forEach(
        (id, w) -> {
          double share = Math.max(0, w) / total;
          configured.put(id, share);
          scaled.put(id, share * factor(health.get(id), fastest, settings));
        });

    double floorFraction = settings.minShareFraction();
    Set<String> held = new HashSet<>();
    Map<String, Double> shares = new LinkedHashMap<>();
    boolean changed = true;
    while (changed) {
      changed = false;
      double budget = 1.0;
      double scaledSum = 0;
      double configuredSum = 0;
      for (String id : configured.keySet()) {
        if (held.contains(id)) {
          budget -= floorFraction * configured.get(id);
        } else {
          scaledSum += scaled.get(id);
          configuredSum += configured.get(id);
        }
      }
      for (String id : configured.keySet()) {
        double share;
        if (held.contains(id)) {
          share = floorFraction * configured.get(id);
        } else if (scaledSum > 0) {
          share = budget * scaled.get(id) / scaledSum;
        } else {
          share = configuredSum > 0 ? budget * configured.get(id) / configuredSum : 0;
        }
        shares.put(id, share);
      }
      for (String id : configured.keySet()) {
        if (!held.contains(id) && shares.get(id) < floorFraction * configured.get(id) - 1e-12) {
          held.add(id);
          changed = true;
        }
      }
    }
    Map<String, Double> out = new LinkedHashMap<>();
    shares.forEach((id, share) -> out.put(id, share * total));
    return out;
  }

  private static double factor(
      DeploymentHealth h, double fastest, DynamicWeightsSettings settings) {
    if (h == null) {
      return 1.0;
    }
    double errorRate = Math.max(0, Math.min(1, h.errorRate()));
    double f = Math.pow(1 - errorRate, settings.errorRateExponent());
    if (fastest > 0 && h.latencyEwmaMs() > 0) {
      f *= Math.pow(fastest / h.latencyEwmaMs(), settings.latencyExponent());
    }
    return f;
  }
}
