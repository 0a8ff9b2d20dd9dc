package io.switchboard.sandbox.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;

/**
 * What one benchmark run measured. Latencies in milliseconds.
 *
 * @param mode open (target rate) or closed (fixed in flight)
 * @param providerLatencyMs the mock provider's latency per call
 * @param workers worker instances
 * @param sent requests published
 * @param replies replies read
 * @param errors replies that were not ok
 * @param seconds from the first request sent to the last reply read
 * @param requestsPerSecond replies per second over {@code seconds}
 * @param replyLatency request sent to reply read
 * @param overhead reply latency minus the provider call's latency
 * @param peakInFlight most requests sent and not yet answered at once
 * @param heapPeakMb the largest heap in use seen while running (this JVM: broker, router, workers)
 * @param peakWorkerInFlight the most provider calls in flight at once in one worker, sampled every
 *     10 ms
 * @param splitDeviation per deployment: actual count minus exact share
 * @param rpmWindowMax per deployment with an rpm: the most calls in any 60 s window, the rpm, the
 *     most calls in any short window, that window's seconds (the deployment's {@code
 *     rate_window_seconds}, else 10: how bursty the minute was, as some providers judge the rate
 *     over such short periods), and 1 when the deployment has a rate window, else 0
 * @param overBudget per deployment with an rpm or tpm: the routes the router made to it in the
 *     measured run with no budget left anywhere in the task's share (queued on its lanes)
 * @param tpmWindowMax per deployment with a tpm: the most tokens in any 60 s window, as the mock
 *     provider answered them in usage (prompt plus completion), and the tpm
 * @param baselineRecordsPerSecond records per second through three plain produce/consume hops,
 *     at-least-once ({@link RawKafkaBaseline.Guarantee#AT_LEAST_ONCE})
 * @param ratioToBaseline requestsPerSecond / baselineRecordsPerSecond
 * @param baselineEosRecordsPerSecond records per second through the same three hops exactly-once,
 *     the guarantee Switchboard runs with ({@link RawKafkaBaseline.Guarantee#EXACTLY_ONCE})
 * @param ratioToEosBaseline requestsPerSecond / baselineEosRecordsPerSecond
 * @param cpuMsPerRequest CPU time of the whole process (broker, router, workers, mock, load) per
 *     reply: what a request costs, much less sensitive than throughput to other load on the machine
 * @param cpuCores CPU time over wall time: the cores the process kept busy
 * @param heap the heap in use per window of the run (lowest and highest sample)
 * @param heapTroughSlopeMbPerMinute the least-squares slope of the windows' lowest samples over
 *     time: about 0 when memory is flat, positive when something accumulates
 * @param heapSecondHalfSlopeMbPerMinute the same over the second half of the windows only: a
 *     backlog fills the pipeline's bounded buffers (fetches, lane windows, caches) in its first
 *     part, a step that the whole-run slope mixes with accumulation
 * @param collector this JVM's garbage collectors, as it names them
 * @param warmupSeconds the warm-up before the measured run (0: none)
 * @param warmupInFlight the warm-up's closed loop, or 0 when it ran the measured run's load
 * @param brokerProcessCpuSeconds with the broker in its own JVM ({@code --broker-process}), its
 *     part of the CPU time counted; null when the broker ran in this JVM (heap figures never
 *     include a broker process)
 * @param stages where the reply latency went ({@link LoadGenerator#STAGES}), from the times each
 *     reply carries; millisecond resolution
 * @param broker where the broker ran: in this JVM, in a child JVM, or a cluster the bench did not
 *     start
 */
public record BenchReport(
    String mode,
    long providerLatencyMs,
    int workers,
    long sent,
    long replies,
    long errors,
    double seconds,
    double requestsPerSecond,
    Percentiles replyLatency,
    Percentiles overhead,
    long peakInFlight,
    long heapPeakMb,
    long peakWorkerInFlight,
    Map<String, Double> splitDeviation,
    Map<String, int[]> rpmWindowMax,
    Map<String, Long> overBudget,
    Map<String, long[]> tpmWindowMax,
    Double baselineRecordsPerSecond,
    Double ratioToBaseline,
    Double baselineEosRecordsPerSecond,
    Double ratioToEosBaseline,
    double cpuMsPerRequest,
    double cpuCores,
    List<LoadGenerator.HeapWindow> heap,
    Double heapTroughSlopeMbPerMinute,
    Double heapSecondHalfSlopeMbPerMinute,
    String collector,
    int warmupSeconds,
    int warmupInFlight,
    Double brokerProcessCpuSeconds,
    Map<String, Percentiles> stages,
    String broker) {

  /** A latency distribution summary. */
  public record Percentiles(double p50, double p95, double p99, double max) {
    /** The percentiles of a histogram recorded in microseconds, in milliseconds. */
    public static Percentiles of(Histogram h) {
      return new Percentiles(
          h.getValueAtPercentile(50) / 1000.0,
          h.getValueAtPercentile(95) / 1000.0,
          h.getValueAtPercentile(99) / 1000.0,
          h.getMaxValue() / 1000.0);
    }
  }

  /** The percentiles of each stage of the path. */
  public static Map<String, Percentiles> stagePercentiles(LoadGenerator.Result r) {
    Map<String, Percentiles> stages = new LinkedHashMap<>();
    r.stages().forEach((stage, h) -> stages.put(stage, Percentiles.of(h)));
    return stages;
  }

  /** {@code rps} over the baseline's rate, or null without a baseline. */
  public static Double ratio(double rps, Double baselineRate) {
    return baselineRate == null || baselineRate == 0 ? null : rps / baselineRate;
  }

  /** The garbage collectors of this JVM, by name. */
  public static String collectorNames() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream()
        .map(GarbageCollectorMXBean::getName)
        .collect(Collectors.joining(", "));
  }

  /** {@link #troughSlope} of the second half of the windows. */
  public static Double secondHalfTroughSlope(List<LoadGenerator.HeapWindow> heap) {
    return troughSlope(heap.subList(heap.size() / 2, heap.size()));
  }

  /**
   * The least-squares slope of the windows' lowest heap samples, in MB per minute; null below three
   * windows.
   */
  public static Double troughSlope(List<LoadGenerator.HeapWindow> heap) {
    int n = heap.size();
    if (n < 3) {
      return null;
    }
    double mt = heap.stream().mapToDouble(LoadGenerator.HeapWindow::atSeconds).average().orElse(0);
    double mm = heap.stream().mapToDouble(LoadGenerator.HeapWindow::minMb).average().orElse(0);
    double num = 0;
    double den = 0;
    for (LoadGenerator.HeapWindow w : heap) {
      num += (w.atSeconds() - mt) * (w.minMb() - mm);
      den += (w.atSeconds() - mt) * (w.atSeconds() - mt);
    }
    return den == 0 ? null : 60 * num / den;
  }
}
