package io.switchboard.router.selection;

import java.util.Arrays;

/**
 * What one router task has handed a deployment out of its budget share lately: requests and
 * estimated tokens per second, over the last {@value #SPAN_SECONDS} seconds.
 *
 * <p>A use made at any time in second {@code s} counts until second {@code s + SPAN_SECONDS}
 * begins, so for at least {@code SPAN_SECONDS - 1} = 62 seconds. That is on purpose longer than
 * the worker's pacing window (61 s, {@code LanePacer}): a sliding budget as long as the worker's
 * window would leave the worker no slack at all under sustained load, and any jitter between the
 * router's decision and the worker's call (commits, fetches, a busy machine) would queue calls on
 * the lane for good. Per-minute budgets were worse: they let a task spend a whole minute's share
 * at the start of the minute and the next one right after it. The cost is that a deployment kept
 * busy by the router alone gets less than its rpm: 60 s of every 62.5 on average by the window,
 * 94% in a 300 s benchmark (docs/benchmarks.md, "rpm compliance"); the worker still fills the
 * rest with requests queued on its lanes.
 *
 * <p>Stored as {@code [newest second, requests per second..., tokens per second...]}; not
 * thread-safe (a task owns its budgets).
 */
public final class SlidingBudget {
  /** Seconds of uses kept: a use counts for 62 to 63 s. */
  public static final int SPAN_SECONDS = 63;

  private long newestSecond;
  private final long[] requests = new long[SPAN_SECONDS];
  private final long[] tokens = new long[SPAN_SECONDS];
  private long requestTotal;
  private long tokenTotal;

  /** An empty budget. */
  public SlidingBudget() {
    this.newestSecond = Long.MIN_VALUE;
  }

  /** The budget {@link #toCounts()} wrote, or an empty one for anything else (e.g. an older store value). */
  public static SlidingBudget fromCounts(long[] counts) {
    SlidingBudget budget = new SlidingBudget();
    if (counts == null || counts.length != 1 + 2 * SPAN_SECONDS) {
      return budget;
    }
    budget.newestSecond = counts[0];
    System.arraycopy(counts, 1, budget.requests, 0, SPAN_SECONDS);
    System.arraycopy(counts, 1 + SPAN_SECONDS, budget.tokens, 0, SPAN_SECONDS);
    budget.requestTotal = Arrays.stream(budget.requests).sum();
    budget.tokenTotal = Arrays.stream(budget.tokens).sum();
    return budget;
  }

  /** The form kept in the budget store. */
  public long[] toCounts() {
    long[] counts = new long[1 + 2 * SPAN_SECONDS];
    counts[0] = newestSecond;
    System.arraycopy(requests, 0, counts, 1, SPAN_SECONDS);
    System.arraycopy(tokens, 0, counts, 1 + SPAN_SECONDS, SPAN_SECONDS);
    return counts;
  }

  /** Requests handed out that still count at {@code nowMs}. */
  public long requests(long nowMs) {
    advance(second(nowMs));
    return requestTotal;
  }

  /**
   * Requests handed out in the last {@code seconds} seconds at {@code nowMs}, the current second
   * included (a use counts here for {@code seconds - 1} to {@code seconds} s).
   */
  public long recentRequests(long nowMs, int seconds) {
    if (seconds < 1 || seconds > SPAN_SECONDS) {
      throw new IllegalArgumentException("seconds must be 1.." + SPAN_SECONDS + ", was " + seconds);
    }
    advance(second(nowMs));
    long sum = 0;
    for (int i = 0; i < seconds; i++) {
      sum += requests[slot(newestSecond - i)];
    }
    return sum;
  }

  /** Estimated tokens handed out that still count at {@code nowMs}. */
  public long tokens(long nowMs) {
    advance(second(nowMs));
    return tokenTotal;
  }

  /** Counts one request of {@code estimatedTokens} at {@code nowMs}. */
  public void spend(long nowMs, long estimatedTokens) {
    long second = second(nowMs);
    advance(second);
    int slot = slot(newestSecond);
    requests[slot]++;
    tokens[slot] += estimatedTokens;
    requestTotal++;
    tokenTotal += estimatedTokens;
  }

  /** True when nothing counts any more at {@code nowMs} (the store entry can go). */
  public boolean isEmpty(long nowMs) {
    advance(second(nowMs));
    return requestTotal == 0 && tokenTotal == 0;
  }

  /** Moves the window to {@code second}, dropping the seconds that left it; time never goes back. */
  private void advance(long second) {
    if (newestSecond == Long.MIN_VALUE || second - newestSecond >= SPAN_SECONDS) {
      Arrays.fill(requests, 0);
      Arrays.fill(tokens, 0);
      requestTotal = 0;
      tokenTotal = 0;
      newestSecond = second;
      return;
    }
    while (newestSecond < second) {
      newestSecond++;
      int slot = slot(newestSecond);
      requestTotal -= requests[slot];
      tokenTotal -= tokens[slot];
      requests[slot] = 0;
      tokens[slot] = 0;
    }
  }

  private static long second(long ms) {
    return Math.floorDiv(ms, 1000L);
  }

  private static int slot(long second) {
    return (int) Math.floorMod(second, (long) SPAN_SECONDS);
  }
}
