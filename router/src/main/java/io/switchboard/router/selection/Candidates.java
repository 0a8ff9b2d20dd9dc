package io.switchboard.router.selection;

import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.ErrorCode;
import io.switchboard.schemas.ReplyError;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.WeightedModel;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.config.SwitchboardConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Resolves what a request names into weighted deployments.
 *
 * <p>Precedence: inline {@code load_balancer} &gt; {@code model} &gt; {@code load_balance_group}
 * &gt; {@code body.model}. A model reference is an alias ({@code model_list[].model_name}) or a
 * deployment id; an alias that is also some deployment's id means the alias.
 *
 * <p>Weights. A deployment's own weight is {@link DeploymentConfig#effectiveWeight()}: its {@code
 * weight}, else its {@code rpm}, else 1. A list member (inline or group) that names:
 *
 * <ul>
 *   <li>a deployment id gets the member's weight, or the deployment's own weight when the member
 *       has none;
 *   <li>an alias with weight {@code w} splits {@code w} over the alias's deployments in proportion
 *       to their own weights (member {@code {model: chat, weight: 6}} over deployments of weights 1
 *       and 2 gives them 2 and 4); without a weight, each deployment keeps its own.
 * </ul>
 *
 * A deployment named twice (by its alias and by its id) gets the sum. Weights are relative: the
 * selector normalizes them. A weight of 0 takes no new traffic; a set whose weights are all 0 is
 * refused.
 *
 * <p>Chains. The fallback chain is the request's {@code fallbacks}, else the config's {@code
 * fallbacks} for what the request named (an alias, a deployment id or a group's name), else {@code
 * default_fallbacks}; an inline list has no config entry of its own, so it gets {@code
 * default_fallbacks}. The context-window chain is the request's {@code context_window_fallbacks},
 * else the config's entry for what it named, else none. The content-policy chain is the config's
 * {@code content_policy_fallbacks} entry for what it named, else none.
 */
public final class Candidates {
  private Candidates() {}

  /**
   * What a request resolves to: its first candidate set and its chains, or an error naming the
   * offending field (a JSON pointer).
   */
  public record Resolution(CandidateSet set, Chains chains, ReplyError error) {
    static Resolution failed(ErrorCode code, String message, String field) {
      return new Resolution(null, null, new ReplyError(code, message, field));
    }
  }

  /** Resolves a validated request against {@code config}. */
  public static Resolution forRequest(RouteRequest request, SwitchboardConfig config) {
    CandidateSet set;
    String field;
    // What config chains are keyed by: the alias, deployment id or group the request named.
    String alias = null;
    if (request.loadBalancer() != null) {
      field = "/load_balancer";
      if (request.loadBalancer().isEmpty()) {
        return Resolution.failed(
            ErrorCode.INVALID_REQUEST, "load_balancer must list at least one model", field);
      }
      Map<String, Double> weights = new LinkedHashMap<>();
      List<WeightedModel> members = request.loadBalancer();
      for (int i = 0; i < members.size(); i++) {
        if (!addMember(members.get(i), config, weights)) {
          return Resolution.failed(
              ErrorCode.UNKNOWN_MODEL,
              "load_balancer["
                  + i
                  + "]: model '"
                  + members.get(i).model()
                  + "' is not a model_name or deployment_id of model_list",
              field + "/" + i + "/model");
        }
      }
      set = build(CandidateSet.INLINE, weights, config);
    } else if (request.model() != null) {
      field = "/model";
      alias = request.model();
      Optional<CandidateSet> named = entry(alias, config);
      if (named.isEmpty()) {
        return Resolution.failed(
            ErrorCode.UNKNOWN_MODEL,
            "model '" + alias + "' is not a model_name or deployment_id of model_list",
            field);
      }
      set = named.get();
    } else if (request.loadBalanceGroup() != null) {
      field = "/load_balance_group";
      List<WeightedModel> members = config.loadBalanceGroups().get(request.loadBalanceGroup());
      if (members == null) {
        return Resolution.failed(
            ErrorCode.UNKNOWN_MODEL,
            "load_balance_group '"
                + request.loadBalanceGroup()
                + "' is not in load_balance_groups "
                + config.loadBalanceGroups().keySet(),
            field);
      }
      alias = request.loadBalanceGroup();
      set = build(alias, memberWeights(members, config), config);
    } else {
      field = "/body/model";
      alias =
          request.body().path("model").isTextual() ? request.body().get("model").asText() : null;
      if (alias == null || alias.isBlank()) {
        return Resolution.failed(
            ErrorCode.INVALID_REQUEST,
            "no candidates: set load_balancer, model, load_balance_group or body.model",
            "/model");
      }
      Optional<CandidateSet> named = entry(alias, config);
      if (named.isEmpty()) {
        return Resolution.failed(
            ErrorCode.UNKNOWN_MODEL,
            "body.model '" + alias + "' is not a model_name or deployment_id of model_list",
            field);
      }
      set = named.get();
    }
    if (!set.hasPositiveWeight()) {
      return Resolution.failed(
          ErrorCode.INVALID_REQUEST,
          "every candidate of "
              + field.substring(1)
              + " has weight 0 (no new traffic); at least one needs a weight above 0",
          field);
    }
    ReplyError badChain = checkChain(request.fallbacks(), "/fallbacks", config);
    if (badChain == null) {
      badChain = checkChain(request.contextWindowFallbacks(), "/context_window_fallbacks", config);
    }
    if (badChain != null) {
      return new Resolution(null, null, badChain);
    }
    List<String> fallbacks =
        request.fallbacks() != null
            ? request.fallbacks()
            : alias == null
                ? config.defaultFallbacks()
                : config.fallbacks().getOrDefault(alias, config.defaultFallbacks());
    List<String> cw =
        request.contextWindowFallbacks() != null
            ? request.contextWindowFallbacks()
            : alias == null
                ? List.of()
                : config.contextWindowFallbacks().getOrDefault(alias, List.of());
    List<String> cp =
        alias == null ? List.of() : config.contentPolicyFallbacks().getOrDefault(alias, List.of());
    return new Resolution(set, new Chains(fallbacks, cw, cp), null);
  }

  /**
   * The candidate set a handed-back dispatch was routed from, when the request may be re-routed
   * within it before its chain goes on (same-set failover); empty when it may not.
   *
   * <p>The set is the request's own at hop 0 and the chain entry {@code model_name} names at later
   * hops. The request may be re-routed within it {@code num_retries} times (the request's, else
   * {@code router_settings.num_retries}; unset: no limit but the set's size, since deployments that
   * failed the request are never chosen again). The re-routes made so far are the deployments of
   * the set that failed the request, less the first.
   *
   * @param failed the deployments that already failed this request
   */
  public static Optional<CandidateSet> failover(
      Dispatch handoff, Set<String> failed, SwitchboardConfig config) {
    CandidateSet set =
        handoff.hop() == 0
            ? forRequest(handoff.request(), config).set()
            : entry(handoff.modelName(), config).orElse(null);
    if (set == null) {
      return Optional.empty();
    }
    Integer limit =
        handoff.request().numRetries() != null
            ? handoff.request().numRetries()
            : config.routerSettings().numRetries();
    long tried = set.members().stream().filter(c -> failed.contains(c.deploymentId())).count();
    return limit == null || tried - 1 < limit ? Optional.of(set) : Optional.empty();
  }

  /**
   * The candidates of one model reference (a chain entry, or a request's {@code model}): the
   * deployments of an alias with their own weights, or the one deployment with that id.
   */
  public static Optional<CandidateSet> entry(String modelOrDeployment, SwitchboardConfig config) {
    List<DeploymentConfig> deployments = config.resolve(modelOrDeployment);
    if (deployments.isEmpty()) {
      return Optional.empty();
    }
    List<Candidate> members = new ArrayList<>();
    for (DeploymentConfig d : deployments) {
      members.add(new Candidate(d, d.effectiveWeight()));
    }
    return Optional.of(new CandidateSet(modelOrDeployment, members));
  }

  private static ReplyError checkChain(List<String> chain, String field, SwitchboardConfig config) {
    if (chain == null) {
      return null;
    }
    for (int i = 0; i < chain.size(); i++) {
      if (config.resolve(chain.get(i)).isEmpty()) {
        return new ReplyError(
            ErrorCode.UNKNOWN_MODEL,
            field.substring(1)
                + "["
                + i
                + "]: '"
                + chain.get(i)
                + "' is not a model_name or deployment_id of model_list",
            field + "/" + i);
      }
    }
    return null;
  }

  /**
   * The deployment weights of a group's or an inline list's members: a member with a weight splits
   * it among its deployments by their own weights; a member without one adds its deployments' own
   * weights. Members that name no deployment add nothing.
   */
  public static Map<String, Double> memberWeights(
      List<WeightedModel> members, SwitchboardConfig config) {
    Map<String, Double> weights = new LinkedHashMap<>();
    members.forEach(m -> addMember(m, config, weights));
    return weights;
  }

  private static boolean addMember(
      WeightedModel member, SwitchboardConfig config, Map<String, Double> weights) {
    List<DeploymentConfig> deployments = config.resolve(member.model());
    if (deployments.isEmpty()) {
      return false;
    }
    double own = deployments.stream().mapToDouble(DeploymentConfig::effectiveWeight).sum();
    for (DeploymentConfig d : deployments) {
      double w;
      if (member.weight() == null) {
        w = d.effectiveWeight();
      } else {
        w = own > 0 ? member.weight() * d.effectiveWeight() / own : 0;
      }
      weights.merge(d.deploymentId(), w, Double::sum);
    }
    return true;
  }

  private static CandidateSet build(
      String name, Map<String, Double> weights, SwitchboardConfig config) {
    List<Candidate> members = new ArrayList<>();
    weights.forEach((id, w) -> members.add(new Candidate(config.deployment(id).orElseThrow(), w)));
    return new CandidateSet(name, members);
  }
}
