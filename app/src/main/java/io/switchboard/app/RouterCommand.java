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
@Command(
    name = "router",
    mixinStandardHelpOptions = true,
    header = "Runs the router against a Kafka cluster until stopped.",
    description = {
      "Runs the router (Kafka Streams) against the cluster in the config, until stopped,",
      "with the metrics aggregator and a Prometheus endpoint (--metrics-port, observability.port)."
    })
final class RouterCommand implements Callable<Integer> {
  @Mixin ConfigOptions options;

  @Mixin MetricsOptions metrics;

  @Option(
      names = "--aggregator",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Also run the metrics aggregator (default: yes; run it in one process of a deployment or more).")
  boolean aggregator;

  @Override
  public Integer call() throws Exception {
    SwitchboardConfig config = options.load();
    RunUntilStopped process = new RunUntilStopped();
    PrometheusMeterRegistry registry = ObservabilityServer.newRegistry();
    Router router = process.closeAtEnd(new Router(config, Clock.systemUTC(), registry));
    process.start(
        () -> {
          // The port first: a busy one ends the command before anything connects.
          process.closeAtEnd(
              ObservabilityServer.start(
                  metrics.resolve(config.observability()),
                  registry,
                  () -> router.state().isRunningOrRebalancing(),
                  () -> router.state() == KafkaStreams.State.RUNNING));
          options.awaitCluster(config.kafka());
          router.start();
          if (aggregator) {
            MetricsAggregator summaries =
                process.closeAtEnd(new MetricsAggregator(config, Clock.systemUTC()));
            summaries.bindTo(registry);
            summaries.start();
          }
        });
    return process.await(
        () ->
            router.state().isRunningOrRebalancing() || router.state() == KafkaStreams.State.CREATED,
        () -> router.state() == KafkaStreams.State.RUNNING,
        "the router");
  }
}
