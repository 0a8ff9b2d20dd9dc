package io.switchboard.app;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.switchboard.router.Router;
import io.switchboard.router.aggregator.MetricsAggregator;
import io.switchboard.schemas.config.SwitchboardConfig;
import java.time.Clock;
import java.util.concurrent.Callable;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The router process against an existing Kafka cluster. */
@Command(name = "router", mixinStandardHelpOptions = true,
    description = {"Runs the router (Kafka Streams) against the cluster in the config, until stopped,",
        "with the metrics aggregator and a Prometheus endpoint (observability.port)."})
final class RouterCommand implements Callable<Integer> {
  @Mixin
  ConfigOptions options;

  @Option(names = "--aggregator", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Also run the metrics aggregator (default: yes; run it in one process of a deployment or more).")
  boolean aggregator;

  @Override
  public Integer call() throws Exception {
    SwitchboardConfig config = options.load();
    RunUntilStopped process = new RunUntilStopped();
    PrometheusMeterRegistry registry = ObservabilityServer.newRegistry();
    Router router = process.closeAtEnd(new Router(config, Clock.systemUTC(), registry));
    router.start();
    if (aggregator) {
      MetricsAggregator summaries = process.closeAtEnd(new MetricsAggregator(config, Clock.systemUTC()));
      summaries.bindTo(registry);
      summaries.start();
    }
    process.closeAtEnd(ObservabilityServer.start(config.observability(), registry,
        () -> router.state().isRunningOrRebalancing(), () -> router.state() == KafkaStreams.State.RUNNING));
    return process.await(() -> router.state().isRunningOrRebalancing() || router.state() == KafkaStreams.State.CREATED,
        "the router");
  }
}
