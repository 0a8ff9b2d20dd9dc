package io.switchboard.app;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.worker.Worker;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** A worker process against an existing Kafka cluster. */
@Command(
    name = "worker",
    mixinStandardHelpOptions = true,
    header = "Runs a worker, which calls the providers, until stopped.",
    description = {
      "Runs a worker against the cluster in the config, until stopped (SIGTERM drains in-flight calls),",
      "with a Prometheus endpoint (--metrics-port, observability.port). Provider keys are read from the",
      "environment variables the config names."
    })
final class WorkerCommand implements Callable<Integer> {
  @Mixin ConfigOptions options;

  @Mixin MetricsOptions metrics;

  @Override
  public Integer call() throws Exception {
    SwitchboardConfig config = options.load();
    RunUntilStopped process = new RunUntilStopped();
    PrometheusMeterRegistry registry = ObservabilityServer.newRegistry();
    Worker worker =
        process.closeAtEnd(new Worker(config, Clock.systemUTC(), System::getenv, registry));
    process.start(
        () -> {
          // The port first: a busy one ends the command before anything connects.
          process.closeAtEnd(
              ObservabilityServer.start(
                  metrics.resolve(config.observability()),
                  registry,
                  worker::running,
                  worker::ready));
          options.awaitCluster(config.kafka());
          worker.start();
        });
    return process.await(worker::running, worker::ready, "the worker");
  }
}
