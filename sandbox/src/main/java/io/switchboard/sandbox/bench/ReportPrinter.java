package io.switchboard.sandbox.bench;

import java.io.PrintWriter;

/** The bench report as the terminal shows it. */
public final class ReportPrinter {
  private ReportPrinter() {}

  /** Prints {@code b} for a person: totals, percentiles, split, budgets, baselines. */
  public static void print(PrintWriter out, BenchReport b) {
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
    if (!b.heap().isEmpty()) {
      out.printf(
          "live heap at most %d MB (the highest of the %d s windows' lowest samples: the live heap with --heap-live)%n",
          b.heap().stream().mapToLong(LoadGenerator.HeapWindow::minMb).max().orElse(0),
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
}
