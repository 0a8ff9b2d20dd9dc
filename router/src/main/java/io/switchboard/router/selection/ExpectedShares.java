package io.switchboard.router.selection;

import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.WeightedModel;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.config.SwitchboardConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The share of first routes each deployment of a candidate set should get, from the configured
 * weights: the deployments of an alias by their weights; a group's (or an inline list's) members by
 * the router's own rule ({@link Candidates#memberWeights}). A deployment without a weight weighs
 * its rpm, else 1.
 */
public final class ExpectedShares {
  private ExpectedShares() {}

  /**
   * The expected shares of the candidate set a first-route dispatch came from: the alias or
   * deployment named by its model name, else the group of that name, else the request's inline
   * {@code load_balancer}; shares sum to 1. Empty when none of these names deployments.
   */
  public static Map<String, Double> of(SwitchboardConfig config, Dispatch dispatch) {
    String name = dispatch.modelName();
    if (name != null) {
      Map<String, Double> byName = of(config, name);
      if (!byName.isEmpty()) {
        return byName;
      }
    }
    List<WeightedModel> inline = dispatch.request().loadBalancer();
    return inline == null ? Map.of() : ofMembers(config, inline);
  }

  /**
   * The expected shares of an alias, a deployment id or a group; empty when the name is none of
   * these.
   */
  public static Map<String, Double> of(SwitchboardConfig config, String modelName) {
    List<DeploymentConfig> deployments = config.resolve(modelName);
    if (!deployments.isEmpty()) {
      return normalize(weighted(deployments, 1.0));
    }
    List<WeightedModel> group = config.loadBalanceGroups().get(modelName);
    return group == null ? Map.of() : ofMembers(config, group);
  }

  private static Map<String, Double> ofMembers(
      SwitchboardConfig config, List<WeightedModel> members) {
    return normalize(Candidates.memberWeights(members, config));
  }

  /** The deployments' weights, scaled so that they sum to {@code total}. */
  private static Map<String, Double> weighted(List<DeploymentConfig> deployments, double total) {
    double sum = deployments.stream().mapToDouble(DeploymentConfig::effectiveWeight).sum();
    Map<String, Double> out = new LinkedHashMap<>();
    for (DeploymentConfig d : deployments) {
      out.put(d.deploymentId(), sum == 0 ? 0 : total * d.effectiveWeight() / sum);
    }
    return out;
  }

  private static Map<String, Double> normalize(Map<String, Double> weights) {
    double sum = weights.values().stream().mapToDouble(Double::doubleValue).sum();
    if (sum <= 0) {
      return Map.of();
    }
    Map<String, Double> out = new LinkedHashMap<>();
    weights.forEach(
        (d, w) -> {
          if (w > 0) {
            out.put(d, w / sum);
          }
        });
    return out;
  }
}
