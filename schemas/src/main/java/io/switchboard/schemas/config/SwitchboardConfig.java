package io.switchboard.schemas.config;

import io.switchboard.schemas.WeightedModel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The whole configuration, as read from YAML (shape: {@code schemas/config.schema.json}).
 * Immutable; cross-references are checked as it is built.
 *
 * <p>A deployment without {@code deployment_id} gets its {@code model_name} when it is the only
 * deployment of that alias, else {@code <model_name>-<n>} counting from 1 in file order.
 *
 * @param modelList the deployments, in file order (which is also lane order)
 * @param loadBalanceGroups named weighted groups of aliases or deployment ids
 * @param fallbacks per alias, the models to try next when it is exhausted
 * @param contextWindowFallbacks per alias, the models to try when a prompt does not fit
 * @param routerSettings router and retry defaults
 * @param workerSettings worker sizing
 * @param topics topic names and sizes
 * @param kafka Kafka client properties shared by every client (bootstrap.servers, SASL/SSL, ...)
 * @param replyTopics allowed reply topics: exact names, or prefixes ending in {@code *}
 * @param observability the scrape and probe endpoint of every process
 */
public record SwitchboardConfig(
    List<DeploymentConfig> modelList,
    Map<String, List<WeightedModel>> loadBalanceGroups,
    Map<String, List<String>> fallbacks,
    Map<String, List<String>> contextWindowFallbacks,
    RouterSettings routerSettings,
    WorkerSettings workerSettings,
    TopicsConfig topics,
    Map<String, String> kafka,
    List<String> replyTopics,
    ObservabilityConfig observability) {

  public SwitchboardConfig {
    if (modelList == null || modelList.isEmpty()) {
      throw new ConfigException("model_list: at least one deployment is required");
    }
    modelList = List.copyOf(withDeploymentIds(modelList));
    loadBalanceGroups = loadBalanceGroups == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(loadBalanceGroups));
    fallbacks = fallbacks == null ? Map.of() : Map.copyOf(fallbacks);
    contextWindowFallbacks = contextWindowFallbacks == null ? Map.of() : Map.copyOf(contextWindowFallbacks);
    routerSettings = routerSettings == null ? RouterSettings.DEFAULT : routerSettings;
    workerSettings = workerSettings == null ? WorkerSettings.DEFAULT : workerSettings;
    topics = topics == null ? TopicsConfig.DEFAULT : topics;
    kafka = kafka == null ? Map.of() : Map.copyOf(kafka);
    replyTopics = replyTopics == null ? List.of(topics.replies(), topics.replies() + ".*") : List.copyOf(replyTopics);
    observability = observability == null ? ObservabilityConfig.DEFAULT : observability;
    checkReferences(modelList, loadBalanceGroups, fallbacks, contextWindowFallbacks);
  }

  /** A config with the default {@code observability} section. */
  public SwitchboardConfig(List<DeploymentConfig> modelList, Map<String, List<WeightedModel>> loadBalanceGroups,
      Map<String, List<String>> fallbacks, Map<String, List<String>> contextWindowFallbacks,
      RouterSettings routerSettings, WorkerSettings workerSettings, TopicsConfig topics, Map<String, String> kafka,
      List<String> replyTopics) {
    this(modelList, loadBalanceGroups, fallbacks, contextWindowFallbacks, routerSettings, workerSettings, topics, kafka,
        replyTopics, null);
  }

  private static List<DeploymentConfig> withDeploymentIds(List<DeploymentConfig> list) {
    Map<String, Integer> perAlias = new HashMap<>();
    for (DeploymentConfig d : list) {
      perAlias.merge(d.modelName(), 1, Integer::sum);
    }
    Map<String, Integer> seen = new HashMap<>();
    Set<String> ids = new LinkedHashSet<>();
    List<DeploymentConfig> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      DeploymentConfig d = list.get(i);
      int n = seen.merge(d.modelName(), 1, Integer::sum);
      String id = d.deploymentId() != null ? d.deploymentId()
          : perAlias.get(d.modelName()) == 1 ? d.modelName() : d.modelName() + "-" + n;
      if (!ids.add(id)) {
        throw new ConfigException("model_list[" + i + "].deployment_id: '" + id + "' is used twice; ids must be unique");
      }
      out.add(d.deploymentId() == null ? d.withDeploymentId(id) : d);
    }
    return out;
  }

  private static void checkReferences(List<DeploymentConfig> deployments, Map<String, List<WeightedModel>> groups,
      Map<String, List<String>> fallbacks, Map<String, List<String>> cwFallbacks) {
    Set<String> known = new LinkedHashSet<>();
    deployments.forEach(d -> {
      known.add(d.modelName());
      known.add(d.deploymentId());
    });
    groups.forEach((group, members) -> {
      if (members == null || members.isEmpty()) {
        throw new ConfigException("load_balance_groups." + group + ": a group needs at least one member");
      }
      for (int i = 0; i < members.size(); i++) {
        if (!known.contains(members.get(i).model())) {
          throw new ConfigException("load_balance_groups." + group + "[" + i + "].model: '" + members.get(i).model()
              + "' is neither a model_name nor a deployment_id of model_list");
        }
      }
    });
    checkChains("fallbacks", fallbacks, known);
    checkChains("context_window_fallbacks", cwFallbacks, known);
  }

  private static void checkChains(String key, Map<String, List<String>> chains, Set<String> known) {
    chains.forEach((from, to) -> {
      if (!known.contains(from)) {
        throw new ConfigException(key + "." + from + ": '" + from + "' is not a model_name or deployment_id of model_list");
      }
      for (int i = 0; i < to.size(); i++) {
        if (!known.contains(to.get(i))) {
          throw new ConfigException(key + "." + from + "[" + i + "]: '" + to.get(i)
              + "' is not a model_name or deployment_id of model_list");
        }
      }
    });
  }

  /** The deployment with this id, if any. */
  public Optional<DeploymentConfig> deployment(String deploymentId) {
    for (DeploymentConfig d : modelList) {
      if (d.deploymentId().equals(deploymentId)) {
        return Optional.of(d);
      }
    }
    return Optional.empty();
  }

  /** The deployments of an alias, in file order; empty when the alias is unknown. */
  public List<DeploymentConfig> deploymentsOf(String modelName) {
    return modelList.stream().filter(d -> d.modelName().equals(modelName)).toList();
  }

  /**
   * What a model reference names: the deployments of an alias, or the one deployment with that
   * id. Empty when it names nothing.
   */
  public List<DeploymentConfig> resolve(String modelOrDeployment) {
    List<DeploymentConfig> byAlias = deploymentsOf(modelOrDeployment);
    if (!byAlias.isEmpty()) {
      return byAlias;
    }
    return deployment(modelOrDeployment).map(List::of).orElse(List.of());
  }

  /** Whether a request may ask for replies on {@code topic}. */
  public boolean replyTopicAllowed(String topic) {
    for (String allowed : replyTopics) {
      if (allowed.endsWith("*") ? topic.startsWith(allowed.substring(0, allowed.length() - 1)) : allowed.equals(topic)) {
        return true;
      }
    }
    return false;
  }

  /** A copy with other Kafka client properties (used by tests and the demo to point at a broker). */
  public SwitchboardConfig withKafka(Map<String, String> properties) {
    Map<String, String> merged = new LinkedHashMap<>(kafka);
    merged.putAll(properties);
    return new SwitchboardConfig(modelList, loadBalanceGroups, fallbacks, contextWindowFallbacks, routerSettings,
        workerSettings, topics, merged, replyTopics, observability);
  }

  /**
   * A copy for one run on a shared cluster: every topic name, the router's application id and
   * the workers' group id and transactional id prefix end in {@code suffix}, so the run reads none
   * of another run's records, offsets or state. Replies may go to the renamed reply topic and to
   * names under it.
   */
  public SwitchboardConfig namespaced(String suffix) {
    TopicsConfig t = topics;
    TopicsConfig renamed = new TopicsConfig(t.requests() + suffix, t.dispatch() + suffix, t.fallbacks() + suffix,
        t.replies() + suffix, t.metrics() + suffix, t.health() + suffix, t.deadLetter() + suffix,
        t.requestPartitions(), t.replicationFactor(), t.summaries() + suffix);
    RouterSettings r = routerSettings;
    RouterSettings router = new RouterSettings(r.allowedFails(), r.cooldownSeconds(), r.numRetries(), r.timeoutMs(),
        r.maxRequestBytes(), r.applicationId() + suffix, r.stateDir(), r.dynamicWeights());
    WorkerSettings w = workerSettings;
    WorkerSettings worker = new WorkerSettings(w.groupId() + suffix, w.maxInFlightPerLane(), w.maxConnections(),
        w.shutdownGraceMs(), w.transactionalIdPrefix() + suffix, w.healthPublishIntervalMs(), w.transactionIntervalMs());
    return new SwitchboardConfig(modelList, loadBalanceGroups, fallbacks, contextWindowFallbacks, router, worker,
        renamed, kafka, List.of(renamed.replies(), renamed.replies() + ".*"), observability);
  }

  /** A copy with other router settings. */
  public SwitchboardConfig withRouterSettings(RouterSettings settings) {
    return new SwitchboardConfig(modelList, loadBalanceGroups, fallbacks, contextWindowFallbacks, settings,
        workerSettings, topics, kafka, replyTopics, observability);
  }

  /** A copy with other worker settings. */
  public SwitchboardConfig withWorkerSettings(WorkerSettings settings) {
    return new SwitchboardConfig(modelList, loadBalanceGroups, fallbacks, contextWindowFallbacks, routerSettings,
        settings, topics, kafka, replyTopics, observability);
  }

  /** A copy with another observability section. */
  public SwitchboardConfig withObservability(ObservabilityConfig settings) {
    return new SwitchboardConfig(modelList, loadBalanceGroups, fallbacks, contextWindowFallbacks, routerSettings,
        workerSettings, topics, kafka, replyTopics, settings);
  }
}
