package io.switchboard.testkit.mock;

import java.util.random.RandomGenerator;

/**
 * How long the mock provider waits before it answers a call that reaches the model. Samples are
 * drawn from the deployment's seeded random generator, so a run with the same seed and the same
 * call order sees the same latencies.
 */
public sealed interface Latency permits Latency.Fixed, Latency.Uniform, Latency.LogNormal {
  /** No added latency: the answer is written as soon as the request is read. */
  Latency NONE = new Fixed(0);

  /** Draws one latency in milliseconds (never negative). */
  long sampleMillis(RandomGenerator random);

  /** Always {@code millis}. */
  static Latency fixed(long millis) {
    return millis == 0 ? NONE : new Fixed(millis);
  }

  /** Uniformly distributed in {@code [minMillis, maxMillis]}. */
  static Latency uniform(long minMillis, long maxMillis) {
    return new Uniform(minMillis, maxMillis);
  }

  /**
   * Log-normally distributed with the given median and 99th percentile, the usual shape of real
   * provider latency (a long right tail).
   */
  static Latency logNormal(long medianMillis, long p99Millis) {
    return new LogNormal(medianMillis, p99Millis);
  }

  /** A constant latency. */
  record Fixed(long millis) implements Latency {
    public Fixed {
      if (millis < 0) {
        throw new IllegalArgumentException("latency millis must be >= 0, was " + millis);
      }
    }

    @Override
    public long sampleMillis(RandomGenerator random) {
      return millis;
    }
  }

  /** A latency uniformly distributed between two bounds, both included. */
  record Uniform(long minMillis, long maxMillis) implements Latency {
    public Uniform {
      if (minMillis < 0 || maxMillis < minMillis) {
        throw new IllegalArgumentException(
            "uniform latency needs 0 <= minMillis <= maxMillis, was min="
                + minMillis
                + " max="
                + maxMillis);
      }
    }

    @Override
    public long sampleMillis(RandomGenerator random) {
      return minMillis == maxMillis ? minMillis : random.nextLong(minMillis, maxMillis + 1);
    }
  }

  /** A log-normal latency given by its median and 99th percentile. */
  record LogNormal(long medianMillis, long p99Millis) implements Latency {
    /** The standard normal quantile of 0.99. */
    private static final double Z99 = 2.3263478740408408;

    public LogNormal {
      if (medianMillis <= 0 || p99Millis < medianMillis) {
        throw new IllegalArgumentException(
            "log-normal latency needs 0 < medianMillis <= p99Millis, was median="
                + medianMillis
                + " p99="
                + p99Millis);
      }
    }

    @Override
    public long sampleMillis(RandomGenerator random) {
      double mu = Math.log(medianMillis);
      double sigma = (Math.log(p99Millis) - mu) / Z99;
      return Math.round(Math.exp(mu + sigma * random.nextGaussian()));
    }
  }
}
