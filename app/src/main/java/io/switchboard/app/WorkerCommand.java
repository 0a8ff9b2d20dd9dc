package io.switchboard.app;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.worker.Worker;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** A worker process against an existing Kafka cluster. */
@Command(name = "worker", mixinStandardHelpOptions = true,
    description = {"Runs a worker against the cluster in the config, until stopped (SIGTERM drains in-flight calls),",
        "with a Prometheus endpoint (observability.port). Provider keys are read from the environment",
        "variables the config names."})
final class WorkerCommand implements Callable<Integer> {
  @Mixin
  ConfigOptions options;

  @Override
  public Integer call() throws Exception {
    SwitchboardConfig config = options.load();
    RunUntilStopped process = new RunUntilStopped();
    PrometheusMeterRegistry registry = ObservabilityServer.newRegistry();
    Worker worker = process.closeAtEnd(new Worker(config, Clock.systemUTC(), System::getenv, registry));
    worker.start();
    process.closeAtEnd(ObservabilityServer.start(config.observability(), registry, worker::running, worker::ready));
    return process.await(worker::running, "the worker");
  }
}
