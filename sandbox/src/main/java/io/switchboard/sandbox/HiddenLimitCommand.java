package io.switchboard.sandbox;

import io.switchboard.sandbox.bench.HiddenLimitBench;
import io.switchboard.testkit.kafka.InProcessKafkaBroker;
import io.switchboard.testkit.mock.Behavior;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** {@code switchboard bench --real-rpm N}: the hidden-limit mode, run and printed. */
final class HiddenLimitCommand {
  private HiddenLimitCommand() {}

  static int run(BenchOptions o, CommandSpec spec) throws InterruptedException {
    BenchOptions.HiddenLimit h = o.hiddenLimit;
    PrintWriter out = spec.commandLine().getOut();
    try (Embedded embedded =
        Embedded.start(
            InProcessKafkaBroker::start,
            o.config,
            Behavior.ok(),
            o.workers,
            o.config == null ? BenchCommand.HIDDEN_LIMIT_CONFIG : null)) {
      Integer configured =
          embedded.config().deployment(h.deployment).map(d -> d.rpm()).orElse(null);
      if (configured == null) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--deployment " + h.deployment + " needs an rpm in the config");
      }
      HiddenLimitBench.Options options;
      try {
        options =
            new HiddenLimitBench.Options(
                h.deployment,
                h.realRpm,
                h.raisedRpm == null ? configured : h.raisedRpm,
                Duration.ofSeconds(h.riseAfterSeconds),
                Duration.ofSeconds(h.afterRiseSeconds),
                h.headers,
                Duration.ofMillis(o.latencyMs));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
      out.printf(
          Locale.ROOT,
          "hidden limit: %s configured at rpm %d, the mock admits %d, then %d after %d s; "
              + "rate-limit headers %s; %d worker(s)%n",
          h.deployment,
          configured,
          options.realRpm(),
          options.raisedRpm(),
          h.riseAfterSeconds,
          h.headers ? "on" : "off",
          o.workers);
      out.flush();
      HiddenLimitBench.Result r = HiddenLimitBench.run(embedded.config(), embedded.mock(), options);
      print(out, r);
    }
    return 0;
  }

  static void print(PrintWriter out, HiddenLimitBench.Result r) {
    HiddenLimitBench.Options o = r.options();
    out.printf(
        Locale.ROOT,
        "offered: %.0f requests/min; calls at the mock: %d%n",
        r.offeredPerMinute(),
        r.calls());
    out.printf(
        Locale.ROOT,
        "whole minutes from %d s to the rise: %d calls, 429 share %.2f%%, admitted %.1f/min = %.1f%% of the real limit %d%n",
        o.settle().toSeconds(),
        r.settledCalls(),
        100 * r.settledLimitedShare(),
        r.settledAdmittedPerMinute(),
        100 * r.settledThroughputShare(),
        o.realRpm());
    out.printf(
        Locale.ROOT,
        "raised to %d: 90%% of it within %s; whole minutes from a minute after the rise: %d calls, 429 share %.2f%%, "
            + "admitted %.1f/min = %.1f%% of it%n",
        o.raisedRpm(),
        r.followSeconds() < 0 ? "never" : r.followSeconds() + " s",
        r.raisedCalls(),
        100 * r.raisedLimitedShare(),
        r.raisedAdmittedPerMinute(),
        100 * r.raisedThroughputShare());
    StringBuilder line =
        new StringBuilder("per " + HiddenLimitBench.TIMELINE_SECONDS + " s (calls/429s/admitted):");
    for (int[] row : r.timeline()) {
      line.append(' ').append(row[0]).append('/').append(row[1]).append('/').append(row[2]);
    }
    out.println(line);
    out.printf(
        Locale.ROOT,
        "load average at the end: %.2f%n",
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    out.flush();
  }
}
