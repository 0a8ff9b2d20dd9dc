package io.switchboard.worker.metrics;

import java.util.List;

/**
 * Every meter of the worker process, declared once: name, description, base unit and tag keys.
 * Registered by {@link WorkerMetrics}. Prometheus names replace dots with underscores and add
 * the unit and {@code _total} to counters (e.g. {@code switchboard_worker_calls_total},
 * {@code switchboard_worker_cost_usd_total}).
 */
public enum WorkerMeter {
  /** Provider calls by outcome. */
  CALLS("switchboard.worker.calls", Type.COUNTER, "Provider calls, by outcome", null,
      List.of(Tag.DEPLOYMENT, Tag.MODEL, Tag.PROVIDER, Tag.OUTCOME)),
  /** Provider call latency, with a percentiles histogram for p50/p99 in Prometheus. */
  CALL_LATENCY("switchboard.worker.call.latency", Type.TIMER, "Provider call latency, by outcome", "seconds",
      List.of(Tag.DEPLOYMENT, Tag.MODEL, Tag.PROVIDER, Tag.OUTCOME)),
  /** Prompt tokens reported by providers. */
  INPUT_TOKENS("switchboard.worker.input", Type.COUNTER, "Prompt tokens reported by providers", "tokens",
      List.of(Tag.DEPLOYMENT, Tag.MODEL, Tag.PROVIDER)),
  /** Completion tokens reported by providers. */
  OUTPUT_TOKENS("switchboard.worker.output", Type.COUNTER, "Completion tokens reported by providers", "tokens",
      List.of(Tag.DEPLOYMENT, Tag.MODEL, Tag.PROVIDER)),
  /** Cost of calls from the configured prices per million tokens. */
  COST("switchboard.worker.cost", Type.COUNTER, "Cost of provider calls from the configured prices", "usd",
      List.of(Tag.DEPLOYMENT, Tag.MODEL, Tag.PROVIDER)),
  /** Provider calls in flight right now. */
  IN_FLIGHT("switchboard.worker.in.flight", Type.GAUGE, "Provider calls in flight", "calls", List.of()),
  /** Dispatch partitions paused by back-pressure right now. */
  PAUSED_LANES("switchboard.worker.lanes.paused", Type.GAUGE, "Dispatch lanes paused by back-pressure", "lanes",
      List.of());

  /** The kind of meter. */
  public enum Type { COUNTER, TIMER, GAUGE }

  /** Tag keys of worker meters. */
  public static final class Tag {
    public static final String DEPLOYMENT = "deployment";
    public static final String MODEL = "model";
    public static final String PROVIDER = "provider";
    public static final String OUTCOME = "outcome";

    private Tag() {}
  }

  private final String meterName;
  private final Type type;
  private final String description;
  private final String baseUnit;
  private final List<String> tagKeys;

  WorkerMeter(String meterName, Type type, String description, String baseUnit, List<String> tagKeys) {
    this.meterName = meterName;
    this.type = type;
    this.description = description;
    this.baseUnit = baseUnit;
    this.tagKeys = tagKeys;
  }

  /** The Micrometer name (dotted). */
  public String meterName() {
    return meterName;
  }

  public Type type() {
    return type;
  }

  public String description() {
    return description;
  }

  /** The base unit, or null for a plain count. */
  public String baseUnit() {
    return baseUnit;
  }

  /** The tag keys, in the order {@link WorkerMetrics} expects their values. */
  public List<String> tagKeys() {
    return tagKeys;
  }
}
