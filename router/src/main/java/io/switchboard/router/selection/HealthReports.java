package io.switchboard.router.selection;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.schemas.DeploymentHealth;
import io.switchboard.schemas.config.WorkerSettings;
import io.switchboard.schemas.json.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * The latest health report of each worker on one deployment: the router's health store holds one
 * per deployment id. Pure and immutable.
 *
 * <p>The health topic is compacted by deployment id, so it keeps only the last worker's report; the
 * store keeps every worker's, replacing a worker's report with its next one and dropping reports
 * the deployment's newest report has left {@link #ttl} behind (a stopped worker's, or one that no
 * longer calls the deployment), unless they still hold a cooldown. After a restart the store is
 * rebuilt from what the topic kept, and every live worker's next report fills it in.
 *
 * <p>Reports merge as follows: the latest cooldown wins (any worker's failures keep everyone off),
 * failures, in-flight dispatches and calls add up, error rate and latency are means weighted by
 * each worker's calls in the last minute (a report without a call count weighs as one call; a
 * report without latency, 0, is left out of the latency's), and the learned limits are those of the
 * report learned last (the newest knowledge of the provider's limit; ties: the latest report).
 *
 * @param reports at most one per worker id (a report without worker id counts as one worker), in
 *     the order they arrived
 */
public record HealthReports(List<DeploymentHealth> reports) {
  /** No report. */
  public static final HealthReports NONE = new HealthReports(List.of());

  /**
   * The freshness horizon when workers publish only cooldowns ({@code health_publish_interval_ms:
   * 0}).
   */
  static final Duration TTL_WITHOUT_REPORTS = Duration.ofMinutes(1);

  /**
   * What a report's way to the router may take on top of the intervals: the worker's transaction,
   * the broker, the router's global thread; under load, hundreds of milliseconds.
   */
  static final Duration TRANSIT = Duration.ofSeconds(1);

  public HealthReports {
    reports = List.copyOf(reports);
  }

  /**
   * How long a worker's report counts: three publish intervals and its {@link #TRANSIT}, so one
   * late or lost report does not make a live worker's view disappear; a minute (what a worker's
   * figures cover) when workers publish only cooldowns.
   */
  public static Duration ttl(WorkerSettings settings) {
    long interval = settings.healthPublishIntervalMs();
    return interval > 0 ? Duration.ofMillis(3 * interval).plus(TRANSIT) : TTL_WITHOUT_REPORTS;
  }

  /**
   * These reports with {@code report} in place of its worker's earlier one, without the reports
   * published more than {@code keep} before it that hold no cooldown at its time.
   */
  public HealthReports with(DeploymentHealth report, Duration keep) {
    Instant oldest = report.updatedAt().minus(keep);
    List<DeploymentHealth> kept = new ArrayList<>(reports.size() + 1);
    for (DeploymentHealth r : reports) {
      boolean sameWorker = Objects.equals(r.workerId(), report.workerId());
      boolean stale = r.updatedAt().isBefore(oldest) && !r.coolingDownAt(report.updatedAt());
      if (!sameWorker && !stale) {
        kept.add(r);
      }
    }
    kept.add(report);
    return new HealthReports(kept);
  }

  /** Every report merged: what cooldowns and dynamic weights go by; null when there is none. */
  public DeploymentHealth merged() {
    return merge(reports);
  }

  /**
   * The reports published within {@code ttl} before {@code now}, merged: what the routing
   * strategies go by; null when none is that fresh.
   */
  public DeploymentHealth fresh(Instant now, Duration ttl) {
    Instant oldest = now.minus(ttl);
    return merge(reports.stream().filter(r -> !r.updatedAt().isBefore(oldest)).toList());
  }

  static DeploymentHealth merge(List<DeploymentHealth> reports) {
    if (reports.isEmpty()) {
      return null;
    }
    DeploymentHealth first = reports.get(0);
    DeploymentHealth cooling = null;
    DeploymentHealth learned = null;
    Instant updated = first.updatedAt();
    int failures = 0;
    Integer inFlight = null;
    Integer calls = null;
    for (DeploymentHealth r : reports) {
      if (r.cooldownUntil() != null
          && (cooling == null || r.cooldownUntil().isAfter(cooling.cooldownUntil()))) {
        cooling = r;
      }
      if (r.learnedAt() != null
          && (learned == null
              || r.learnedAt().isAfter(learned.learnedAt())
              || r.learnedAt().equals(learned.learnedAt())
                  && r.updatedAt().isAfter(learned.updatedAt()))) {
        learned = r;
      }
      updated = r.updatedAt().isAfter(updated) ? r.updatedAt() : updated;
      failures += r.recentFailures();
      inFlight = sum(inFlight, r.inFlight());
      calls = sum(calls, r.recentCalls());
    }
    double errorRate = mean(reports, DeploymentHealth::errorRate);
    double latency =
        mean(
            reports.stream().filter(r -> r.latencyEwmaMs() > 0).toList(),
            DeploymentHealth::latencyEwmaMs);
    return new DeploymentHealth(
        first.deploymentId(),
        cooling == null ? null : cooling.cooldownUntil(),
        cooling == null ? null : cooling.reason(),
        failures,
        errorRate,
        latency,
        updated,
        reports.size() == 1 ? first.workerId() : null,
        inFlight,
        calls,
        learned == null ? null : learned.learnedRpm(),
        learned == null ? null : learned.learnedTpm(),
        learned == null ? null : learned.learnedAt());
  }

  /** The sum of the counts reported; null when none is. */
  private static Integer sum(Integer total, Integer more) {
    if (more == null) {
      return total;
    }
    return total == null ? more : Integer.valueOf(total + more);
  }

  /**
   * The mean of {@code value} weighted by each report's calls in the last minute (one without a
   * call count weighs as one call); the plain mean when no report has a call; 0 for no report.
   */
  private static double mean(
      List<DeploymentHealth> reports, ToDoubleFunction<DeploymentHealth> value) {
    double sum = 0;
    double weights = 0;
    double plain = 0;
    for (DeploymentHealth r : reports) {
      double weight = r.recentCalls() == null ? 1 : r.recentCalls();
      sum += weight * value.applyAsDouble(r);
      weights += weight;
      plain += value.applyAsDouble(r);
    }
    return weights > 0 ? sum / weights : reports.isEmpty() ? 0 : plain / reports.size();
  }

  /** The store's form of these reports. */
  public byte[] toBytes() {
    return Json.toBytes(this);
  }

  /**
   * Reports as the store holds them; a single {@link DeploymentHealth} (what the store held before
   * it kept one per worker) reads as that one report.
   *
   * @throws RuntimeException when the bytes are neither
   */
  public static HealthReports fromBytes(byte[] bytes) {
    JsonNode tree = Json.read(bytes, JsonNode.class);
    if (!tree.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    return tree.has("reports")
        ? Json.convert(tree, HealthReports.class)
        : new HealthReports(List.of(Json.convert(tree, DeploymentHealth.class)));
  }
}
