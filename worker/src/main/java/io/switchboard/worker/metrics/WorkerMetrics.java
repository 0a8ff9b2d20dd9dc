package io.switchboard.worker.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.switchboard.schemas.AttemptEvent;
import io.switchboard.schemas.Outcome;
import io.switchboard.schemas.Priority;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.config.live.LiveConfig;
import io.switchboard.worker.offload.OffloadEvents;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The worker's meters ({@link WorkerMeter}), fed from the attempt events it publishes and from its
 * offload jobs ({@link OffloadEvents}). Binding to a registry registers the gauges and, for every
 * configured deployment under its alias, the call counters of every outcome and the token, cost and
 * offload counters at zero, so dashboards show them before the first call. Events recorded before
 * any binding are counted nowhere. Thread-safe; the suppliers are read on the scraping thread, so
 * they must be too.
 */
public final class WorkerMetrics implements MeterBinder, OffloadEvents {
  private static final List<WorkerMeter> OFFLOAD_METERS =
      List.of(
          WorkerMeter.OFFLOAD_JOBS_SUBMITTED,
          WorkerMeter.OFFLOAD_JOBS_COMPLETED,
          WorkerMeter.OFFLOAD_JOBS_FAILED,
          WorkerMeter.OFFLOADED_REQUESTS);
  private final SwitchboardConfig config;
  private final LiveConfig live;
  private final Supplier<Number> inFlight;
  private final Supplier<Number> pausedLanes;
  private final CompositeMeterRegistry registry = new CompositeMeterRegistry();

  /**
   * Meters by name and tag values: a call records into them without building ids and tags each
   * time.
   */
  private final Map<List<String>, Meter> meters = new ConcurrentHashMap<>();

  /**
   * The meters of each kind of call, found with one lookup per call instead of one per meter (six
   * lookups, each hashing a list of tag values, showed in profiles).
   */
  private final Map<CallKey, CallMeters> calls = new ConcurrentHashMap<>();

  private record CallKey(
      String deploymentId, String modelName, String provider, Outcome outcome, Priority priority) {}

  private record CallMeters(
      Counter calls,
      Timer latency,
      Timer queueWait,
      Counter inputTokens,
      Counter outputTokens,
      Counter cost) {}

  /**
   * @param config the deployments to register at zero
   * @param inFlight provider calls in flight now
   * @param pausedLanes dispatch partitions paused now
   */
  public WorkerMetrics(
      SwitchboardConfig config, Supplier<Number> inFlight, Supplier<Number> pausedLanes) {
    this(new LiveConfig(config), inFlight, pausedLanes);
  }

  /**
   * @param live the config in force: the deployments of the version in force at binding are
   *     registered at zero, and its version and refusals are meters
   * @param inFlight provider calls in flight now
   * @param pausedLanes dispatch partitions paused now
   */
  public WorkerMetrics(LiveConfig live, Supplier<Number> inFlight, Supplier<Number> pausedLanes) {
    this.live = Objects.requireNonNull(live, "live");
    this.config = live.current().config();
    this.inFlight = Objects.requireNonNull(inFlight, "inFlight");
    this.pausedLanes = Objects.requireNonNull(pausedLanes, "pausedLanes");
  }

  @Override
  public void bindTo(MeterRegistry target) {
    registry.add(target);
    gauge(WorkerMeter.IN_FLIGHT, inFlight);
    gauge(WorkerMeter.PAUSED_LANES, pausedLanes);
    gauge(WorkerMeter.CONFIG_VERSION, live::version);
    FunctionCounter.builder(WorkerMeter.CONFIG_REJECTED.meterName(), live, LiveConfig::rejected)
        .description(WorkerMeter.CONFIG_REJECTED.description())
        .baseUnit(WorkerMeter.CONFIG_REJECTED.baseUnit())
        .register(registry);
    for (DeploymentConfig d : config.modelList()) {
      String provider = d.provider().wire();
      for (Priority p : Priority.values()) {
        for (Outcome o : Outcome.values()) {
          counter(WorkerMeter.CALLS, d.deploymentId(), d.modelName(), provider, o.name(), p.wire());
        }
        timer(
            WorkerMeter.CALL_LATENCY,
            d.deploymentId(),
            d.modelName(),
            provider,
            Outcome.SUCCESS.name(),
            p.wire());
        timer(WorkerMeter.CALL_WAIT, d.deploymentId(), d.modelName(), provider, p.wire());
      }
      counter(WorkerMeter.INPUT_TOKENS, d.deploymentId(), d.modelName(), provider);
      counter(WorkerMeter.OUTPUT_TOKENS, d.deploymentId(), d.modelName(), provider);
      counter(WorkerMeter.COST, d.deploymentId(), d.modelName(), provider);
      for (WorkerMeter m : OFFLOAD_METERS) {
        counter(m, d.deploymentId(), d.modelName(), provider);
      }
    }
  }

  @Override
  public void submitted(DeploymentConfig d, int requests) {
    String provider = d.provider().wire();
    counter(WorkerMeter.OFFLOAD_JOBS_SUBMITTED, d.deploymentId(), d.modelName(), provider)
        .increment();
    counter(WorkerMeter.OFFLOADED_REQUESTS, d.deploymentId(), d.modelName(), provider)
        .increment(requests);
  }

  @Override
  public void ended(DeploymentConfig d, boolean completed) {
    WorkerMeter m =
        completed ? WorkerMeter.OFFLOAD_JOBS_COMPLETED : WorkerMeter.OFFLOAD_JOBS_FAILED;
    counter(m, d.deploymentId(), d.modelName(), d.provider().wire()).increment();
  }

  /** Records one provider call. */
  public void record(AttemptEvent a) {
    CallKey key =
        new CallKey(a.deploymentId(), a.modelName(), a.provider(), a.outcome(), a.priority());
    CallMeters m = calls.get(key);
    if (m == null) {
      m = calls.computeIfAbsent(key, this::callMeters);
    }
    m.calls().increment();
    m.latency().record(Math.max(0, a.latencyMs()), TimeUnit.MILLISECONDS);
    if (a.waitMs() != null && a.retry() == 0) {
      m.queueWait().record(a.waitMs(), TimeUnit.MILLISECONDS);
    }
    if (a.tokensIn() != null) {
      m.inputTokens().increment(a.tokensIn());
    }
    if (a.tokensOut() != null) {
      m.outputTokens().increment(a.tokensOut());
    }
    if (a.costUsd() != null) {
      m.cost().increment(a.costUsd());
    }
  }

  /** The meters a call with these tags records into, from the one map of meters. */
  private CallMeters callMeters(CallKey k) {
    String outcome = k.outcome().name();
    String priority = k.priority().wire();
    return new CallMeters(
        counter(
            WorkerMeter.CALLS, k.deploymentId(), k.modelName(), k.provider(), outcome, priority),
        timer(
            WorkerMeter.CALL_LATENCY,
            k.deploymentId(),
            k.modelName(),
            k.provider(),
            outcome,
            priority),
        timer(WorkerMeter.CALL_WAIT, k.deploymentId(), k.modelName(), k.provider(), priority),
        counter(WorkerMeter.INPUT_TOKENS, k.deploymentId(), k.modelName(), k.provider()),
        counter(WorkerMeter.OUTPUT_TOKENS, k.deploymentId(), k.modelName(), k.provider()),
        counter(WorkerMeter.COST, k.deploymentId(), k.modelName(), k.provider()));
  }

  private void gauge(WorkerMeter meter, Supplier<Number> value) {
    Gauge.builder(meter.meterName(), value)
        .description(meter.description())
        .baseUnit(meter.baseUnit())
        .register(registry);
  }

  private Counter counter(WorkerMeter meter, String... tagValues) {
    return (Counter)
        meters.computeIfAbsent(
            key(meter, tagValues),
            k ->
                Counter.builder(meter.meterName())
                    .description(meter.description())
                    .baseUnit(meter.baseUnit())
                    .tags(tags(meter, tagValues))
                    .register(registry));
  }

  private Timer timer(WorkerMeter meter, String... tagValues) {
    return (Timer)
        meters.computeIfAbsent(
            key(meter, tagValues),
            k ->
                Timer.builder(meter.meterName())
                    .description(meter.description())
                    .tags(tags(meter, tagValues))
                    .publishPercentileHistogram()
                    .maximumExpectedValue(Duration.ofMinutes(10))
                    .register(registry));
  }

  private static List<String> key(WorkerMeter meter, String... tagValues) {
    String[] key = new String[tagValues.length + 1];
    key[0] = meter.name();
    for (int i = 0; i < tagValues.length; i++) {
      key[i + 1] = tagValues[i] == null ? "" : tagValues[i];
    }
    return List.of(key);
  }

  private static Tags tags(WorkerMeter meter, String... values) {
    return Tags.of(meter.tagPairs(values));
  }
}
