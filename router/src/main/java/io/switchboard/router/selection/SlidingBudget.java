package io.switchboard.router.selection;

import java.util.Arrays;

/**
 * What one router task has handed a deployment out of its budget share lately: requests and
 * estimated tokens per second, over the last {@value #SPAN_SECONDS} seconds.
 *
 * <p>A use made at any time in second {@code s} counts until second {@code s + SPAN_SECONDS}
 * begins, so for at least {@code SPAN_SECONDS - 1} = 62 seconds. That is on purpose longer than the
 * worker's pacing window (61 s, {@code LanePacer}): a sliding budget as long as the worker's window
 * would leave the worker no slack at all under sustained load, and any jitter between the router's
 * decision and the worker's call (commits, fetches, a busy machine) would queue calls on the lane
 * for good. Per-minute budgets were worse: they let a task spend a whole minute's share at the
 * start of the minute and the next one right after it. The cost is that a deployment kept busy by
 * the router alone gets less than its rpm: 60 s of every 62.5 on average by the window, 94% in a
 * 300 s benchmark (docs/benchmarks.md, "rpm compliance"); the worker still fills the rest with
 * requests queued on its lanes.
 *
 * <p>For a deployment with a rate window ({@code rate_window_seconds}) it also counts requests per
 * tenth of a second over {@code windowTenths}: a use made in tenth {@code t} counts there until
 * tenth {@code t + windowTenths} begins, so for {@code windowTenths - 1} to {@code windowTenths}
 * tenths ({@link #recentRequests}). Tenths rather than seconds, so that the shortest time a use
 * counts can be set just above the worker's window for the same seconds: with seconds, a use made
 * at the end of a second would count for barely more than the window.
 *
 * <p>Stored as {@code [newest second, requests per second..., tokens per second...]}, followed,
 * with a rate window, by {@code [newest tenth, requests per tenth...]}; not thread-safe (a task
 * owns its budgets).
 */
public final class SlidingBudget {
  /** Seconds of uses kept: a use counts for 62 to 63 s. */
  public static final int SPAN_SECONDS = 63;

  private long newestSecond;
  private final long[] requests = new long[SPAN_SECONDS];
  private final long[] tokens = new long[SPAN_SECONDS];
  private long requestTotal;
  private long tokenTotal;
  private long newestTenth = Long.MIN_VALUE;
  private final long[] recent;
  private long recentTotal;

  private static final int MINUTE_COUNTS = 1 + 2 * SPAN_SECONDS;

  /** An empty budget without a rate window. */
  public SlidingBudget() {
    this(0);
  }

  /**
   * An empty budget that also counts requests over the last {@code windowTenths} tenths of a second
   * (0: no rate window).
   */
  public SlidingBudget(int windowTenths) {
    if (windowTenths < 0 || windowTenths > 10 * SPAN_SECONDS) {
      throw new IllegalArgumentException(
          "windowTenths must be 0.." + 10 * SPAN_SECONDS + ", was " + windowTenths);
    }
    this.newestSecond = Long.MIN_VALUE;
    this.recent = new long[windowTenths];
  }

  /**
   * A budget without a rate window from {@link #toCounts()}; see {@link #fromCounts(long[], int)}.
   */
  public static SlidingBudget fromCounts(long[] counts) {
    return fromCounts(counts, 0);
  }

  /**
   * The budget {@link #toCounts()} wrote, with a rate window of {@code windowTenths}. The minute's
   * counts come back from any value that has them; the rate window's only from a value written with
   * the same {@code windowTenths} (after a change of {@code rate_window_seconds} it starts empty);
   * anything else reads as empty.
   */
  public static SlidingBudget fromCounts(long[] counts, int windowTenths) {
    SlidingBudget budget = new SlidingBudget(windowTenths);
    if (counts == null || counts.length < MINUTE_COUNTS || counts.length == MINUTE_COUNTS + 1) {
      return budget;
    }
    budget.newestSecond = counts[0];
    System.arraycopy(counts, 1, budget.requests, 0, SPAN_SECONDS);
    System.arraycopy(counts, 1 + SPAN_SECONDS, budget.tokens, 0, SPAN_SECONDS);
    budget.requestTotal = Arrays.stream(budget.requests).sum();
    budget.tokenTotal = Arrays.stream(budget.tokens).sum();
    if (windowTenths > 0 && counts.length == MINUTE_COUNTS + 1 + windowTenths) {
      budget.newestTenth = counts[MINUTE_COUNTS];
      System.arraycopy(counts, MINUTE_COUNTS + 1, budget.recent, 0, windowTenths);
      budget.recentTotal = Arrays.stream(budget.recent).sum();
    }
    return budget;
  }

  /** The form kept in the budget store. */
  public long[] toCounts() {
    long[] counts = new long[MINUTE_COUNTS + (recent.length > 0 ? 1 + recent.length : 0)];
    counts[0] = newestSecond;
    System.arraycopy(requests, 0, counts, 1, SPAN_SECONDS);
    System.arraycopy(tokens, 0, counts, 1 + SPAN_SECONDS, SPAN_SECONDS);
    if (recent.length > 0) {
      counts[MINUTE_COUNTS] = newestTenth;
      System.arraycopy(recent, 0, counts, MINUTE_COUNTS + 1, recent.length);
    }
    return counts;
  }

  /**
   * Requests handed out in the rate window at {@code nowMs}: over the last {@code windowTenths}
   * tenths of a second, the current one included.
   *
   * @throws IllegalStateException for a budget without a rate window
   */
  public long recentRequests(long nowMs) {
    if (recent.length == 0) {
      throw new IllegalStateException("this budget has no rate window");
    }
    advanceRecent(Math.floorDiv(nowMs, 100L));
    return recentTotal;
  }

  /** Requests handed out that still count at {@code nowMs}. */
  public long requests(long nowMs) {
    advance(second(nowMs));
    return requestTotal;
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
    if (recent.length > 0) {
      advanceRecent(Math.floorDiv(nowMs, 100L));
      recent[(int) Math.floorMod(newestTenth, (long) recent.length)]++;
      recentTotal++;
    }
  }

  /** True when nothing counts any more at {@code nowMs} (the store entry can go). */
  public boolean isEmpty(long nowMs) {
    advance(second(nowMs));
    return requestTotal == 0 && tokenTotal == 0;
  }

  /**
   * Moves the window to {@code second}, dropping the seconds that left it; time never goes back.
   */
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

  /** As {@link #advance}, for the rate window's tenths. */
  private void advanceRecent(long tenth) {
    if (newestTenth == Long.MIN_VALUE || tenth - newestTenth >= recent.length) {
      Arrays.fill(recent, 0);
      recentTotal = 0;
      newestTenth = Math.max(tenth, newestTenth);
      return;
    }
    while (newestTenth < tenth) {
      newestTenth++;
      int slot = (int) Math.floorMod(newestTenth, (long) recent.length);
      recentTotal -= recent[slot];
      recent[slot] = 0;
    }
  }

  private static long second(long ms) {
    return Math.floorDiv(ms, 1000L);
  }

  private static int slot(long second) {
    return (int) Math.floorMod(second, (long) SPAN_SECONDS);
  }
}
