package io.switchboard.sandbox;

import io.switchboard.testkit.mock.Behavior;
import io.switchboard.testkit.mock.Fault;
import io.switchboard.testkit.mock.Latency;
import io.switchboard.testkit.mock.MockProvider;
import io.switchboard.testkit.mock.MockProviderOptions;
import io.switchboard.testkit.mock.RpmSchedule;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code switchboard mock-provider}: runs the mock LLM provider (OpenAI, Azure OpenAI and Anthropic
 * APIs) on 127.0.0.1 until Ctrl-C, with one behaviour for every deployment.
 */
@Command(
    name = "mock-provider",
    mixinStandardHelpOptions = true,
    header = "Runs the mock LLM provider until Ctrl-C.",
    description = {
      "Runs a mock LLM provider on 127.0.0.1 until Ctrl-C: OpenAI (POST /v1/chat/completions),",
      "Azure OpenAI (POST /openai/deployments/{name}/chat/completions?api-version=...) and Anthropic",
      "(POST /v1/messages), each also under /d/{deployment}/... so that calls are told apart."
    })
public final class MockProviderCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description = "Address to listen on; 0.0.0.0 in a container (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = "--port",
      defaultValue = "8089",
      description = "Port on 127.0.0.1, 0 for any free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--latency-ms",
      defaultValue = "0",
      description =
          "Latency before each answer, or the minimum with --latency-max-ms (default: ${DEFAULT-VALUE}).")
  long latencyMs;

  @Option(
      names = "--latency-max-ms",
      description = "With --latency-ms: latency uniform between the two.")
  Long latencyMaxMs;

  @Option(
      names = "--error-rate",
      defaultValue = "0",
      description = "Share of calls (0..1) answered --error-status (default: ${DEFAULT-VALUE}).")
  double errorRate;

  @Option(
      names = "--error-status",
      defaultValue = "500",
      description = "Status of those errors (default: ${DEFAULT-VALUE}).")
  int errorStatus;

  @Option(
      names = "--rate-limit-every",
      defaultValue = "0",
      description = "Answer 429 to every n-th call, 0 for never (default: ${DEFAULT-VALUE}).")
  int rateLimitEvery;

  @Option(
      names = "--retry-after-ms",
      defaultValue = "1000",
      description = "Wait announced by those 429s (default: ${DEFAULT-VALUE}).")
  long retryAfterMs;

  @Option(
      names = {"--rpm", "--real-rpm"},
      defaultValue = "0",
      description =
          "Calls admitted per deployment in any 60 s window, 0 for unlimited (default: ${DEFAULT-VALUE}).")
  int rpm;

  @Option(
      names = "--rpm-schedule",
      paramLabel = "SECONDS=RPM[,...]",
      description = "Change --rpm at these times from the start, e.g. 120=600,300=150.")
  String rpmSchedule;

  @Option(
      names = "--rate-limit-headers",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = "Announce the rpm window in rate-limit headers as providers do (default: yes).")
  boolean rateLimitHeaders;

  @Option(
      names = "--context-window",
      defaultValue = "0",
      description = "Context window in tokens, 0 for unlimited (default: ${DEFAULT-VALUE}).")
  int contextWindow;

  @Option(names = "--fault", description = "hang, reset or garbage on every call.")
  String fault;

  @Option(names = "--status", description = "Answer this status (4xx or 5xx) on every call.")
  Integer status;

  @Option(
      names = "--require-key-env",
      paramLabel = "VAR",
      description = "Require the API key held in this environment variable.")
  String requireKeyEnv;

  @Option(
      names = "--seed",
      defaultValue = "42",
      description = "Seed of the random draws (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--io-threads", description = "I/O threads (default: the available processors).")
  Integer ioThreads;

  @Option(
      names = "--http2",
      description =
          "Speak HTTP/2 with prior knowledge (h2c) instead of HTTP/1.1; workers need"
              + " worker_settings.http_version: http2.")
  boolean http2;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Behavior behavior;
    RpmSchedule schedule;
    try {
      behavior = behavior();
      schedule = rpmSchedule == null ? new RpmSchedule(List.of()) : RpmSchedule.parse(rpmSchedule);
    } catch (IllegalArgumentException e) {
      err.println("mock-provider: " + e.getMessage());
      return 2;
    }
    MockProviderOptions options =
        MockProviderOptions.defaults()
            .withHost(host)
            .withPort(port)
            .withSeed(seed)
            .withDefaultBehavior(behavior)
            .withHttp2(http2);
    if (ioThreads != null) {
      options = options.withIoThreads(ioThreads);
    }
    MockProvider mock = MockProvider.start(options);
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    schedule.start(mock, timer);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  timer.shutdownNow();
                  mock.close();
                  stopped.countDown();
                },
                "mock-provider-shutdown"));
    out.println(
        "mock provider listening on "
            + host
            + ":"
            + mock.port()
            + " ("
            + mock.baseUrl()
            + (http2 ? ", HTTP/2 (h2c)" : ", HTTP/1.1")
            + ") with "
            + behavior);
    out.println("  OpenAI api_base:    " + mock.baseUrl("DEPLOYMENT") + "/v1");
    out.println("  Azure api_base:     " + mock.baseUrl("DEPLOYMENT"));
    out.println("  Anthropic api_base: " + mock.baseUrl("DEPLOYMENT"));
    out.println("Ctrl-C to stop.");
    out.flush();
    stopped.await();
    return 0;
  }

  private Behavior behavior() {
    Latency latency =
        latencyMaxMs == null ? Latency.fixed(latencyMs) : Latency.uniform(latencyMs, latencyMaxMs);
    Behavior b =
        Behavior.ok()
            .withLatency(latency)
            .withErrors(errorRate, errorStatus)
            .withRateLimitEvery(rateLimitEvery)
            .withRetryAfter(Duration.ofMillis(retryAfterMs))
            .withRpm(rpm)
            .withRateLimitHeaders(rateLimitHeaders)
            .withContextWindow(contextWindow);
    if (fault != null && status != null) {
      throw new IllegalArgumentException("--fault and --status exclude each other");
    }
    if (fault != null) {
      b =
          b.withFault(
              switch (fault.toLowerCase(Locale.ROOT)) {
                case "hang" -> Fault.HANG;
                case "reset" -> Fault.RESET;
                case "garbage" -> Fault.GARBAGE;
                default ->
                    throw new IllegalArgumentException(
                        "--fault must be hang, reset or garbage, was '" + fault + "'");
              });
    }
    if (status != null) {
      b = b.withStatus(status);
    }
    if (requireKeyEnv != null) {
      String key = System.getenv(requireKeyEnv);
      if (key == null || key.isBlank()) {
        throw new IllegalArgumentException(
            "--require-key-env: environment variable " + requireKeyEnv + " is not set");
      }
      b = b.withRequiredKey(key);
    }
    return b;
  }
}
