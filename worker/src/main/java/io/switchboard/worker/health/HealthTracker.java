package io.switchboard.worker.health;

import io.switchboard.schemas.DeploymentHealth;
import io.switchboard.schemas.config.RouterSettings;
import io.switchboard.worker.limits.LimitLearner;
import io.switchboard.worker.provider.ProviderResponse;
import io.switchboard.worker.retry.Fault;
import io.switchboard.worker.retry.OutcomeClassifier;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Cooldowns and recent health per deployment, shared by all workers through the compacted health
 * topic.
 *
 * <ul>
 *   <li>A deployment whose {@link Fault#TRANSIENT transient failures} within the last minute reach
 *       {@code router_settings.allowed_fails} (at least 1) cools down for {@code cooldown_seconds};
 *       an {@link Fault#UNUSABLE unusable} answer (401, 403, 404, missing key) cools it down at
 *       once. The failure count restarts after a cooldown starts; failures while a deployment is
 *       cooling down do not extend the cooldown. A 429 the pacing takes up ({@link
 *       LimitLearner.Lesson#paced()}: the provider's minute is full, the learned rate slows the
 *       lanes) counts in the error rate but not towards {@code allowed_fails}: cooling down would
 *       stop the deployment for {@code cooldown_seconds} where the pacing only has to slow it.
 *   <li>{@link #record} returns the {@link DeploymentHealth} to publish when a cooldown starts;
 *       {@link #apply} takes records published by other workers (and this one's own echo), so every
 *       worker honours every cooldown.
 *   <li>Error rate is failures / calls over the last minute (per-second buckets); latency is an
 *       exponentially weighted moving average with weight {@value #LATENCY_ALPHA} for each new
 *       call.
 *   <li>The periodic reports ({@link #periodicReports}) carry the dispatches of each deployment the
 *       worker holds unfinished, what {@code least-busy} routing goes by.
 *   <li>Every record carries this worker's id, so that the router can keep one report per worker
 *       and merge them (the topic itself keeps only the latest per deployment), and the limits the
 *       worker learned from the provider ({@link LimitLearner}); {@link #apply} hands the limits
 *       other workers learned to it.
 * </ul>
 *
 * Thread-safe: calls complete on HTTP threads while the poll loop reads cooldowns.
 */
public final class HealthTracker {
  /** Weight of the newest call in the latency average. */
  public static final double LATENCY_ALPHA = 0.2;

  private static final long WINDOW_MS = 60_000;
  private static final int BUCKETS = 60;

  private final int allowedFails;
  private final Duration cooldown;
  private final Clock clock;
  private final String workerId;
  private final LimitLearner limits;
  private final Map<String, State> states = new ConcurrentHashMap<>();

  /** A tracker whose records carry a new random worker id. */
  public HealthTracker(RouterSettings settings, Clock clock) {
    this(settings, clock, UUID.randomUUID().toString());
  }

  /**
   * @param workerId what this worker's records carry as {@code worker_id}; unique among the live
   *     workers
   */
  public HealthTracker(RouterSettings settings, Clock clock, String workerId) {
    this(settings, clock, workerId, new LimitLearner(clock, true));
  }

  /**
   * @param workerId what this worker's records carry as {@code worker_id}; unique among the live
   *     workers
   * @param limits the limits this worker learns, which its records carry
   */
  public HealthTracker(RouterSettings settings, Clock clock, String workerId, LimitLearner limits) {
    this.allowedFails = Math.max(1, settings.allowedFails());
    this.cooldown = Duration.ofSeconds(settings.cooldownSeconds());
    this.clock = Objects.requireNonNull(clock, "clock");
    this.workerId = Objects.requireNonNull(workerId, "workerId");
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  /** The id this worker's records carry. */
  public String workerId() {
    return workerId;
  }

  /** The limits this worker learned of each deployment, which its records carry. */
  public LimitLearner limits() {
    return limits;
  }

  /**
   * Records one call to a deployment.
   *
   * @return the record to publish on the health topic when this call started a cooldown
   */
  public Optional<DeploymentHealth> record(String deploymentId, ProviderResponse response) {
    return record(deploymentId, response, OutcomeClassifier.fault(response));
  }

  /**
   * Records one call to a deployment, whose failure is {@code fault}'s (the call's own, or as the
   * deployment's retry budget sees it).
   *
   * @return the record to publish on the health topic when this call started a cooldown
   */
  public Optional<DeploymentHealth> record(
      String deploymentId, ProviderResponse response, Fault fault) {
    return record(deploymentId, response, fault, LimitLearner.Lesson.NONE);
  }

  /**
   * Records one call to a deployment, whose failure is {@code fault}'s, and which taught the limit
   * learner {@code lesson}: a 429 the pacing takes up does not count towards a cooldown.
   *
   * @return the record to publish on the health topic when this call started a cooldown
   */
  public Optional<DeploymentHealth> record(
      String deploymentId, ProviderResponse response, Fault fault, LimitLearner.Lesson lesson) {
    String why = response.failure() != null ? response.describe() : "HTTP " + response.status();
    return record(deploymentId, fault, why, response.latency(), !lesson.paced());
  }

  /**
   * Records one call to a deployment by its fault.
   *
   * @param why a short, redacted description of the failure, used as the cooldown reason
   * @return the record to publish on the health topic when this call started a cooldown
   */
  public Optional<DeploymentHealth> record(
      String deploymentId, Fault fault, String why, Duration latency) {
    return record(deploymentId, fault, why, latency, true);
  }

  private Optional<DeploymentHealth> record(
      String deploymentId, Fault fault, String why, Duration latency, boolean cools) {
    Objects.requireNonNull(deploymentId, "deploymentId");
    Objects.requireNonNull(fault, "fault");
    long now = clock.millis();
    State state = states.computeIfAbsent(deploymentId, id -> new State());
    synchronized (state) {
      state.count(now, fault != Fault.NONE, latency);
      if (fault == Fault.NONE || !cools || state.coolingDownAt(now)) {
        return Optional.empty();
      }
      if (fault == Fault.UNUSABLE) {
        return Optional.of(
            limits.stamp(state.startCooldown(deploymentId, workerId, now, cooldown, why)));
      }
      state.failures.addLast(now);
      while (state.failures.peekFirst() <= now - WINDOW_MS) {
        state.failures.pollFirst();
      }
      if (state.failures.size() >= allowedFails) {
        return Optional.of(
            limits.stamp(
                state.startCooldown(
                    deploymentId,
                    workerId,
                    now,
                    cooldown,
                    state.failures.size() + " failures within 60s, last: " + why)));
      }
      return Optional.empty();
    }
  }

  /**
   * Takes a record from the health topic: a later cooldown than the one known here wins, and limits
   * learned later than those known here replace them.
   */
  public void apply(DeploymentHealth published) {
    limits.adopt(published);
    State state = states.computeIfAbsent(published.deploymentId(), id -> new State());
    synchronized (state) {
      Instant until = published.cooldownUntil();
      if (until != null && (state.cooldownUntil == null || until.isAfter(state.cooldownUntil))) {
        state.cooldownUntil = until;
        state.reason = published.reason();
        state.failures.clear();
      }
    }
  }

  /** True while the deployment is cooling down. */
  public boolean coolingDown(String deploymentId) {
    return cooldownUntil(deploymentId).isPresent();
  }

  /** When the deployment's current cooldown ends, or empty when it is not cooling down. */
  public Optional<Instant> cooldownUntil(String deploymentId) {
    State state = states.get(deploymentId);
    if (state == null) {
      return Optional.empty();
    }
    synchronized (state) {
      return state.coolingDownAt(clock.millis())
          ? Optional.of(state.cooldownUntil)
          : Optional.empty();
    }
  }

  /** The deployment's current health, for periodic publishing and metrics. */
  public DeploymentHealth snapshot(String deploymentId) {
    State state = states.computeIfAbsent(deploymentId, id -> new State());
    synchronized (state) {
      return limits.stamp(state.health(deploymentId, workerId, clock.millis(), null));
    }
  }

  /** The health of every deployment seen so far. */
  public List<DeploymentHealth> snapshots() {
    List<DeploymentHealth> all = new ArrayList<>();
    states.keySet().forEach(id -> all.add(snapshot(id)));
    return all;
  }

  /**
   * The reports to publish periodically: the health of every deployment this worker called within
   * the last minute or holds dispatches of, with those dispatches in flight (a deployment only
   * known from other workers' records is left to them).
   *
   * @param held dispatches per deployment id the worker holds unfinished: queued on its lanes, at
   *     the provider, or waiting to retry
   */
  public List<DeploymentHealth> periodicReports(Map<String, Integer> held) {
    long now = clock.millis();
    List<DeploymentHealth> reports = new ArrayList<>();
    held.forEach(
        (id, n) -> {
          if (n > 0) {
            states.computeIfAbsent(id, k -> new State());
          }
        });
    states.forEach(
        (id, state) -> {
          int inFlight = held.getOrDefault(id, 0);
          synchronized (state) {
            if (state.callsWithin(now) > 0 || inFlight > 0) {
              reports.add(limits.stamp(state.health(id, workerId, now, inFlight)));
            }
          }
        });
    return reports;
  }

  private static final class State {
    final ArrayDeque<Long> failures = new ArrayDeque<>();
    final long[] bucketSecond = new long[BUCKETS];
    final int[] bucketCalls = new int[BUCKETS];
    final int[] bucketErrors = new int[BUCKETS];
    Instant cooldownUntil;
    String reason;
    double latencyEwmaMs = Double.NaN;

    void count(long now, boolean error, Duration latency) {
      long second = Math.floorDiv(now, 1000);
      int i = (int) Math.floorMod(second, BUCKETS);
      if (bucketSecond[i] != second) {
        bucketSecond[i] = second;
        bucketCalls[i] = 0;
        bucketErrors[i] = 0;
      }
      bucketCalls[i]++;
      if (error) {
        bucketErrors[i]++;
      }
      if (latency != null) {
        double ms = latency.toNanos() / 1e6;
        latencyEwmaMs =
            Double.isNaN(latencyEwmaMs)
                ? ms
                : LATENCY_ALPHA * ms + (1 - LATENCY_ALPHA) * latencyEwmaMs;
      }
    }

    boolean coolingDownAt(long now) {
      return cooldownUntil != null && now < cooldownUntil.toEpochMilli();
    }

    DeploymentHealth startCooldown(
        String deploymentId, String workerId, long now, Duration cooldown, String why) {
      cooldownUntil = Instant.ofEpochMilli(now).plus(cooldown);
      reason = why;
      DeploymentHealth health = health(deploymentId, workerId, now, null);
      failures.clear();
      return health;
    }

    /** Calls within the last minute. */
    int callsWithin(long now) {
      return sumWithin(now, bucketCalls);
    }

    private int sumWithin(long now, int[] buckets) {
      long second = Math.floorDiv(now, 1000);
      int sum = 0;
      for (int i = 0; i < BUCKETS; i++) {
        if (bucketSecond[i] > second - BUCKETS && bucketSecond[i] <= second) {
          sum += buckets[i];
        }
      }
      return sum;
    }

    /**
     * @param inFlight the dispatches held, or null when not known here
     */
    DeploymentHealth health(String deploymentId, String workerId, long now, Integer inFlight) {
      int calls = callsWithin(now);
      int errors = sumWithin(now, bucketErrors);
      int recent = (int) failures.stream().filter(t -> t > now - WINDOW_MS).count();
      Instant until = coolingDownAt(now) ? cooldownUntil : null;
      return new DeploymentHealth(
          deploymentId,
          until,
          until == null ? null : reason,
          recent,
          calls == 0 ? 0.0 : (double) errors / calls,
          Double.isNaN(latencyEwmaMs) ? 0.0 : latencyEwmaMs,
          Instant.ofEpochMilli(now),
          workerId,
          inFlight,
          calls);
    }
  }
}
