package io.switchboard.schemas.config;

import io.switchboard.schemas.WeightedModel;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The cross-references of a config, checked as it is built: groups, chains, extra names and routing
 * strategies name only what {@code model_list} and {@code load_balance_groups} define.
 */
final class ConfigReferences {
  private ConfigReferences() {}

  static void checkReferences(
      List<DeploymentConfig> deployments,
      Map<String, List<WeightedModel>> groups,
      List<Map<String, List<String>>> chainMaps,
      List<String> defaultFallbacks,
      Map<String, String> aliases) {
    Set<String> known = new LinkedHashSet<>();
    deployments.forEach(
        d -> {
          known.add(d.modelName());
          known.add(d.deploymentId());
        });
    aliases.forEach(
        (alias, target) -> {
          if (known.contains(alias)) {
            throw new ConfigException(
                "model_group_alias."
                    + alias
                    + ": '"
                    + alias
                    + "' is already a model_name or deployment_id of model_list; an extra name must be new");
          }
          if (!known.contains(target)) {
            throw new ConfigException(
                "model_group_alias."
                    + alias
                    + ": '"
                    + target
                    + "' is not a model_name or deployment_id of model_list");
          }
        });
    known.addAll(aliases.keySet());
    groups.forEach(
        (group, members) -> {
          if (members == null || members.isEmpty()) {
            throw new ConfigException(
                "load_balance_groups." + group + ": a group needs at least one member");
          }
          for (int i = 0; i < members.size(); i++) {
            if (!known.contains(members.get(i).model())) {
              throw new ConfigException(
                  "load_balance_groups."
                      + group
                      + "["
                      + i
                      + "].model: '"
                      + members.get(i).model()
                      + "' is neither a model_name nor a deployment_id of model_list");
            }
          }
        });
    Set<String> routable = new LinkedHashSet<>(known);
    routable.addAll(groups.keySet());
    List<ConfigKey<?>> keys =
        List.of(
            SwitchboardConfig.FALLBACKS,
            SwitchboardConfig.CONTEXT_WINDOW_FALLBACKS,
            SwitchboardConfig.CONTENT_POLICY_FALLBACKS);
    for (int k = 0; k < keys.size(); k++) {
      String key = keys.get(k).name();
      chainMaps
          .get(k)
          .forEach(
              (from, to) -> {
                if (!routable.contains(from)) {
                  throw new ConfigException(
                      key
                          + "."
                          + from
                          + ": '"
                          + from
                          + "' is not a model_name or deployment_id of model_list, nor a load_balance_groups name");
                }
                checkChain(key + "." + from, to, known);
              });
    }
    checkChain(SwitchboardConfig.DEFAULT_FALLBACKS.name(), defaultFallbacks, known);
  }

  /** Every entry of a chain names an alias or a deployment id. */
  static void checkChain(String at, List<String> chain, Set<String> known) {
    for (int i = 0; i < chain.size(); i++) {
      if (!known.contains(chain.get(i))) {
        throw new ConfigException(
            at
                + "["
                + i
                + "]: '"
                + chain.get(i)
                + "' is not a model_name or deployment_id of model_list");
      }
    }
  }

  /** Chains with each extra name that has none following the chain of the model it names. */
  static Map<String, List<String>> withAliasChains(
      Map<String, List<String>> chains, Map<String, String> aliases) {
    Map<String, List<String>> out = new LinkedHashMap<>(chains);
    aliases.forEach(
        (alias, target) -> {
          if (!out.containsKey(alias) && chains.containsKey(target)) {
            out.put(alias, chains.get(target));
          }
        });
    return Map.copyOf(out);
  }

  /**
   * Every key of {@code routing_strategies} names an alias or a group: a strategy nothing uses is a
   * typo.
   */
  static void checkStrategies(
      Map<String, RoutingStrategy> strategies,
      List<DeploymentConfig> deployments,
      Map<String, List<WeightedModel>> groups,
      Map<String, String> aliases) {
    strategies
        .keySet()
        .forEach(
            name -> {
              if (!groups.containsKey(name)
                  && !aliases.containsKey(name)
                  && deployments.stream().noneMatch(d -> d.modelName().equals(name))) {
                throw new ConfigException(
                    "routing_strategies."
                        + name
                        + ": '"
                        + name
                        + "' is neither a model_name of model_list, an extra name of model_group_alias nor a load_balance_groups "
                        + "name");
              }
            });
  }
}
