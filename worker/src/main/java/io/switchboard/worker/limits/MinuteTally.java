package io.switchboard.worker.limits;

/**
 * Amounts added over the last minute, by the second: what a sliding minute holds, in constant
 * memory however many calls a deployment makes. Not thread-safe: its owner locks.
 */
final class MinuteTally {
  private static final int SECONDS = 60;

  private final long[] second = new long[SECONDS];
  private final long[] amount = new long[SECONDS];

  /** Adds {@code n} at {@code nowMs}. */
  void add(long n, long nowMs) {
    long s = Math.floorDiv(nowMs, 1000);
    int i = (int) Math.floorMod(s, SECONDS);
    if (second[i] != s) {
      second[i] = s;
      amount[i] = 0;
    }
    amount[i] += n;
  }

  /** What was added within the minute before {@code nowMs} (to the second). */
  long within(long nowMs) {
    long s = Math.floorDiv(nowMs, 1000);
    long sum = 0;
    for (int i = 0; i < SECONDS; i++) {
      if (second[i] > s - SECONDS && second[i] <= s) {
        sum += amount[i];
      }
    }
    return sum;
  }
}
