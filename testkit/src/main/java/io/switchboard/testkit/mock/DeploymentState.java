package io.switchboard.testkit.mock;

import java.util.SplittableRandom;

/**
 * The mutable state of one deployment: its seeded random generator, its call counter (for {@link
 * Behavior#rateLimitEvery()}) and the admission times of its sliding rpm window.
 */
final class DeploymentState {
  static final long WINDOW_MILLIS = 60_000;

  private final SplittableRandom random;
  private long calls;
  private long[] admitted = new long[16];
  private int head;
  private int count;

  DeploymentState(long seed) {
    this.random = new SplittableRandom(seed);
  }

  /**
   * Admits a call at {@code nowMillis} when fewer than {@code rpm} calls were admitted in the last
   * 60 s, and returns 0; otherwise returns the milliseconds until the window frees a slot.
   */
  synchronized long admit(int rpm, long nowMillis) {
    while (count > 0 && nowMillis - admitted[head] >= WINDOW_MILLIS) {
      head = (head + 1) % admitted.length;
      count--;
    }
    if (count >= rpm) {
      return Math.max(1, admitted[head] + WINDOW_MILLIS - nowMillis);
    }
    if (count == admitted.length) {
      long[] bigger = new long[admitted.length * 2];
      for (int i = 0; i < count; i++) {
        bigger[i] = admitted[(head + i) % admitted.length];
      }
      admitted = bigger;
      head = 0;
    }
    admitted[(head + count) % admitted.length] = nowMillis;
    count++;
    return 0;
  }

  /**
   * The window as the provider would announce it after an admission: {@code [admitted, millis until
   * the oldest admission leaves the window]}.
   */
  synchronized long[] window(long nowMillis) {
    long reset = count == 0 ? 0 : Math.max(0, admitted[head] + WINDOW_MILLIS - nowMillis);
    return new long[] {count, reset};
  }

  /** Counts the call and says whether it gets a 429 from {@code every} or {@code probability}. */
  synchronized boolean rateLimited(int every, double probability) {
    calls++;
    return (every > 0 && calls % every == 0)
        || (probability > 0 && random.nextDouble() < probability);
  }

  synchronized boolean draw(double probability) {
    return probability > 0 && random.nextDouble() < probability;
  }

  synchronized long latencyMillis(Latency latency) {
    return Math.max(0, latency.sampleMillis(random));
  }
}
