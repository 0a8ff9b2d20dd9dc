package io.switchboard.worker.metrics;

import io.switchboard.schemas.metrics.MeterDefinition;
import java.util.List;

/**
 * Every meter of the worker process, declared once: name, description, base unit and tag keys.
 * Registered by {@link WorkerMetrics}. Prometheus names replace dots with underscores and add the
 * unit and {@code _total} to counters (e.g. {@code switchboard_worker_calls_total}, {@code
 * switchboard_worker_cost_usd_total}).
 */
public enum WorkerMeter implements MeterDefinition {
  /** Provider calls by outcome and request class. */
  CALLS(
      "switchboard.worker.calls",
      Type.COUNTER,
      "Provider calls, by outcome and request class",
      null,
      List.of(Tag.DEPLOYMENT, Tag.MODEL, Tag.PROVIDER, Tag.OUTCOME, Tag.PRIORITY)),
  /** Provider call latency, with a percentiles histogram for p50/p99 in Prometheus. */
  CALL_LATENCY(
      "switchboard.worker.call.latency",
      Type.TIMER,
      "Provider call latency, by outcome and request class",
      "seconds",
      List.of(Tag.DEPLOYMENT, Tag.MODEL, Tag.PROVIDER, Tag.OUTCOME, Tag.PRIORITY)),
  /**
   * How long requests waited from their routing to their first call to a deployment (a retry's
   * wait, which holds its backoff, is not recorded), by request class.
   */
  CALL_WAIT(
      "switchboard.worker.call.wait",
      Type.TIMER,
      "Wait from routing to the first call to a deployment, by request class",
      "seconds",
      List.of(Tag.DEPLOYMENT, Tag.MODEL, Tag.PROVIDER, Tag.PRIORITY)),
  /** Prompt tokens reported by providers. */
  INPUT_TOKENS(
      "switchboard.worker.input",
      Type.COUNTER,
      "Prompt tokens reported by providers",
      "tokens",
      List.of(Tag.DEPLOYMENT, Tag.MODEL, Tag.PROVIDER)),
  /** Completion tokens reported by providers. */
  OUTPUT_TOKENS(
      "switchboard.worker.output",
      Type.COUNTER,
      "Completion tokens reported by providers",
      "tokens",
      List.of(Tag.DEPLOYMENT, Tag.MODEL, Tag.PROVIDER)),
  /** Cost of calls from the configured prices per million tokens. */
  COST(
      "switchboard.worker.cost",
      Type.COUNTER,
      "Cost of provider calls from the configured prices",
      "usd",
      List.of(Tag.DEPLOYMENT, Tag.MODEL, Tag.PROVIDER)),
  /** Provider calls in flight right now. */
  IN_FLIGHT(
      "switchboard.worker.in.flight", Type.GAUGE, "Provider calls in flight", "calls", List.of()),
  /** Dispatch partitions paused by back-pressure right now. */
  PAUSED_LANES(
      "switchboard.worker.lanes.paused",
      Type.GAUGE,
      "Dispatch lanes paused by back-pressure",
      "lanes",
      List.of()),
  /** Provider batch jobs this worker submitted (deployments with a {@code batch_api}). */
  OFFLOAD_JOBS_SUBMITTED(
      "switchboard.worker.offload.jobs.submitted",
      Type.COUNTER,
      "Provider batch jobs submitted",
      null,
      List.of(Tag.DEPLOYMENT, Tag.MODEL, Tag.PROVIDER)),
  /** Provider batch jobs that ended completed and whose requests this worker answered. */
  OFFLOAD_JOBS_COMPLETED(
      "switchboard.worker.offload.jobs.completed",
      Type.COUNTER,
      "Provider batch jobs completed and answered",
      null,
      List.of(Tag.DEPLOYMENT, Tag.MODEL, Tag.PROVIDER)),
  /**
   * Provider batch jobs that ended failed, expired or cancelled and whose requests this worker
   * answered or sent back to the real-time path.
   */
  OFFLOAD_JOBS_FAILED(
      "switchboard.worker.offload.jobs.failed",
      Type.COUNTER,
      "Provider batch jobs ended failed, expired or cancelled",
      null,
      List.of(Tag.DEPLOYMENT, Tag.MODEL, Tag.PROVIDER)),
  /** Requests in the provider batch jobs this worker submitted. */
  OFFLOADED_REQUESTS(
      "switchboard.worker.offload.requests",
      Type.COUNTER,
      "Requests submitted in provider batch jobs",
      null,
      List.of(Tag.DEPLOYMENT, Tag.MODEL, Tag.PROVIDER)),
  /** The version of the live configuration in force: 0 for the start-up file. */
  CONFIG_VERSION(
      "switchboard.worker.config.version",
      Type.GAUGE,
      "The version of the live configuration the worker calls by (0: its start-up file)",
      null,
      List.of()),
  /** Versions of the config topic this worker refused, keeping the one in force. */
  CONFIG_REJECTED(
      "switchboard.worker.config.rejected",
      Type.COUNTER,
      "Live configuration versions this worker could not apply (it kept the version in force)",
      "versions",
      List.of());

  private final Spec spec;

  WorkerMeter(
      String meterName, Type type, String description, String baseUnit, List<String> tagKeys) {
    this.spec = new Spec(meterName, type, description, baseUnit, tagKeys);
  }

  @Override
  public Spec spec() {
    return spec;
  }
}
