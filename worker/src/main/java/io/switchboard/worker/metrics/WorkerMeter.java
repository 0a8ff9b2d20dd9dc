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
  /** Provider calls by outcome. */
  CALLS(
      "switchboard.worker.calls",
      Type.COUNTER,
      "Provider calls, by outcome",
      null,
      List.of(Tag.DEPLOYMENT, Tag.MODEL, Tag.PROVIDER, Tag.OUTCOME)),
  /** Provider call latency, with a percentiles histogram for p50/p99 in Prometheus. */
  CALL_LATENCY(
      "switchboard.worker.call.latency",
      Type.TIMER,
      "Provider call latency, by outcome",
      "seconds",
      List.of(Tag.DEPLOYMENT, Tag.MODEL, Tag.PROVIDER, Tag.OUTCOME)),
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
