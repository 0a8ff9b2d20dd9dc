package io.switchboard.router.selection;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * When this router task sent requests to each deployment, over the last {@code horizon}: what
 * least-busy adds to the workers' in-flight counts, which only show a dispatch from the workers'
 * next report on. Without it, every request between two reports would go to the deployment that
 * was least busy at the last one. Kept in memory only: after a restart the next reports tell.
 */
final class RecentPicks {
  private final long horizonMs;
  private final Map<String, Deque<Long>> picks = new HashMap<>();

  RecentPicks(long horizonMs) {
    this.horizonMs = horizonMs;
  }

  void record(String deploymentId, long nowMs) {
    Deque<Long> times = picks.computeIfAbsent(deploymentId, id -> new ArrayDeque<>());
    times.addLast(nowMs);
    while (times.peekFirst() <= nowMs - horizonMs) {
      times.pollFirst();
    }
  }

  /** Requests sent to the deployment after {@code afterMs} and within the horizon before {@code nowMs}. */
  int since(String deploymentId, long afterMs, long nowMs) {
    Deque<Long> times = picks.get(deploymentId);
    if (times == null) {
      return 0;
    }
    long from = Math.max(afterMs, nowMs - horizonMs);
    int n = 0;
    for (Iterator<Long> it = times.descendingIterator(); it.hasNext() && it.next() > from; ) {
      n++;
    }
    return n;
  }
}
