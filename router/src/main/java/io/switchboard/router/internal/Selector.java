package io.switchboard.router.internal;

import io.switchboard.router.selection.BudgetShare;
import io.switchboard.router.selection.Candidate;
import io.switchboard.router.selection.CandidateSet;
import io.switchboard.router.selection.Candidates;
import io.switchboard.router.selection.WeightedRoundRobin;
import io.switchboard.router.metrics.DynamicWeights;
import io.switchboard.schemas.DeploymentHealth;
import io.switchboard.schemas.config.DynamicWeightsSettings;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import io.switchboard.schemas.ErrorCode;
import io.switchboard.schemas.Outcome;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.json.JsonSerde;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routing decision of one task: walks a request's candidate set and then its chains until a
 * deployment can take it.
 *
 * <p>For each candidate set, in order: drop deployments that already failed this request and
 * those of weight 0; if none is left, take the next entry of the current chain. Drop
 * deployments whose {@code context_window} is smaller than the estimate; if none is left, switch
 * to the context-window chain. Drop deployments cooling down; if none is left, take the next
 * entry of the current chain. Among the rest prefer those with rpm and tpm budget left in this
 * task's share of the current minute; when none has any, use them all (queue). Pick with {@link
 * WeightedRoundRobin} on the state of this candidate set.
 *
 * <p>The chain followed is the fallback chain, until a context-window problem switches to the
 * context-window chain for good (a context-window hand-off starts there). When the chain runs
 * out: if some deployment was only cooling down, the request is held until the earliest cooldown
 * ends; otherwise it is exhausted.
 */
final class Selector {
  private static final Logger log = LoggerFactory.getLogger(Selector.class);
  private static final JsonSerde<DeploymentHealth> HEALTH = new JsonSerde<>(DeploymentHealth.class);

  private final SwitchboardConfig config;
  private final KeyValueStore<String, long[]> rotations;
  private final KeyValueStore<String, long[]> budgets;
  private final ReadOnlyKeyValueStore<String, byte[]> health;
  private final int tasks;
  private final int task;
  /**
   * The last health record read per deployment with its decoded form: the store is read on
   * every request, but a record changes only every few seconds, so it is decoded once.
   */
  private final Map<String, DecodedHealth> decoded = new HashMap<>();

  private record DecodedHealth(byte[] bytes, DeploymentHealth health) {}

  Selector(SwitchboardConfig config, KeyValueStore<String, long[]> rotations, KeyValueStore<String, long[]> budgets,
      ReadOnlyKeyValueStore<String, byte[]> health, int task) {
    this.config = config;
    this.rotations = rotations;
    this.budgets = budgets;
    this.health = health;
    this.tasks = config.topics().requestPartitions();
    this.task = task;
  }

  /**
   * One routing pass.
   *
   * @param first the candidate set to try first, or null to start with the next chain entry
   * @param chain the chain followed from the start: FALLBACK or CONTEXT_WINDOW
   * @param fallbacks the fallback chain still to try
   * @param contextWindowFallbacks the context-window chain still to try
   * @param failed deployments that already failed this request
   * @param hop the hop of the dispatch this pass starts from
   * @param estimate the request's estimated tokens
   */
  Decision decide(CandidateSet first, Outcome chain, List<String> fallbacks, List<String> contextWindowFallbacks,
      Set<String> failed, int hop, int estimate, Instant now) {
    Deque<String> fb = new ArrayDeque<>(fallbacks);
    Deque<String> cw = new ArrayDeque<>(contextWindowFallbacks);
    boolean contextWindow = chain == Outcome.CONTEXT_WINDOW;
    List<String> skipped = new ArrayList<>();
    Instant earliestCooldownEnd = null;
    CandidateSet set = first;
    String lastName = first == null ? null : first.name();
    while (true) {
      if (set != null) {
        List<Candidate> usable = set.members().stream()
            .filter(c -> c.weight() > 0 && !failed.contains(c.deploymentId())).toList();
        if (usable.isEmpty()) {
          skipped.add(set.name() + ": no deployment left (failed or weight 0)");
        } else {
          List<Candidate> fit = usable.stream().filter(c -> fits(c.deployment(), estimate)).toList();
          if (fit.isEmpty()) {
            skipped.add(set.name() + ": ~" + estimate + " tokens exceed the context window of "
                + usable.stream().map(c -> c.deploymentId() + " (" + c.deployment().contextWindow() + ")")
                    .collect(Collectors.joining(", ")));
            contextWindow = true;
          } else {
            List<Candidate> healthy = new ArrayList<>();
            for (Candidate c : fit) {
              DeploymentHealth h = health(c.deploymentId());
              if (h != null && h.coolingDownAt(now)) {
                earliestCooldownEnd = earliestCooldownEnd == null || h.cooldownUntil().isBefore(earliestCooldownEnd)
                    ? h.cooldownUntil() : earliestCooldownEnd;
              } else {
                healthy.add(c);
              }
            }
            if (healthy.isEmpty()) {
              skipped.add(set.name() + ": every deployment is cooling down");
            } else {
              return pick(set, healthy, estimate, now, hop, fb, cw, skipped);
            }
          }
        }
      }
      Deque<String> next = contextWindow ? cw : fb;
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
    ErrorCode code = contextWindow ? ErrorCode.CONTEXT_WINDOW_EXCEEDED : ErrorCode.FALLBACKS_EXHAUSTED;
    String message = (contextWindow
        ? "the prompt (~" + estimate + " tokens with the output) fits no deployment left in the context-window chain"
        : "every deployment of the request's chain failed or is unavailable")
        + (skipped.isEmpty() ? "" : ": " + String.join("; ", skipped));
    return new Decision.Exhausted(code, message, lastName, List.copyOf(skipped));
  }

  private Decision pick(CandidateSet set, List<Candidate> healthy, int estimate, Instant now, int hop,
      Deque<String> fb, Deque<String> cw, List<String> skipped) {
    long minute = minute(now);
    List<Candidate> members = set.members();
    boolean[] eligible = new boolean[members.size()];
    boolean anyBudget = false;
    for (int i = 0; i < members.size(); i++) {
      Candidate c = members.get(i);
      if (healthy.contains(c) && hasBudget(c.deployment(), minute, estimate)) {
        eligible[i] = true;
        anyBudget = true;
      }
    }
    if (!anyBudget) {
      for (int i = 0; i < members.size(); i++) {
        eligible[i] = healthy.contains(members.get(i));
      }
    }
    long[] weights = WeightedRoundRobin.normalize(routingWeights(members));
    String key = set.rotationKey();
    long[] counts = rotations.get(key);
    if (counts == null || counts.length != weights.length) {
      counts = new long[weights.length];
    }
    int index = WeightedRoundRobin.pick(weights, counts, eligible);
    rotations.put(key, counts);
    String deploymentId = members.get(index).deploymentId();
    spend(deploymentId, minute, estimate);
    return new Decision.Dispatched(deploymentId, set.name(), hop, List.copyOf(fb), List.copyOf(cw), anyBudget,
        List.copyOf(skipped));
  }

  private static boolean fits(DeploymentConfig d, int estimate) {
    return d.contextWindow() == null || estimate <= d.contextWindow();
  }

  private boolean hasBudget(DeploymentConfig d, long minute, int estimate) {
    Long rpm = BudgetShare.of(d.rpm(), tasks, task);
    Long tpm = BudgetShare.of(d.tpm(), tasks, task);
    if (rpm == null && tpm == null) {
      return true;
    }
    long[] used = budgets.get(budgetKey(minute, d.deploymentId()));
    long requests = used == null ? 0 : used[0];
    long tokens = used == null ? 0 : used[1];
    return (rpm == null || requests < rpm) && (tpm == null || tokens + estimate <= tpm);
  }

  private void spend(String deploymentId, long minute, int estimate) {
    String key = budgetKey(minute, deploymentId);
    long[] used = budgets.get(key);
    budgets.put(key, used == null ? new long[] {1, estimate} : new long[] {used[0] + 1, used[1] + estimate});
  }

  /** Removes budget counts of minutes before the current one. */
  void forgetOldMinutes(Instant now) {
    List<String> old = new ArrayList<>();
    try (var it = budgets.range(null, String.format("%012d|", minute(now)))) {
      it.forEachRemaining(kv -> old.add(kv.key));
    }
    old.forEach(budgets::delete);
  }

  /**
   * The members' weights to route by: as configured, or scaled by observed health when
   * {@code router_settings.dynamic_weights.enabled} (the rotation key keeps the configured
   * weights, so the counts carry on while the scaling moves).
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
      double scale = base.get(c.deploymentId()) > 0 ? adjusted.get(c.deploymentId()) / base.get(c.deploymentId()) : 0;
      out.add(c.weight() * scale);
    }
    return out;
  }

  private DeploymentHealth health(String deploymentId) {
    byte[] bytes = health.get(deploymentId);
    if (bytes == null) {
      decoded.remove(deploymentId);
      return null;
    }
    DecodedHealth last = decoded.get(deploymentId);
    if (last != null && Arrays.equals(last.bytes(), bytes)) {
      return last.health();
    }
    DeploymentHealth read;
    try {
      read = HEALTH.deserializer().deserialize(null, bytes);
    } catch (RuntimeException e) {
      log.warn("health record of '{}' is unreadable and ignored: {}", deploymentId, e.getMessage());
      read = null;
    }
    decoded.put(deploymentId, new DecodedHealth(bytes, read));
    return read;
  }

  static long minute(Instant now) {
    return Math.floorDiv(now.toEpochMilli(), 60_000L);
  }

  /** {@code <minute, 12 digits zero-padded>|<deployment>}: keys sort by minute. */
  static String budgetKey(long minute, String deploymentId) {
    String digits = Long.toString(minute);
    StringBuilder key = new StringBuilder(13 + deploymentId.length());
    for (int i = digits.length(); i < 12; i++) {
      key.append('0');
    }
    return key.append(digits).append('|').append(deploymentId).toString();
  }
}
