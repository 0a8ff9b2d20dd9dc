package io.switchboard.sandbox;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.switchboard.app.MetricsOptions;
import io.switchboard.app.ObservabilityServer;
import io.switchboard.schemas.config.ObservabilityConfig;
import io.switchboard.schemas.config.TopicsConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Everything in-process, kept running for any Kafka client. */
@Command(
    name = "dev",
    mixinStandardHelpOptions = true,
    header = "Runs everything in-process until Ctrl-C.",
    description = {
      "Starts a real in-process Kafka broker, the mock provider, the router, a worker and the metrics",
      "aggregator, prints the bootstrap address, topics and metrics URL, and runs until Ctrl-C."
    })
final class DevCommand implements Callable<Integer> {
  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description =
          "A config file (default: the built-in demo config). $${MOCK_URL} in it is the mock provider.")
  Path config;

  @Option(
      names = "--workers",
      defaultValue = "1",
      description = "Workers to run (default ${DEFAULT-VALUE}).")
  int workers;

  @Mixin MetricsOptions metrics;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    CountDownLatch stop = new CountDownLatch(1);
    try (Embedded embedded = Embedded.start(config, Embedded.demoBehavior(), workers)) {
      PrometheusMeterRegistry registry = ObservabilityServer.newRegistry();
      embedded.exportTo(registry);
      ObservabilityServer endpoint =
          ObservabilityServer.start(
              metrics.resolve(embedded.config().observability()),
              registry,
              embedded::alive,
              embedded::ready);
      embedded.startAggregator();
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    stop.countDown();
                    endpoint.close();
                    embedded.close();
                  }));
      TopicsConfig t = embedded.config().topics();
      String bootstrap = embedded.broker().bootstrapServers();
      String model = embedded.config().modelList().get(0).modelName();
      out.printf(
          """
          Switchboard dev is running.
            bootstrap servers : %s
            mock provider     : %s
            requests topic    : %s
            replies topic     : %s
            metrics topic     : %s
            dead-letter topic : %s
            models            : %s
            metrics           : %s

          Publish a request (kcat):
            echo '{"id":"r1","model":"%s","body":{"messages":[{"role":"user","content":"Hi"}]}}' \\
              | kcat -P -b %s -t %s -k r1
          Read the replies:
            kcat -C -b %s -t %s -o beginning -X isolation.level=read_committed
          Watch the split, latency, errors and cost per model:
            ./switchboard stats --bootstrap %s

          Ctrl-C stops everything.
          """,
          bootstrap,
          embedded.mock().baseUrl(),
          t.requests(),
          t.replies(),
          t.metrics(),
          t.deadLetter(),
          embedded.config().modelList().stream()
              .map(d -> d.modelName() + "/" + d.deploymentId())
              .toList(),
          metricsUrl(embedded.config().observability(), endpoint),
          model,
          bootstrap,
          t.requests(),
          bootstrap,
          t.replies(),
          bootstrap);
      out.flush();
      stop.await();
    }
    return 0;
  }

  /** Where /metrics is served, or that it is not. */
  static String metricsUrl(ObservabilityConfig config, ObservabilityServer endpoint) {
    if (endpoint.port() == ObservabilityConfig.OFF) {
      return "off (--metrics-port -1)";
    }
    String host =
        config.bindAddress().equals("0.0.0.0") || config.bindAddress().equals("::")
            ? "localhost"
            : config.bindAddress();
    return "http://" + host + ":" + endpoint.port() + "/metrics (also /health and /ready)";
  }
}
