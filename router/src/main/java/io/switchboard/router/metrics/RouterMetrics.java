package io.switchboard.router.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.switchboard.router.selection.ExpectedShares;
import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.ErrorCode;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.config.live.LiveConfig;
import java.time.Duration;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The router's meters ({@link RouterMeter}), fed from routing decisions and rejections. Binding to
 * a registry registers every meter whose tags the config tells (each deployment under its alias,
 * each error code) at zero, so dashboards show them before the first request, and the configured
 * share of every deployment in every alias and group as a gauge. Calls made before any binding are
 * counted nowhere. Thread-safe.
 */
public final class RouterMetrics implements MeterBinder {
  private final SwitchboardConfig config;
  private final LiveConfig live;
  private final CompositeMeterRegistry registry = new CompositeMeterRegistry();

  /** Meters of a router that routes by {@code config} alone. */
  public RouterMetrics(SwitchboardConfig config) {
    this(new LiveConfig(config));
  }

  /**
   * Meters of a router that routes by {@code live}; the deployments and shares registered at zero
   * are those of the version in force at binding.
   */
  public RouterMetrics(LiveConfig live) {
    this.live = live;
    this.config = live.current().config();
  }

  @Override
  public void bindTo(MeterRegistry target) {
    registry.add(target);
    for (DeploymentConfig d : config.modelList()) {
      counter(RouterMeter.ROUTED, d.deploymentId(), d.modelName());
      counter(RouterMeter.FALLBACKS, d.deploymentId(), d.modelName());
      counter(RouterMeter.REROUTES, d.deploymentId(), d.modelName());
      counter(RouterMeter.OVER_BUDGET, d.deploymentId(), d.modelName());
      timer(d.modelName());
    }
    java.util.Set<String> names = new java.util.LinkedHashSet<>();
    config.modelList().forEach(d -> names.add(d.modelName()));
    names.addAll(config.loadBalanceGroups().keySet());
    for (String name : names) {
      ExpectedShares.of(config, name)
          .forEach(
              (deployment, share) ->
                  Gauge.builder(RouterMeter.EXPECTED_SHARE.meterName(), () -> share)
                      .description(RouterMeter.EXPECTED_SHARE.description())
                      .baseUnit(RouterMeter.EXPECTED_SHARE.baseUnit())
                      .tags(tags(RouterMeter.EXPECTED_SHARE, deployment, name))
                      .register(registry));
    }
    for (ErrorCode code : ErrorCode.values()) {
      counter(RouterMeter.REJECTED, code.wire());
    }
    Gauge.builder(RouterMeter.CONFIG_VERSION.meterName(), live, LiveConfig::version)
        .description(RouterMeter.CONFIG_VERSION.description())
        .register(registry);
    FunctionCounter.builder(RouterMeter.CONFIG_REJECTED.meterName(), live, LiveConfig::rejected)
        .description(RouterMeter.CONFIG_REJECTED.description())
        .baseUnit(RouterMeter.CONFIG_REJECTED.baseUnit())
        .register(registry);
  }

  /**
   * Counts one routing decision: a first route, a re-route within the same candidate set ({@code
   * reroute}) or a fallback route, whether it was made over budget ({@code withinBudget} false),
   * and its routing delay.
   */
  public void routed(Dispatch dispatch, boolean withinBudget, boolean reroute) {
    String model = dispatch.modelName() == null ? "" : dispatch.modelName();
    RouterMeter kind =
        reroute
            ? RouterMeter.REROUTES
            : dispatch.hop() == 0 ? RouterMeter.ROUTED : RouterMeter.FALLBACKS;
    counter(kind, dispatch.deploymentId(), model).increment();
    if (!withinBudget) {
      counter(RouterMeter.OVER_BUDGET, dispatch.deploymentId(), model).increment();
    }
    Duration delay = Duration.between(dispatch.receivedAt(), dispatch.routedAt());
    timer(model).record(delay.isNegative() ? Duration.ZERO : delay);
  }

  /** Counts one request the router answered with an error. */
  public void rejected(ErrorCode code) {
    counter(RouterMeter.REJECTED, code.wire()).increment();
  }

  /**
   * Binds the Kafka Streams client metrics of {@code streams} ({@link KafkaStreamsMeters}); close
   * with the streams.
   */
  public static KafkaStreamsMetrics bindStreams(KafkaStreams streams, MeterRegistry target) {
    return KafkaStreamsMeters.bind(streams, target);
  }

  private Counter counter(RouterMeter meter, String... tagValues) {
    return Counter.builder(meter.meterName())
        .description(meter.description())
        .baseUnit(meter.baseUnit())
        .tags(tags(meter, tagValues))
        .register(registry);
  }

  private Timer timer(String model) {
    RouterMeter meter = RouterMeter.ROUTING_DELAY;
    return Timer.builder(meter.meterName())
        .description(meter.description())
        .tags(tags(meter, model))
        .publishPercentileHistogram()
        .maximumExpectedValue(Duration.ofMinutes(1))
        .register(registry);
  }

  private static Tags tags(RouterMeter meter, String... values) {
    return Tags.of(meter.tagPairs(values));
  }
}
