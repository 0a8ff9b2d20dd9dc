package io.switchboard.router.internal;

import io.switchboard.schemas.topics.LanePlan;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The lane plans of the recent config versions, by version number. A dispatch goes to the lanes of
 * the version it was routed by: the router's tasks move to a new version one by one, each between
 * two records, so the plan of the newest version may not have the lanes of a dispatch routed by the
 * one before. Thread-safe: every task of the router registers and looks up here.
 */
public final class LanePlans {
  /** Versions kept: far more than tasks can lag behind while versions come seconds apart. */
  private static final int KEPT = 16;

  private final Map<Long, LanePlan> byVersion =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, LanePlan> eldest) {
          return size() > KEPT;
        }
      };

  private LanePlan newest;

  /** Plans with {@code plan} as version 0's. */
  public LanePlans(LanePlan plan) {
    register(0, plan);
  }

  /** Records the plan of {@code version}. */
  public synchronized void register(long version, LanePlan plan) {
    byVersion.put(version, plan);
    newest = plan;
  }

  /**
   * The plan of {@code version} (null: 0); the newest registered one for a version no longer or not
   * yet known.
   */
  public synchronized LanePlan of(Long version) {
    LanePlan plan = byVersion.get(version == null ? 0L : version);
    return plan != null ? plan : newest;
  }
}
