package io.switchboard.schemas.config;

import io.switchboard.schemas.WeightedModel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The whole configuration, as read from YAML (shape: {@code schemas/config.schema.json}).
 * Immutable; cross-references are checked as it is built. Each top-level key is declared once
 * below, and each section declares its own keys; no component is null after construction.
 *
 * @param modelList {@link #MODEL_LIST}, each with its id assigned ({@link
 *     DeploymentConfig#DEPLOYMENT_ID})
 * @param loadBalanceGroups {@link #LOAD_BALANCE_GROUPS}
 * @param fallbacks {@link #FALLBACKS}
 * @param contextWindowFallbacks {@link #CONTEXT_WINDOW_FALLBACKS}
 * @param routerSettings {@link #ROUTER_SETTINGS}
 * @param workerSettings {@link #WORKER_SETTINGS}
 * @param topics {@link #TOPICS}
 * @param kafka {@link #KAFKA}
 * @param replyTopics {@link #REPLY_TOPICS}
 * @param observability {@link #OBSERVABILITY}
 * @param modelGroupAlias {@link #MODEL_GROUP_ALIAS}
 * @param routingStrategies {@link #ROUTING_STRATEGIES}
 * @param contentPolicyFallbacks {@link #CONTENT_POLICY_FALLBACKS}
 * @param defaultFallbacks {@link #DEFAULT_FALLBACKS}
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
    ObservabilityConfig observability,
    Map<String, String> modelGroupAlias,
    Map<String, RoutingStrategy> routingStrategies,
    Map<String, List<String>> contentPolicyFallbacks,
    List<String> defaultFallbacks) {

  private static final String TOP = "";

  public static final ConfigKey<List<DeploymentConfig>> MODEL_LIST =
      ConfigKey.<List<DeploymentConfig>>array(
              TOP,
              "model_list",
              null,
              "The provider deployments, in file order (which is also lane order).")
          .asRequired()
          .atLeast(1);
  public static final ConfigKey<Map<String, List<WeightedModel>>> LOAD_BALANCE_GROUPS =
      ConfigKey.object(
          TOP,
          "load_balance_groups",
          Map.of(),
          "Named weighted groups of aliases or deployment ids.");
  public static final ConfigKey<Map<String, List<String>>> FALLBACKS =
      ConfigKey.object(
          TOP,
          "fallbacks",
          Map.of(),
          "Per alias, deployment id or load_balance_groups name, the models to try next when every deployment of it "
              + "has given up.");
  public static final ConfigKey<Map<String, List<String>>> CONTEXT_WINDOW_FALLBACKS =
      ConfigKey.object(
          TOP,
          "context_window_fallbacks",
          Map.of(),
          "Per alias, deployment id or load_balance_groups name, the models to try when a prompt does not fit.");
  public static final ConfigKey<Map<String, List<String>>> CONTENT_POLICY_FALLBACKS =
      ConfigKey.object(
          TOP,
          "content_policy_fallbacks",
          Map.of(),
          "Per alias, deployment id or load_balance_groups name, the models to "
              + "try when a deployment refuses the request by its content filter; unset: the refusal is the answer.");
  public static final ConfigKey<List<String>> DEFAULT_FALLBACKS =
      ConfigKey.array(
          TOP,
          "default_fallbacks",
          List.of(),
          "The fallback chain of every alias, deployment id, group and inline load_balancer list without its own "
              + "entry in fallbacks.");
  public static final ConfigKey<RouterSettings> ROUTER_SETTINGS =
      ConfigKey.object(
          TOP,
          "router_settings",
          RouterSettings.DEFAULT,
          "Router and retry defaults, shared by router and workers.");
  public static final ConfigKey<WorkerSettings> WORKER_SETTINGS =
      ConfigKey.object(
          TOP, "worker_settings", WorkerSettings.DEFAULT, "Worker sizing and identity.");
  public static final ConfigKey<TopicsConfig> TOPICS =
      ConfigKey.object(TOP, "topics", TopicsConfig.DEFAULT, "Topic names and sizes.");
  public static final ConfigKey<Map<String, String>> KAFKA =
      ConfigKey.object(
          TOP,
          "kafka",
          Map.of(),
          "Kafka client properties for every client: bootstrap.servers, security.protocol, sasl.*, ssl.*");
  public static final ConfigKey<List<String>> REPLY_TOPICS =
      ConfigKey.array(
          TOP,
          "reply_topics",
          null,
          "Allowed reply topics: exact names, or prefixes ending in *; unset: topics.replies and the names under it.");
  public static final ConfigKey<ObservabilityConfig> OBSERVABILITY =
      ConfigKey.object(
          TOP,
          "observability",
          ObservabilityConfig.DEFAULT,
          "The /metrics, /health and /ready endpoint of every process.");
  public static final ConfigKey<Map<String, String>> MODEL_GROUP_ALIAS =
      ConfigKey.object(
          TOP,
          "model_group_alias",
          Map.of(),
          "Extra names: each resolves to the deployments of the model_name (or the deployment id) it maps to, "
              + "and follows that model's fallback chains unless it has its own.");
  public static final ConfigKey<Map<String, RoutingStrategy>> ROUTING_STRATEGIES =
      ConfigKey.object(
          TOP,
          "routing_strategies",
          Map.of(),
          "Per alias (model_name, or an extra name of model_group_alias, which "
              + "otherwise follows its model's) or load_balance_groups name, the routing strategy of its deployments; "
              + "unset: router_settings.routing_strategy.");

  public SwitchboardConfig {
    modelList = List.copyOf(withDeploymentIds(MODEL_LIST.value(modelList)));
    loadBalanceGroups =
        Collections.unmodifiableMap(
            new LinkedHashMap<>(LOAD_BALANCE_GROUPS.value(loadBalanceGroups)));
    fallbacks = Map.copyOf(FALLBACKS.value(fallbacks));
    contextWindowFallbacks = Map.copyOf(CONTEXT_WINDOW_FALLBACKS.value(contextWindowFallbacks));
    routerSettings = ROUTER_SETTINGS.value(routerSettings);
    workerSettings = WORKER_SETTINGS.value(workerSettings);
    topics = TOPICS.value(topics);
    kafka = Map.copyOf(KAFKA.value(kafka));
    replyTopics =
        List.copyOf(
            REPLY_TOPICS.value(replyTopics == null ? ReplyTopics.defaults(topics) : replyTopics));
    observability = OBSERVABILITY.value(observability);
    modelGroupAlias = Map.copyOf(MODEL_GROUP_ALIAS.value(modelGroupAlias));
    contentPolicyFallbacks = Map.copyOf(CONTENT_POLICY_FALLBACKS.value(contentPolicyFallbacks));
    defaultFallbacks = List.copyOf(DEFAULT_FALLBACKS.value(defaultFallbacks));
    ConfigReferences.checkReferences(
        modelList,
        loadBalanceGroups,
        List.of(fallbacks, contextWindowFallbacks, contentPolicyFallbacks),
        defaultFallbacks,
        modelGroupAlias);
    fallbacks = ConfigReferences.withAliasChains(fallbacks, modelGroupAlias);
    contextWindowFallbacks =
        ConfigReferences.withAliasChains(contextWindowFallbacks, modelGroupAlias);
    contentPolicyFallbacks =
        ConfigReferences.withAliasChains(contentPolicyFallbacks, modelGroupAlias);
    routingStrategies = Map.copyOf(ROUTING_STRATEGIES.value(routingStrategies));
    ConfigReferences.checkStrategies(
        routingStrategies, modelList, loadBalanceGroups, modelGroupAlias);
  }

  /**
   * A config with the default {@code observability} section, no extra names and no {@code
   * routing_strategies}.
   */
  public SwitchboardConfig(
      List<DeploymentConfig> modelList,
      Map<String, List<WeightedModel>> loadBalanceGroups,
      Map<String, List<String>> fallbacks,
      Map<String, List<String>> contextWindowFallbacks,
      RouterSettings routerSettings,
      WorkerSettings workerSettings,
      TopicsConfig topics,
      Map<String, String> kafka,
      List<String> replyTopics) {
    this(
        modelList,
        loadBalanceGroups,
        fallbacks,
        contextWindowFallbacks,
        routerSettings,
        workerSettings,
        topics,
        kafka,
        replyTopics,
        null,
        null,
        null,
        null,
        null);
  }

  private static List<DeploymentConfig> withDeploymentIds(List<DeploymentConfig> list) {
    List<String> ids =
        DeploymentIds.of(
            list.stream().map(DeploymentConfig::modelName).toList(),
            list.stream().map(DeploymentConfig::deploymentId).toList());
    Set<String> unique = new HashSet<>();
    List<DeploymentConfig> out = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      DeploymentConfig d = list.get(i);
      String id = ids.get(i);
      if (!unique.add(id)) {
        throw new ConfigException(
            "model_list[" + i + "].deployment_id: '" + id + "' is used twice; ids must be unique");
      }
      out.add(d.deploymentId() == null ? d.withDeploymentId(id) : d);
    }
    return out;
  }

  /**
   * The routing strategy of a candidate set: its {@code routing_strategies} entry, else (for an
   * extra name of {@code model_group_alias}) that of the model it names, else the router's default.
   */
  public RoutingStrategy routingStrategyOf(String aliasOrGroup) {
    RoutingStrategy own = routingStrategies.get(aliasOrGroup);
    if (own != null) {
      return own;
    }
    String target = modelGroupAlias.get(aliasOrGroup);
    return target != null ? routingStrategyOf(target) : routerSettings.routingStrategy();
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
   * What a model reference names: the deployments of an alias, the one deployment with that id, or
   * what an extra name of {@code model_group_alias} maps to. Empty when it names nothing.
   */
  public List<DeploymentConfig> resolve(String modelOrDeployment) {
    List<DeploymentConfig> byAlias = deploymentsOf(modelOrDeployment);
    if (!byAlias.isEmpty()) {
      return byAlias;
    }
    Optional<DeploymentConfig> byId = deployment(modelOrDeployment);
    if (byId.isPresent()) {
      return List.of(byId.get());
    }
    String target = modelGroupAlias.get(modelOrDeployment);
    return target == null ? List.of() : resolve(target);
  }

  /**
   * Whether a request may ask for replies on {@code topic}: whether {@code reply_topics} allows it.
   */
  public boolean replyTopicAllowed(String topic) {
    return ReplyTopics.allows(replyTopics, topic);
  }

  /**
   * A copy with other Kafka client properties (used by tests and the demo to point at a broker).
   */
  public SwitchboardConfig withKafka(Map<String, String> properties) {
    Map<String, String> merged = new LinkedHashMap<>(kafka);
    merged.putAll(properties);
    return copy(routerSettings, workerSettings, topics, merged, replyTopics, observability);
  }

  /**
   * A copy for one run on a shared cluster: every topic name, the router's application id and the
   * workers' group id and transactional id prefix end in {@code suffix}, so the run reads none of
   * another run's records, offsets or state. Replies may go to the renamed reply topic and to names
   * under it.
   */
  public SwitchboardConfig namespaced(String suffix) {
    TopicsConfig t = topics;
    TopicsConfig renamed =
        new TopicsConfig(
            t.requests() + suffix,
            t.dispatch() + suffix,
            t.fallbacks() + suffix,
            t.replies() + suffix,
            t.metrics() + suffix,
            t.health() + suffix,
            t.deadLetter() + suffix,
            t.requestPartitions(),
            t.replicationFactor(),
            t.summaries() + suffix,
            t.offloadJobs() + suffix,
            t.config() + suffix);
    RouterSettings r = routerSettings;
    RouterSettings router =
        new RouterSettings(
            r.allowedFails(),
            r.cooldownSeconds(),
            r.numRetries(),
            r.timeoutMs(),
            r.maxRequestBytes(),
            r.applicationId() + suffix,
            r.stateDir(),
            r.dynamicWeights(),
            r.routingStrategy(),
            r.retryOnStatusCodes(),
            r.retryPolicy(),
            r.priorityReserve());
    WorkerSettings w = workerSettings;
    WorkerSettings worker =
        new WorkerSettings(
            w.groupId() + suffix,
            w.maxInFlightPerLane(),
            w.maxConnections(),
            w.shutdownGraceMs(),
            w.transactionalIdPrefix() + suffix,
            w.healthPublishIntervalMs(),
            w.transactionIntervalMs(),
            w.httpVersion(),
            w.maxConnectionsPerHost(),
            w.maxStreamsPerConnection(),
            w.learnLimits(),
            w.batchReadAhead());
    return copy(router, worker, renamed, kafka, ReplyTopics.defaults(renamed), observability);
  }

  /** A copy with other router settings. */
  public SwitchboardConfig withRouterSettings(RouterSettings settings) {
    return copy(settings, workerSettings, topics, kafka, replyTopics, observability);
  }

  /** A copy with other worker settings. */
  public SwitchboardConfig withWorkerSettings(WorkerSettings settings) {
    return copy(routerSettings, settings, topics, kafka, replyTopics, observability);
  }

  /** A copy with another observability section. */
  public SwitchboardConfig withObservability(ObservabilityConfig settings) {
    return copy(routerSettings, workerSettings, topics, kafka, replyTopics, settings);
  }

  /** This config with the sections a copy may change replaced; the routing sections stay. */
  private SwitchboardConfig copy(
      RouterSettings router,
      WorkerSettings worker,
      TopicsConfig topicNames,
      Map<String, String> kafkaProperties,
      List<String> allowedReplyTopics,
      ObservabilityConfig observabilitySection) {
    return new SwitchboardConfig(
        modelList,
        loadBalanceGroups,
        fallbacks,
        contextWindowFallbacks,
        router,
        worker,
        topicNames,
        kafkaProperties,
        allowedReplyTopics,
        observabilitySection,
        modelGroupAlias,
        routingStrategies,
        contentPolicyFallbacks,
        defaultFallbacks);
  }
}
