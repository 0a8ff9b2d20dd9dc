package io.switchboard.app.bench;

import java.util.Map;

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
 * @param peakWorkerInFlight the most provider calls in flight at once in one worker, sampled every 10 ms
 * @param splitDeviation per deployment: actual count minus exact share
 * @param rpmWindowMax per deployment with an rpm: the most calls in any 60 s window, and the rpm
 * @param baselineRecordsPerSecond records per second through three plain produce/consume hops
 * @param ratioToBaseline requestsPerSecond / baselineRecordsPerSecond
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
    Double baselineRecordsPerSecond,
    Double ratioToBaseline) {

  /** A latency distribution summary. */
  public record Percentiles(double p50, double p95, double p99, double max) {}
}
