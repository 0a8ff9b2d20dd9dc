package io.switchboard.router.selection;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * When this router task sent requests to each deployment, over the last {@code horizon}: what
 * least-busy adds to the workers' in-flight counts, which only show a dispatch from the workers'
 * next report on. Without it, every request between two reports would go to the deployment that was
 * least busy at the last one. Kept in memory only: after a restart the next reports tell.
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

  /**
   * Requests sent to the deployment at or after {@code fromMs} (a report published in the same
   * millisecond may not have seen them) and within the horizon before {@code nowMs}.
   */
  int since(String deploymentId, long fromMs, long nowMs) {
    Deque<Long> times = picks.get(deploymentId);
    if (times == null) {
      return 0;
    }
    int n = 0;
    Iterator<Long> newestFirst = times.descendingIterator();
    while (newestFirst.hasNext()) {
      long t = newestFirst.next();
      if (t < fromMs || t <= nowMs - horizonMs) {
        break;
      }
      n++;
    }
    return n;
  }
}
