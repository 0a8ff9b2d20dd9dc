package io.switchboard.sandbox;

import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** What {@code switchboard bench} runs: the stack, the load and the report. */
final class BenchOptions {
  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description =
          "Config (default: the built-in bench config). $${MOCK_URL} in it is the mock provider.")
  Path config;

  @Option(
      names = "--model",
      defaultValue = "chat",
      description = "Model the requests name (default ${DEFAULT-VALUE}).")
  String model;

  @Option(
      names = "--workers",
      defaultValue = "1",
      description = "Workers (default ${DEFAULT-VALUE}).")
  int workers;

  @Option(
      names = "--latency-ms",
      defaultValue = "0",
      description = {
        "Mock provider latency per call (default ${DEFAULT-VALUE}). From 3000 on, the built-in config's",
        "call timeout, lane windows and reply wait are set from the latency and --in-flight, and the",
        "worker speaks HTTP/2 to the mock (long calls; the output says so)."
      })
  long latencyMs;

  @Option(
      names = "--http2",
      description = {
        "The mock provider and the worker speak HTTP/2 (h2c, many calls to one connection) at any",
        "latency, as to the hosted providers; with --config too (worker_settings.http_version is",
        "set to http2, and a config that sets http1 is refused)."
      })
  boolean http2;

  @Option(
      names = "--load-linger-ms",
      description = {
        "linger.ms of the load generator's producer, as a client of yours would set it (default: the",
        "config's kafka: section, else 5, Kafka's own default). Switchboard's clients keep the config's."
      })
  Integer loadLingerMs;

  @Option(
      names = "--rate",
      defaultValue = "0",
      description = "Open loop: requests per second (0 = closed loop).")
  double rate;

  @Option(
      names = "--in-flight",
      defaultValue = "2000",
      description = "Closed loop: requests outstanding (default ${DEFAULT-VALUE}).")
  int inFlight;

  @Option(
      names = "--duration-seconds",
      defaultValue = "20",
      description = "How long to send (default ${DEFAULT-VALUE}).")
  int durationSeconds;

  @Option(
      names = "--requests",
      defaultValue = "" + Long.MAX_VALUE,
      description = "Stop sending after this many.")
  long maxRequests;

  @Option(
      names = "--warmup-seconds",
      defaultValue = "0",
      description = {
        "Load of the same kind for this long first, its replies awaited and its figures dropped,",
        "so that the measured run finds the JIT's work done (default ${DEFAULT-VALUE})."
      })
  int warmupSeconds;

  @Option(
      names = "--warmup-in-flight",
      defaultValue = "0",
      description = {
        "Warm up in a closed loop with this many outstanding whatever the measured run's mode, e.g. at",
        "full speed before a low open-loop rate, as a long-running deployment would be (default: the same load)."
      })
  int warmupInFlight;

  @Option(
      names = "--broker-process",
      description = {
        "Run the broker in a child JVM, as it runs in production, with its",
        "own heap and JIT, instead of inside this one; its CPU time is counted with this process's."
      })
  boolean brokerProcess;

  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT[,...]",
      description = {
        "Run against this Kafka cluster instead of starting a broker (the config's kafka: section, e.g.",
        "SASL, applies). The run's topics, router application id and worker group get a per-run suffix",
        "and are deleted afterwards; the brokers' CPU is not counted."
      })
  String bootstrapServers;

  @Option(
      names = "--cluster-timeout-seconds",
      defaultValue = "15",
      description =
          "How long the --bootstrap-servers cluster has to answer before the run is an error (default: 15).")
  int clusterTimeoutSeconds;

  @Option(
      names = "--heap-live",
      description = {
        "Run a full collection at the end of every 5 s heap window, so that its",
        "lowest sample is the live heap (pauses the run: for memory, not speed)."
      })
  boolean heapLive;

  @Option(
      names = "--drain-seconds",
      defaultValue = "120",
      description = "How long to wait for outstanding replies.")
  int drainSeconds;

  @Option(
      names = "--baseline",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Run the raw-Kafka baselines, at-least-once then exactly-once, after the run (default: yes).")
  boolean baseline;

  @Option(
      names = "--json",
      paramLabel = "FILE",
      description = "Also write the report as JSON here.")
  Path json;

  @Option(
      names = "--backlog-batch",
      defaultValue = "0",
      paramLabel = "N",
      description =
          "Mixed classes: queue N batch requests on one deployment of --deployment-rpm, then send"
              + " --interactive requests behind them, and report how soon those are answered and how"
              + " the rpm was used (0: the load run above).")
  int backlogBatch;

  @Option(
      names = "--interactive",
      defaultValue = "30",
      paramLabel = "N",
      description =
          "Mixed classes: interactive requests sent behind the backlog (default ${DEFAULT-VALUE}).")
  int interactive;

  @Option(
      names = "--deployment-rpm",
      defaultValue = "600",
      paramLabel = "RPM",
      description = "Mixed classes: the deployment's rpm (default ${DEFAULT-VALUE}).")
  int deploymentRpm;

  @Option(
      names = "--interactive-reserve",
      defaultValue = "0.05",
      paramLabel = "FRACTION",
      description =
          "Mixed classes: priority_reserve of the interactive class (default ${DEFAULT-VALUE}).")
  double interactiveReserve;

  @Option(
      names = "--observe-seconds",
      defaultValue = "75",
      paramLabel = "S",
      description =
          "Mixed classes: how long after the first call the provider's log is read (default ${DEFAULT-VALUE}).")
  int observeSeconds;

  @Mixin HiddenLimit hiddenLimit;

  /**
   * The hidden-limit mode: a provider allowing less than the config says, raised during the run.
   */
  static final class HiddenLimit {
    @Option(
        names = "--real-rpm",
        defaultValue = "0",
        description = {
          "Hidden-limit mode: the mock admits this many calls per minute to a deployment configured",
          "higher (built-in: limited-a, rpm 600); requests come at 1.1 times the configured rpm."
        })
    int realRpm;

    @Option(
        names = "--raised-rpm",
        description = "The limit after --rise-after-seconds (default: the configured rpm).")
    Integer raisedRpm;

    @Option(
        names = "--rise-after-seconds",
        defaultValue = "180",
        description = "When the limit rises (default ${DEFAULT-VALUE}).")
    int riseAfterSeconds;

    @Option(
        names = "--after-rise-seconds",
        defaultValue = "150",
        description = "How long the run goes on after the rise (default ${DEFAULT-VALUE}).")
    int afterRiseSeconds;

    @Option(
        names = "--deployment",
        defaultValue = "limited-a",
        description = "The deployment with the hidden limit (default ${DEFAULT-VALUE}).")
    String deployment;

    @Option(
        names = "--rate-limit-headers",
        negatable = true,
        defaultValue = "true",
        fallbackValue = "true",
        description = {
          "Whether the mock announces its limit in rate-limit headers; --no-rate-limit-headers:",
          "only 429s teach the limit (default: yes)."
        })
    boolean headers;
  }
}
