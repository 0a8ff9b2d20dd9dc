package io.switchboard.router.selection;

import io.switchboard.schemas.DeploymentHealth;
import io.switchboard.schemas.ErrorCode;
import io.switchboard.schemas.Outcome;
import io.switchboard.schemas.Priority;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.config.DynamicWeightsSettings;
import io.switchboard.schemas.config.PriorityReserve;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.topics.LanePlan;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The routing decision of one task: walks a request's candidate set and then its chains until a
 * deployment can take it.
 *
 * <p>For each candidate set, in order: drop deployments that already failed this request and those
 * of weight 0; if none is left, take the next entry of the current chain. Drop deployments whose
 * {@code context_window} is smaller than the estimate; if none is left, switch to the
 * context-window chain. Drop deployments cooling down; if none is left, take the next entry of the
 * current chain. Among the rest prefer those with rpm and tpm budget left in this task's share,
 * counted over a sliding window ({@link SlidingBudget}), of the lower of the configured and the
 * learned limit ({@link #limits}), and of the part of the share the request's class may use ({@link
 * PriorityReserve#availableTo}: the share less the other classes' reserves); when none has any,
 * queue on those whose share is least overdrawn (used / share). Pick by the set's routing strategy
 * ({@link Strategies}), ties by {@link WeightedRoundRobin} on the state of this candidate set.
 *
 * <p>The chain followed is the fallback chain, until a context-window problem switches to the
 * context-window chain for good (a context-window hand-off starts there; a content-policy hand-off
 * starts on the content-policy chain). When the chain runs out: if some deployment was only cooling
 * down, the request is held until the earliest cooldown ends; otherwise it is exhausted.
 */
public final class Selector {
  private final SwitchboardConfig config;
  private final KeyValueStore<String, long[]> rotations;
  private final KeyValueStore<String, long[]> budgets;
  private final int tasks;
  private final int task;
  private final HealthView healthView;
  private final Strategies strategies;

  /** Key prefix of the budget store's entries: {@code b|<deployment>}. */
  static final String BUDGET_KEY_PREFIX = "b|";

  /** The budget store's entries of this task, decoded: read for every request, written through. */
  private final Map<String, SlidingBudget> budgetWindows = new HashMap<>();

  /**
   * The selector of router task {@code task}, over that task's stores.
   *
   * @param rotations weighted round robin pick counts per candidate set
   * @param budgets requests and tokens handed out per deployment, this task's share
   * @param health every worker's latest health report per deployment id ({@link HealthReports},
   *     global)
   * @param task the task's partition of the requests topic: which share of every budget it owns
   */
  public Selector(
      SwitchboardConfig config,
      KeyValueStore<String, long[]> rotations,
      KeyValueStore<String, long[]> budgets,
      ReadOnlyKeyValueStore<String, byte[]> health,
      int task) {
    this.config = config;
    this.rotations = rotations;
    this.budgets = budgets;
    this.tasks = config.topics().requestPartitions();
    this.task = task;
    this.healthView = new HealthView(health);
    this.strategies = new Strategies(config, healthView);
    // Per-minute counts of earlier versions (keys "<minute>|<deployment>") are not read any more.
    List<String> stale = new ArrayList<>();
    try (var it = budgets.all()) {
      it.forEachRemaining(
          kv -> {
            if (!kv.key.startsWith(BUDGET_KEY_PREFIX)) {
              stale.add(kv.key);
            }
          });
    }
    stale.forEach(budgets::delete);
  }

  /**
   * One routing pass.
   *
   * @param first the candidate set to try first, or null to start with the next chain entry
   * @param chain the chain followed from the start: FALLBACK, CONTEXT_WINDOW or CONTENT_POLICY
   * @param chains the chains still to try
   * @param failed deployments that already failed this request
   * @param hop the hop of the dispatch this pass starts from
   * @param estimate the request's estimated tokens
   * @param priority the request's class: which part of every budget share it may use
   */
  public Decision decide(
      CandidateSet first,
      Outcome chain,
      Chains chains,
      Set<String> failed,
      int hop,
      int estimate,
      Priority priority,
      Instant now) {
    Deque<String> fb = new ArrayDeque<>(chains.fallbacks());
    Deque<String> cw = new ArrayDeque<>(chains.contextWindow());
    Deque<String> cp = new ArrayDeque<>(chains.contentPolicy());
    Outcome following = chain;
    List<String> skipped = new ArrayList<>();
    Instant earliestCooldownEnd = null;
    CandidateSet set = first;
    String lastName = first == null ? null : first.name();
    while (true) {
      if (set != null) {
        List<Candidate> usable =
            set.members().stream()
                .filter(c -> c.weight() > 0 && !failed.contains(c.deploymentId()))
                .toList();
        if (usable.isEmpty()) {
          skipped.add(set.name() + ": no deployment left (failed or weight 0)");
        } else {
          List<Candidate> fit =
              usable.stream().filter(c -> fits(c.deployment(), estimate)).toList();
          if (fit.isEmpty()) {
            skipped.add(
                set.name()
                    + ": ~"
                    + estimate
                    + " tokens exceed the context window of "
                    + usable.stream()
                        .map(c -> c.deploymentId() + " (" + c.deployment().contextWindow() + ")")
                        .collect(Collectors.joining(", ")));
            following = Outcome.CONTEXT_WINDOW;
          } else {
            List<Candidate> healthy = new ArrayList<>();
            for (Candidate c : fit) {
              DeploymentHealth h = health(c.deploymentId());
              if (h != null && h.coolingDownAt(now)) {
                earliestCooldownEnd =
                    earliestCooldownEnd == null || h.cooldownUntil().isBefore(earliestCooldownEnd)
                        ? h.cooldownUntil()
                        : earliestCooldownEnd;
              } else {
                healthy.add(c);
              }
            }
            if (healthy.isEmpty()) {
              skipped.add(set.name() + ": every deployment is cooling down");
            } else {
              return pick(
                  set,
                  healthy,
                  estimate,
                  priority,
                  now,
                  hop,
                  new Chains(List.copyOf(fb), List.copyOf(cw), List.copyOf(cp)),
                  skipped);
            }
          }
        }
      }
      Deque<String> next =
          switch (following) {
            case CONTEXT_WINDOW -> cw;
            case CONTENT_POLICY -> cp;
            default -> fb;
          };
      if (next.isEmpty()) {
        break;
      }
      String entry = next.pop();
      hop++;
      lastName = entry;
      set = Candidates.entry(entry, config).orElse(null);
      if (set == null) {
        skipped.add(entry + ": not a model_name or deployment_id of model_list");
      }
    }
    if (earliestCooldownEnd != null) {
      return new Decision.Held(earliestCooldownEnd, List.copyOf(skipped));
    }
    boolean contextWindow = following == Outcome.CONTEXT_WINDOW;
    ErrorCode code =
        contextWindow ? ErrorCode.CONTEXT_WINDOW_EXCEEDED : ErrorCode.FALLBACKS_EXHAUSTED;
    String message =
        (contextWindow
                ? "the prompt (~"
                    + estimate
                    + " tokens with the output) fits no deployment left in the context-window chain"
                : following == Outcome.CONTENT_POLICY
                    ? "a content filter refused the request and every deployment of the content-policy chain failed or is "
                        + "unavailable"
                    : "every deployment of the request's chain failed or is unavailable")
            + (skipped.isEmpty() ? "" : ": " + String.join("; ", skipped));
    return new Decision.Exhausted(code, message, lastName, List.copyOf(skipped));
  }

  private Decision pick(
      CandidateSet set,
      List<Candidate> healthy,
      int estimate,
      Priority priority,
      Instant now,
      int hop,
      Chains remaining,
      List<String> skipped) {
    long nowMs = now.toEpochMilli();
    List<Candidate> members = set.members();
    boolean[] eligible = new boolean[members.size()];
    boolean anyBudget = false;
    for (int i = 0; i < members.size(); i++) {
      Candidate c = members.get(i);
      if (healthy.contains(c) && hasBudget(c.deployment(), priority, nowMs, estimate)) {
        eligible[i] = true;
        anyBudget = true;
      }
    }
    if (!anyBudget) {
      // Queue where the budget is least overdrawn, so that every lane's queue drains as soon as
      // another's: by weight, a deployment with a small rpm would take as much of the overflow as
      // its weight says and keep it waiting for longer than the others.
      double least = Double.POSITIVE_INFINITY;
      double[] load = new double[members.size()];
      for (int i = 0; i < members.size(); i++) {
        load[i] =
            healthy.contains(members.get(i))
                ? overdraw(members.get(i).deployment(), nowMs, estimate)
                : Double.NaN;
        if (load[i] < least) {
          least = load[i];
        }
      }
      for (int i = 0; i < members.size(); i++) {
        eligible[i] =
            healthy.contains(members.get(i))
                && (least == Double.POSITIVE_INFINITY || load[i] == least);
      }
    }
    long[] weights = WeightedRoundRobin.normalize(routingWeights(members));
    String key = set.rotationKey();
    long[] counts = rotations.get(key);
    if (counts == null || counts.length != weights.length) {
      counts = new long[weights.length];
    }
    int index =
        strategies.pick(set, weights, counts, eligible, now, d -> overdraw(d, nowMs, estimate));
    rotations.put(key, counts);
    String deploymentId = members.get(index).deploymentId();
    spend(members.get(index).deployment(), nowMs, estimate);
    return new Decision.Dispatched(
        deploymentId, set.name(), hop, remaining, anyBudget, List.copyOf(skipped));
  }

  private static boolean fits(DeploymentConfig d, int estimate) {
    return d.contextWindow() == null || estimate <= d.contextWindow();
  }

  /**
   * Whether the deployment has budget left for a request of {@code priority}: of every share, the
   * part the class may use, the share less the other classes' reserves. The task counts no use by
   * class, so a class's reserve stays held after the class used it (the others get less than they
   * could, never more).
   */
  private boolean hasBudget(DeploymentConfig d, Priority priority, long nowMs, int estimate) {
    PriorityReserve reserve = PriorityReserve.of(config, d);
    Long rpm = availableTo(reserve, priority, rpmShare(d));
    Long tpm = availableTo(reserve, priority, tpmShare(d));
    if (rpm == null && tpm == null) {
      return true;
    }
    SlidingBudget used = budget(d);
    Long burst = availableTo(reserve, priority, rateWindowShare(d));
    return (rpm == null || used.requests(nowMs) < rpm)
        && (burst == null || used.recentRequests(nowMs) < burst)
        && (tpm == null || used.tokens(nowMs) + estimate <= tpm);
  }

  /**
   * Tenths of a second a request counts in a deployment's rate window: its seconds and 0.6 s, so a
   * use counts for at least 0.5 s more than the window, 0.3 s more than the worker's pacing window
   * for it (seconds + {@code LanePacer.SHORT_WINDOW_MARGIN_MS}): what the router hands out within
   * the window's share then does not wait on the lanes (as the minute counts for 62 s against the
   * worker's 61); 0 without a rate window.
   */
  private static int rateWindowTenths(DeploymentConfig d) {
    return d.rateWindowSeconds() == null || d.rpm() == null ? 0 : 10 * d.rateWindowSeconds() + 6;
  }

  /**
   * How far the deployment's budget share would be used with this request: the largest of requests
   * / rpm share, requests in its rate window / the window's part of the share, and tokens / tpm
   * share (infinite for a share of 0).
   */
  private double overdraw(DeploymentConfig d, long nowMs, int estimate) {
    Long rpm = rpmShare(d);
    Long tpm = tpmShare(d);
    SlidingBudget used = budget(d);
    Long burst = rateWindowShare(d);
    double requests = rpm == null ? 0 : ratio(used.requests(nowMs) + 1, rpm);
    double recent = burst == null ? 0 : ratio(used.recentRequests(nowMs) + 1, burst);
    double tokens = tpm == null ? 0 : ratio(used.tokens(nowMs) + estimate, tpm);
    return Math.max(Math.max(requests, recent), tokens);
  }

  /**
   * This task's share of what the deployment's lanes can deliver of its rpm ({@link
   * LanePlan#deliverable}).
   */
  private Long rpmShare(DeploymentConfig d) {
    return BudgetShare.of(LanePlan.deliverable(limits(d).rpm(), d.lanes()), tasks, task);
  }

  /** A deployment's rpm and tpm to budget by; null: unlimited. */
  record Limits(Integer rpm, Integer tpm) {}

  /**
   * The deployment's limits to budget by: the configured {@code rpm} and {@code tpm}, or the lower
   * ones its workers learned from the provider (the newest learned, merged over every worker's
   * report); the configured ones stay the ceiling.
   */
  Limits limits(DeploymentConfig d) {
    DeploymentHealth h = d.rpm() == null && d.tpm() == null ? null : health(d.deploymentId());
    if (h == null || h.learnedAt() == null) {
      return new Limits(d.rpm(), d.tpm());
    }
    return new Limits(lower(d.rpm(), h.learnedRpm()), lower(d.tpm(), h.learnedTpm()));
  }

  /** The learned limit when lower than the configured one; null when nothing is configured. */
  private static Integer lower(Integer configured, Integer learned) {
    if (configured == null || learned == null) {
      return configured;
    }
    return Math.min(configured, learned);
  }

  /**
   * This task's share of what the lanes can deliver in one rate window ({@link
   * LanePlan#windowDeliverable}).
   */
  private Long rateWindowShare(DeploymentConfig d) {
    return BudgetShare.of(
        LanePlan.windowDeliverable(limits(d).rpm(), d.lanes(), d.rateWindowSeconds()), tasks, task);
  }

  private Long tpmShare(DeploymentConfig d) {
    return BudgetShare.of(LanePlan.deliverable(limits(d).tpm(), d.lanes()), tasks, task);
  }

  private static Long availableTo(PriorityReserve reserve, Priority priority, Long share) {
    return share == null ? null : reserve.availableTo(priority, share);
  }

  private static double ratio(long used, long share) {
    return share == 0 ? Double.POSITIVE_INFINITY : (double) used / share;
  }

  /**
   * Counts the request against the deployment's budget; deployments without rpm or tpm keep
   * nothing.
   */
  private void spend(DeploymentConfig d, long nowMs, int estimate) {
    if (d.rpm() == null && d.tpm() == null) {
      return;
    }
    SlidingBudget used = budget(d);
    used.spend(nowMs, estimate);
    budgets.put(BUDGET_KEY_PREFIX + d.deploymentId(), used.toCounts());
  }

  private SlidingBudget budget(DeploymentConfig d) {
    return budgetWindows.computeIfAbsent(
        d.deploymentId(),
        id -> SlidingBudget.fromCounts(budgets.get(BUDGET_KEY_PREFIX + id), rateWindowTenths(d)));
  }

  /** Removes the budgets of which nothing counts any more (deployments not used for a minute). */
  public void forgetIdleBudgets(Instant now) {
    long nowMs = now.toEpochMilli();
    List<String> idle = new ArrayList<>();
    try (var it = budgets.all()) {
      it.forEachRemaining(
          kv -> {
            String id = kv.key.substring(BUDGET_KEY_PREFIX.length());
            SlidingBudget known = budgetWindows.get(id);
            if ((known != null ? known : SlidingBudget.fromCounts(kv.value)).isEmpty(nowMs)) {
              idle.add(id);
            }
          });
    }
    for (String id : idle) {
      budgets.delete(BUDGET_KEY_PREFIX + id);
      budgetWindows.remove(id);
    }
  }

  /**
   * The members' weights to route by: as configured, or scaled by observed health when {@code
   * router_settings.dynamic_weights.enabled} (the rotation key keeps the configured weights, so the
   * counts carry on while the scaling moves).
   */
  private List<Double> routingWeights(List<Candidate> members) {
    List<Double> configured = members.stream().map(Candidate::weight).toList();
    DynamicWeightsSettings dynamic = config.routerSettings().dynamicWeights();
    if (dynamic == null || !dynamic.enabled()) {
      return configured;
    }
    Map<String, Double> base = new LinkedHashMap<>();
    Map<String, DeploymentHealth> observed = new HashMap<>();
    for (Candidate c : members) {
      base.merge(c.deploymentId(), c.weight(), Double::sum);
      DeploymentHealth h = health(c.deploymentId());
      if (h != null) {
        observed.put(c.deploymentId(), h);
      }
    }
    Map<String, Double> adjusted = DynamicWeights.adjust(base, observed, dynamic);
    List<Double> out = new ArrayList<>();
    for (Candidate c : members) {
      double scale =
          base.get(c.deploymentId()) > 0
              ? adjusted.get(c.deploymentId()) / base.get(c.deploymentId())
              : 0;
      out.add(c.weight() * scale);
    }
    return out;
  }

  /** The deployment's health merged over every worker's latest report; null when none reported. */
  private DeploymentHealth health(String deploymentId) {
    return healthView.reports(deploymentId).merged();
  }
}
