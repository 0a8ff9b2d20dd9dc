package io.switchboard.sandbox;

import io.switchboard.router.metrics.RouterMeter;
import io.switchboard.sandbox.bench.BenchReport;
import io.switchboard.sandbox.bench.ExternalCluster;
import io.switchboard.sandbox.bench.LoadGenerator;
import io.switchboard.sandbox.bench.LongCalls;
import io.switchboard.sandbox.bench.MixedClasses;
import io.switchboard.sandbox.bench.RawKafkaBaseline;
import io.switchboard.sandbox.bench.ReportPrinter;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.json.Json;
import io.switchboard.schemas.topics.Topics;
import io.switchboard.testkit.kafka.InProcessKafkaBroker;
import io.switchboard.testkit.kafka.KafkaBroker;
import io.switchboard.testkit.mock.Behavior;
import io.switchboard.testkit.mock.MockProviderOptions;
import io.switchboard.testkit.process.KafkaServerProcess;
import java.io.PrintWriter;
import java.nio.file.Files;
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
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
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
      "Starts a broker (in this JVM, or in a child JVM with --broker-process), the",
      "mock provider, the router and N workers, drives load (open loop at --rate,",
      "or closed loop with --in-flight outstanding), and reports throughput, reply",
      "latency and overhead percentiles, peak in flight, heap, split deviation and",
      "rpm-window compliance; then the same number of records through three plain",
      "Kafka hops as a baseline, twice: at-least-once (plain producers,",
      "asynchronous commits), then exactly-once as Switchboard commits (the first",
      "hop's transactions every commit.interval.ms, the second's after every poll,",
      "offsets in the transactions, read_committed consumers)."
    })
final class BenchCommand implements Callable<Integer> {
  @Mixin BenchOptions o;

  @Spec CommandSpec spec;

  static final String BENCH_CONFIG = "/bench-config.yaml";

  /** The built-in config of the hidden-limit mode ({@code --real-rpm}). */
  static final String HIDDEN_LIMIT_CONFIG = "/hidden-limit-config.yaml";

  @Override
  public Integer call() throws Exception {
    if (o.warmupInFlight < 0) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--warmup-in-flight must be 0 or more, not " + o.warmupInFlight);
    }
    if (o.warmupInFlight > 0 && o.warmupSeconds == 0) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--warmup-in-flight needs --warmup-seconds");
    }
    if (o.bootstrapServers != null && o.bootstrapServers.isBlank()) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--bootstrap-servers needs host:port[,host:port...]");
    }
    if (o.clusterTimeoutSeconds <= 0) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--cluster-timeout-seconds must be 1 or more, not " + o.clusterTimeoutSeconds);
    }
    if (o.bootstrapServers != null && o.brokerProcess) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--bootstrap-servers and --broker-process exclude each other");
    }
    PrintWriter out = spec.commandLine().getOut();
    if (o.hiddenLimit.realRpm > 0) {
      return HiddenLimitCommand.run(o, spec);
    }
    Behavior behavior = Behavior.ok().withLatencyMs(o.latencyMs);
    ExternalCluster external =
        o.bootstrapServers == null ? null : new ExternalCluster(o.bootstrapServers);
    String suffix = external == null ? null : ExternalCluster.runSuffix();
    Supplier<KafkaBroker> brokers =
        external != null
            ? () -> external
            : o.brokerProcess ? BenchCommand::brokerProcess : InProcessKafkaBroker::start;
    // The client settings of a run on a cluster of the user's: known once the cluster answered.
    AtomicReference<Map<String, String>> onCluster = new AtomicReference<>();
    UnaryOperator<SwitchboardConfig> onExternal =
        external == null
            ? UnaryOperator.identity()
            : c -> {
              external.checkReachable(c.kafka(), Duration.ofSeconds(o.clusterTimeoutSeconds));
              onCluster.set(c.kafka());
              return c.namespaced(suffix);
            };
    MixedClasses mixed =
        o.backlogBatch <= 0
            ? null
            : new MixedClasses(
                o.backlogBatch,
                o.interactive,
                o.deploymentRpm,
                o.interactiveReserve,
                Duration.ofSeconds(o.observeSeconds));
    LongCalls longCalls =
        o.config == null && o.backlogBatch <= 0
            ? LongCalls.of(o.latencyMs, o.inFlight, o.drainSeconds)
            : null;
    UnaryOperator<SwitchboardConfig> speech =
        o.http2 && longCalls == null ? LongCalls::http2 : UnaryOperator.identity();
    UnaryOperator<SwitchboardConfig> adjust =
        longCalls == null
            ? c -> onExternal.apply(speech.apply(c))
            : c -> onExternal.apply(longCalls.adjust().apply(c));
    try {
      Embedded started;
      try {
        started =
            Embedded.start(
                brokers,
                mixed != null ? mixed.writeConfig() : o.config,
                behavior,
                o.workers,
                o.config == null && mixed == null ? BENCH_CONFIG : null,
                adjust,
                MockProviderOptions.defaults().withHttp2(longCalls != null || o.http2));
      } catch (ExternalCluster.UnreachableException e) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("error: " + e.getMessage());
        err.flush();
        return 2;
      }
      try (Embedded embedded = started) {
        return mixed != null
            ? mixed.run(embedded.config(), embedded.mock(), out)
            : run(embedded, out, longCalls);
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

  private int run(Embedded embedded, PrintWriter out, LongCalls longCalls) throws Exception {
    SwitchboardConfig cfg = embedded.config();
    Topics topics = new Topics(cfg.topics());
    // the bench reads call times per deployment only (rpm windows); ids would grow the heap
    embedded.mock().keepRequestIds(false);
    out.printf(
        "bench: %s, mock latency %d ms, %d worker(s), %s%n",
        embedded.broker().describe(),
        o.latencyMs,
        o.workers,
        o.rate > 0
            ? "open loop at " + o.rate + " req/s"
            : "closed loop, " + o.inFlight + " in flight");
    if (longCalls != null) {
      out.println(longCalls.describe());
    } else if (o.http2) {
      out.println("HTTP/2 (h2c) between the worker and the mock provider");
    }
    out.flush();
    Duration drain =
        Duration.ofSeconds(longCalls == null ? o.drainSeconds : longCalls.drainSeconds());
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
      LoadGenerator load = new LoadGenerator(cfg.kafka(), topics, o.model);
      load.lingerMs(o.loadLingerMs);
      if (embedded.broker() instanceof KafkaServerProcess child) {
        load.alsoCountCpuOf(ProcessHandle.of(child.process().pid()).orElseThrow());
      }
      if (o.warmupSeconds > 0) {
        LoadGenerator.Result w =
            o.warmupInFlight > 0
                ? load.run(
                    0, o.warmupInFlight, Duration.ofSeconds(o.warmupSeconds), o.maxRequests, drain)
                : load.run(
                    o.rate, o.inFlight, Duration.ofSeconds(o.warmupSeconds), o.maxRequests, drain);
        out.printf(
            "warm-up: %d requests, %d replies in %.1f s (not counted)%n",
            w.sent(), w.replies(), w.seconds());
        out.flush();
        peakWorkerInFlight.set(0);
      }
      overBudgetBefore = overBudget(embedded); // the warm-up's routes over budget, not counted
      r =
          load.collectEachWindow(o.heapLive)
              .run(o.rate, o.inFlight, Duration.ofSeconds(o.durationSeconds), o.maxRequests, drain);
    } finally {
      sampling.set(false);
      sampler.join();
    }
    Double baselineRate = null;
    Double baselineEosRate = null;
    boolean baselineFailed = false;
    if (o.baseline) {
      byte[] payload = Json.toBytes(DemoCommand.sampleRequest("baseline-request-000000"));
      int records = (int) Math.min(r.sent(), 2_000_000);
      baselineRate =
          RawKafkaBaseline.measure(
              cfg,
              records,
              payload,
              RawKafkaBaseline.Guarantee.AT_LEAST_ONCE,
              out,
              spec.commandLine().getErr());
      baselineEosRate =
          RawKafkaBaseline.measure(
              cfg,
              records,
              payload,
              RawKafkaBaseline.Guarantee.EXACTLY_ONCE,
              out,
              spec.commandLine().getErr());
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
    ReportPrinter.print(out, report);
    if (o.json != null) {
      Files.writeString(o.json, Json.toString(report));
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

  private BenchReport report(
      Embedded embedded,
      SwitchboardConfig cfg,
      LoadGenerator.Result r,
      Double baselineRate,
      Double baselineEosRate,
      long peakWorkerInFlight,
      Map<String, Long> overBudgetBefore) {
    List<DeploymentConfig> candidates = cfg.resolve(o.model);
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
        o.rate > 0 ? "open" : "closed",
        o.latencyMs,
        o.workers,
        r.sent(),
        r.replies(),
        r.errors(),
        r.seconds(),
        rps,
        BenchReport.Percentiles.of(r.replyLatency()),
        BenchReport.Percentiles.of(r.overhead()),
        r.peakInFlight(),
        r.heapPeakMb(),
        peakWorkerInFlight,
        deviation,
        rpm,
        overBudget,
        tpm,
        baselineRate,
        BenchReport.ratio(rps, baselineRate),
        baselineEosRate,
        BenchReport.ratio(rps, baselineEosRate),
        r.replies() > 0 ? 1000 * r.cpuSeconds() / r.replies() : 0,
        r.seconds() > 0 ? r.cpuSeconds() / r.seconds() : 0,
        r.heap(),
        BenchReport.troughSlope(r.heap()),
        BenchReport.secondHalfTroughSlope(r.heap()),
        BenchReport.collectorNames(),
        o.warmupSeconds,
        o.warmupInFlight,
        o.brokerProcess ? r.alsoCountedCpuSeconds() : null,
        BenchReport.stagePercentiles(r),
        embedded.broker().describe());
  }
}
