package io.switchboard.router.internal;

/**
 * The names of the router topology's sources, processors, sinks and state stores: the topology
 * wires its nodes by them and the processors look their stores and sinks up by them.
 */
public final class TopologyNames {
  public static final String REQUESTS_SOURCE = "requests";
  public static final String FALLBACKS_SOURCE = "fallbacks";
  public static final String HEALTH_SOURCE = "health";
  public static final String ROUTING = "routing";
  public static final String HEALTH_UPDATER = "health-updater";
  public static final String DISPATCH_SINK = "dispatch-sink";
  public static final String REPLY_SINK = "reply-sink";
  public static final String DEAD_LETTER_SINK = "dead-letter-sink";

  /** Weighted round robin pick counts, per candidate set. */
  public static final String ROTATION_STORE = "rotation-store";

  /** Requests and tokens handed out per deployment and minute, this task's share. */
  public static final String BUDGET_STORE = "budget-store";

  /** Requests waiting for a cooldown to end, ordered by release time. */
  public static final String HOLD_STORE = "hold-store";

  /** Latest {@code DeploymentHealth} per deployment id (global). */
  public static final String HEALTH_STORE = "health-store";

  private TopologyNames() {}
}
