package io.switchboard.sandbox;

import io.switchboard.router.metrics.RouterMeter;
import io.switchboard.sandbox.bench.BenchReport;
import io.switchboard.sandbox.bench.ExternalCluster;
import io.switchboard.sandbox.bench.LoadGenerator;
import io.switchboard.sandbox.bench.RawKafkaBaseline;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.json.Json;
import io.switchboard.schemas.topics.Topics;
import io.switchboard.testkit.kafka.InProcessKafkaBroker;
import io.switchboard.testkit.kafka.KafkaBroker;
import io.switchboard.testkit.mock.Behavior;
import io.switchboard.testkit.process.KafkaServerProcess;
import java.io.PrintWriter;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Load through the whole path on one machine, measured, with raw-Kafka baselines at-least-once and
 * exactly-once.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    header = "Measures the whole path under load, with Kafka baselines.",
    description = {
      "Starts a broker (in this JVM, or in a child JVM with --broker-process), the mock provider, the",
      "router and N workers, drives load",
      "(open loop at --rate, or closed loop with --in-flight outstanding), and reports throughput,",
      "reply latency and overhead percentiles, peak in flight, heap, split deviation and rpm-window",
      "compliance; then the same number of records through three plain Kafka hops as a baseline, twice:",
      "at-least-once (plain producers, asynchronous commits), then exactly-once as Switchboard commits",
      "(the first hop's transactions every commit.interval.ms, the second's after every poll, offsets",
      "in the transactions, read_committed consumers)."
    })
final class BenchCommand implements Callable<Integer> {
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
      description = "Mock provider latency per call (default ${DEFAULT-VALUE}).")
  long latencyMs;

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

  @Spec CommandSpec spec;

  static final String BENCH_CONFIG = "/bench-config.yaml";

  @Override
  public Integer call() throws Exception {
    if (warmupInFlight < 0) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--warmup-in-flight must be 0 or more, not " + warmupInFlight);
    }
    if (warmupInFlight > 0 && warmupSeconds == 0) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--warmup-in-flight needs --warmup-seconds");
    }
    if (bootstrapServers != null && bootstrapServers.isBlank()) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--bootstrap-servers needs host:port[,host:port...]");
    }
    if (bootstrapServers != null && brokerProcess) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--bootstrap-servers and --broker-process exclude each other");
    }
    PrintWriter out = spec.commandLine().getOut();
    Behavior behavior = Behavior.ok().withLatencyMs(latencyMs);
    ExternalCluster external =
        bootstrapServers == null ? null : new ExternalCluster(bootstrapServers);
    String suffix = external == null ? null : ExternalCluster.runSuffix();
    Supplier<KafkaBroker> brokers =
        external != null
            ? () -> external
            : brokerProcess ? BenchCommand::brokerProcess : InProcessKafkaBroker::start;
    // The client settings of a run on a cluster of the user's: known once the cluster answered.
    AtomicReference<Map<String, String>> onCluster = new AtomicReference<>();
    UnaryOperator<SwitchboardConfig> adjust =
        external == null
            ? UnaryOperator.identity()
            : c -> {
              external.checkReachable(c.kafka(), Duration.ofSeconds(15));
              onCluster.set(c.kafka());
              return c.namespaced(suffix);
            };
    try {
      Embedded started;
      try {
        started =
            Embedded.start(
                brokers, config, behavior, workers, config == null ? BENCH_CONFIG : null, adjust);
      } catch (ExternalCluster.UnreachableException e) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("error: " + e.getMessage());
        err.flush();
        return 2;
      }
      try (Embedded embedded = started) {
        return run(embedded, out);
      }
    } finally {
      // Also when the start failed after the router had created the run's topics.
      if (onCluster.get() != null) {
        ExternalCluster.removeRun(onCluster.get(), suffix);
      }
    }
  }

  /** The router's routes over budget so far, per deployment. */
  private static Map<String, Long> overBudget(Embedded embedded) {
    Map<String, Long> counts = new LinkedHashMap<>();
    embedded
        .routerMeters()
        .find(RouterMeter.OVER_BUDGET.meterName())
        .counters()
        .forEach(c -> counts.merge(c.getId().getTag("deployment"), (long) c.count(), Long::sum));
    return counts;
  }

  private int run(Embedded embedded, PrintWriter out) throws Exception {
    SwitchboardConfig cfg = embedded.config();
    Topics topics = new Topics(cfg.topics());
    // the bench reads call times per deployment only (rpm windows); ids would grow the heap
    embedded.mock().keepRequestIds(false);
    out.printf(
        "bench: %s, mock latency %d ms, %d worker(s), %s%n",
        embedded.broker().describe(),
        latencyMs,
        workers,
        rate > 0 ? "open loop at " + rate + " req/s" : "closed loop, " + inFlight + " in flight");
    out.flush();
    AtomicLong peakWorkerInFlight = new AtomicLong();
    AtomicBoolean sampling = new AtomicBoolean(true);
    Thread sampler =
        new Thread(
            () -> {
              while (sampling.get()) {
                embedded
                    .workers()
                    .forEach(w -> peakWorkerInFlight.accumulateAndGet(w.inFlight(), Math::max));
                LockSupport.parkNanos(10_000_000);
              }
            },
            "bench-worker-in-flight");
    sampler.setDaemon(true);
    sampler.start();
    LoadGenerator.Result r;
    Map<String, Long> overBudgetBefore;
    try {
      LoadGenerator load = new LoadGenerator(cfg.kafka(), topics, model);
      if (embedded.broker() instanceof KafkaServerProcess child) {
        load.alsoCountCpuOf(ProcessHandle.of(child.process().pid()).orElseThrow());
      }
      if (warmupSeconds > 0) {
        LoadGenerator.Result w =
            warmupInFlight > 0
                ? load.run(
                    0,
                    warmupInFlight,
                    Duration.ofSeconds(warmupSeconds),
                    maxRequests,
                    Duration.ofSeconds(drainSeconds))
                : load.run(
                    rate,
                    inFlight,
                    Duration.ofSeconds(warmupSeconds),
                    maxRequests,
                    Duration.ofSeconds(drainSeconds));
        out.printf(
            "warm-up: %d requests, %d replies in %.1f s (not counted)%n",
            w.sent(), w.replies(), w.seconds());
        out.flush();
        peakWorkerInFlight.set(0);
      }
      overBudgetBefore = overBudget(embedded); // the warm-up's routes over budget, not counted
      r =
          load.collectEachWindow(heapLive)
              .run(
                  rate,
                  inFlight,
                  Duration.ofSeconds(durationSeconds),
                  maxRequests,
                  Duration.ofSeconds(drainSeconds));
    } finally {
      sampling.set(false);
      sampler.join();
    }
    Double baselineRate = null;
    Double baselineEosRate = null;
    boolean baselineFailed = false;
    if (baseline) {
      byte[] payload = Json.toBytes(DemoCommand.sampleRequest("baseline-request-000000"));
      int records = (int) Math.min(r.sent(), 2_000_000);
      baselineRate = runBaseline(cfg, records, payload, RawKafkaBaseline.Guarantee.AT_LEAST_ONCE);
      baselineEosRate = runBaseline(cfg, records, payload, RawKafkaBaseline.Guarantee.EXACTLY_ONCE);
      baselineFailed = baselineRate == null || baselineEosRate == null;
    }
    BenchReport report =
        report(
            embedded,
            cfg,
            r,
            baselineRate,
            baselineEosRate,
            peakWorkerInFlight.get(),
            overBudgetBefore);
    print(out, report);
    if (json != null) {
      Files.writeString(json, Json.toString(report));
    }
    return r.replies() == r.sent() && !baselineFailed ? 0 : 1;
  }

  /** A broker in its own JVM with a heap for load (the test default is small). */
  private static KafkaBroker brokerProcess() {
    try {
      return KafkaServerProcess.builder().heapAndGc("-Xms1g", "-Xmx1g").start();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the broker", e);
    }
  }

  /** The baseline's records per second, or null (the error printed) if it failed. */
  private Double runBaseline(
      SwitchboardConfig cfg, int records, byte[] payload, RawKafkaBaseline.Guarantee guarantee)
      throws Exception {
    String name =
        guarantee == RawKafkaBaseline.Guarantee.EXACTLY_ONCE ? "exactly-once" : "at-least-once";
    RawKafkaBaseline.Result b;
    try {
      // named under the requests topic: on a shared cluster, part of the run's names (removed with
      // them)
      b =
          RawKafkaBaseline.run(
              cfg.kafka(),
              cfg.topics().requests() + "-baseline",
              records,
              payload,
              cfg.topics().requestPartitions(),
              cfg.topics().replicationFactor(),
              guarantee);
    } catch (RawKafkaBaseline.FailedException e) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("error: " + e.getMessage() + "; the report has no " + name + " baseline figure");
      err.flush();
      return null;
    }
    if (!b.complete()) {
      PrintWriter out = spec.commandLine().getOut();
      out.println(
          "warning: the "
              + name
              + " raw-Kafka baseline did not get every record through its three hops within "
              + RawKafkaBaseline.LIMIT
              + "; its figure counts only those that did");
    }
    return b.recordsPerSecond();
  }

  private BenchReport report(
      Embedded embedded,
      SwitchboardConfig cfg,
      LoadGenerator.Result r,
      Double baselineRate,
      Double baselineEosRate,
      long peakWorkerInFlight,
      Map<String, Long> overBudgetBefore) {
    List<DeploymentConfig> candidates = cfg.resolve(model);
    double total = candidates.stream().mapToDouble(DeploymentConfig::effectiveWeight).sum();
    Map<String, Double> deviation = new LinkedHashMap<>();
    Map<String, int[]> rpm = new LinkedHashMap<>();
    Map<String, Long> overBudget = new LinkedHashMap<>();
    Map<String, long[]> tpm = new LinkedHashMap<>();
    Map<String, Long> overBudgetNow = overBudget(embedded);
    long routed = r.perDeployment().values().stream().mapToLong(Long::longValue).sum();
    for (DeploymentConfig d : candidates) {
      double exact = routed * d.effectiveWeight() / total;
      deviation.put(d.deploymentId(), r.perDeployment().getOrDefault(d.deploymentId(), 0L) - exact);
      if (d.rpm() != null || d.tpm() != null) {
        overBudget.put(
            d.deploymentId(),
            overBudgetNow.getOrDefault(d.deploymentId(), 0L)
                - overBudgetBefore.getOrDefault(d.deploymentId(), 0L));
      }
      if (d.tpm() != null) {
        tpm.put(
            d.deploymentId(),
            new long[] {
              embedded.mock().maxTokensInAnyWindow(d.deploymentId(), Duration.ofSeconds(60)),
              d.tpm()
            });
      }
      if (d.rpm() != null) {
        int shortSeconds = d.rateWindowSeconds() != null ? d.rateWindowSeconds() : 10;
        rpm.put(
            d.deploymentId(),
            new int[] {
              embedded.mock().maxCallsInAnyWindow(d.deploymentId(), Duration.ofSeconds(60)),
              d.rpm(),
              embedded
                  .mock()
                  .maxCallsInAnyWindow(d.deploymentId(), Duration.ofSeconds(shortSeconds)),
              shortSeconds,
              d.rateWindowSeconds() != null ? 1 : 0
            });
      }
    }
    double rps = r.seconds() > 0 ? r.replies() / r.seconds() : 0;
    return new BenchReport(
        rate > 0 ? "open" : "closed",
        latencyMs,
        workers,
        r.sent(),
        r.replies(),
        r.errors(),
        r.seconds(),
        rps,
        percentiles(r.replyLatency()),
        percentiles(r.overhead()),
        r.peakInFlight(),
        r.heapPeakMb(),
        peakWorkerInFlight,
        deviation,
        rpm,
        overBudget,
        tpm,
        baselineRate,
        ratio(rps, baselineRate),
        baselineEosRate,
        ratio(rps, baselineEosRate),
        r.replies() > 0 ? 1000 * r.cpuSeconds() / r.replies() : 0,
        r.seconds() > 0 ? r.cpuSeconds() / r.seconds() : 0,
        r.heap(),
        BenchReport.troughSlope(r.heap()),
        BenchReport.secondHalfTroughSlope(r.heap()),
        collector(),
        warmupSeconds,
        warmupInFlight,
        brokerProcess ? r.alsoCountedCpuSeconds() : null,
        stages(r),
        embedded.broker().describe());
  }

  private static String collector() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream()
        .map(GarbageCollectorMXBean::getName)
        .collect(Collectors.joining(", "));
  }

  private static Map<String, BenchReport.Percentiles> stages(LoadGenerator.Result r) {
    Map<String, BenchReport.Percentiles> stages = new LinkedHashMap<>();
    r.stages().forEach((stage, h) -> stages.put(stage, percentiles(h)));
    return stages;
  }

  private static Double ratio(double rps, Double baselineRate) {
    return baselineRate == null || baselineRate == 0 ? null : rps / baselineRate;
  }

  private static void printBaseline(
      PrintWriter out, String guarantee, Double recordsPerSecond, Double ratio) {
    if (recordsPerSecond != null) {
      out.printf(
          "raw Kafka, 3 hops, %s: %.0f records/s%s%n",
          guarantee,
          recordsPerSecond,
          ratio == null ? "" : String.format("; Switchboard at %.0f%% of it", 100 * ratio));
    }
  }

  private static BenchReport.Percentiles percentiles(Histogram h) {
    return new BenchReport.Percentiles(
        h.getValueAtPercentile(50) / 1000.0,
        h.getValueAtPercentile(95) / 1000.0,
        h.getValueAtPercentile(99) / 1000.0,
        h.getMaxValue() / 1000.0);
  }

  private static void print(PrintWriter out, BenchReport b) {
    out.printf(
        "%nsent %d, replies %d (%d not ok) in %.1f s: %.0f req/s; peak in flight %d; heap peak %d MB%n",
        b.sent(),
        b.replies(),
        b.errors(),
        b.seconds(),
        b.requestsPerSecond(),
        b.peakInFlight(),
        b.heapPeakMb());
    out.printf("peak calls in flight in one worker %d%n", b.peakWorkerInFlight());
    out.printf("CPU %.3f ms per request (%.2f cores busy)%n", b.cpuMsPerRequest(), b.cpuCores());
    if (b.heapTroughSlopeMbPerMinute() != null) {
      out.printf(
          "heap after collections: %d MB first window, %d MB last, slope %+.1f MB/min over %d windows of %d s%n",
          b.heap().get(0).minMb(),
          b.heap().get(b.heap().size() - 1).minMb(),
          b.heapTroughSlopeMbPerMinute(),
          b.heap().size(),
          LoadGenerator.HEAP_WINDOW.toSeconds());
    }
    if (b.heapSecondHalfSlopeMbPerMinute() != null) {
      out.printf(
          "heap after collections, second half of the run: slope %+.1f MB/min%n",
          b.heapSecondHalfSlopeMbPerMinute());
    }
    out.printf("%-16s %9s %9s %9s %9s%n", "ms", "p50", "p95", "p99", "max");
    out.printf(
        "%-16s %9.1f %9.1f %9.1f %9.1f%n",
        "reply",
        b.replyLatency().p50(),
        b.replyLatency().p95(),
        b.replyLatency().p99(),
        b.replyLatency().max());
    out.printf(
        "%-16s %9.1f %9.1f %9.1f %9.1f%n",
        "overhead", b.overhead().p50(), b.overhead().p95(), b.overhead().p99(), b.overhead().max());
    b.stages()
        .forEach(
            (stage, p) ->
                out.printf(
                    "  %-14s %9.0f %9.0f %9.0f %9.0f%n",
                    stage, p.p50(), p.p95(), p.p99(), p.max()));
    // The exact share is by weight: where budgets bind, the router moves calls to peers on purpose.
    String byWeight =
        b.rpmWindowMax().isEmpty() && b.tpmWindowMax().isEmpty()
            ? ""
            : " by weight (budgets move calls: see rpm/tpm)";
    b.splitDeviation()
        .forEach(
            (d, dev) ->
                out.printf("split %-20s %+.1f calls from the exact share%s%n", d, dev, byWeight));
    b.rpmWindowMax()
        .forEach(
            (d, v) ->
                out.printf(
                    "rpm   %-20s max %d calls in any 60 s window (rpm %d)%s; %d in any %d s (%s: %d)%s%n",
                    d,
                    v[0],
                    v[1],
                    v[0] > v[1] ? "  OVER" : "",
                    v[2],
                    v[3],
                    v[4] == 1 ? "its rate window's part of the rpm" : "pro rata",
                    (long) v[1] * v[3] / 60,
                    v[4] == 1 && v[2] > (long) v[1] * v[3] / 60 ? "  OVER" : ""));
    b.tpmWindowMax()
        .forEach(
            (d, v) ->
                out.printf(
                    "tpm   %-20s max %d tokens in any 60 s window (tpm %d, as the provider reported usage)%s%n",
                    d, v[0], v[1], v[0] > v[1] ? "  OVER" : ""));
    b.overBudget()
        .forEach(
            (d, n) ->
                out.printf(
                    "over  %-20s %d routes with no budget left anywhere in the router task's share (the worker paced them)%n",
                    d, n));
    printBaseline(out, "at-least-once", b.baselineRecordsPerSecond(), b.ratioToBaseline());
    printBaseline(
        out,
        "exactly-once (transactions, read_committed)",
        b.baselineEosRecordsPerSecond(),
        b.ratioToEosBaseline());
    out.flush();
  }
}
