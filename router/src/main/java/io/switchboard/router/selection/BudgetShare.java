package io.switchboard.router.selection;

/**
 * The part of a deployment's per-minute budget ({@code rpm} or {@code tpm}) that one router task
 * may hand out.
 *
 * <p>Each router task (one per partition of the requests topic, {@code topics.request_partitions})
 * owns {@code 1/tasks} of every budget: {@code floor(limit / tasks)}, and the first {@code limit
 * mod tasks} tasks one more. The shares add up to the limit exactly, so the router never assigns
 * more than the limit in a minute in total, without any coordination between tasks. A task may thus
 * get a share of 0 (rpm 4 over 6 tasks): it then prefers the deployment's peers and, when no peer
 * has budget either, queues on it anyway (the worker paces it).
 */
public final class BudgetShare {
  private BudgetShare() {}

  /**
   * The share of {@code limit} owned by task {@code task} of {@code tasks}; null (no limit) when
   * {@code limit} is null.
   */
  public static Long of(Integer limit, int tasks, int task) {
    if (limit == null) {
      return null;
    }
    if (tasks < 1 || task < 0) {
      throw new IllegalArgumentException(
          "tasks must be >= 1 and task >= 0, were " + tasks + " and " + task);
    }
    long base = limit / tasks;
    return base + (task < limit % tasks ? 1 : 0);
  }
}
