package io.switchboard.schemas.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.switchboard.schemas.Priority;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code priority_reserve}, in {@code router_settings} (the default) and on a deployment (which
 * replaces it): the fraction of a deployment's rpm and tpm held for each class, written {@code
 * {batch: 0.1, interactive: 0.05}}. The one rule of how classes share a budget lives here, for the
 * router's budgets and the worker's pacers alike:
 *
 * <ul>
 *   <li>A class's reserve, {@code floor(fraction * limit)} of a window's limit, is held for it in
 *       every window: the other classes may not use the part of it the class has not used, so a
 *       reserve costs the others its size even while its class is idle. That is what lets a class
 *       be served at once when another has filled the window, and what keeps batch from starving
 *       when interactive traffic saturates the deployment.
 *   <li>The rest of the window is shared; who gets it is decided by the order in which dispatches
 *       are served (interactive first, then default, then batch), not here.
 * </ul>
 *
 * <p>Without a reserve (the default) the classes share the whole budget in priority order.
 *
 * @param fractions the fraction held for each class that has one, each 0..1, summing below 1
 */
public record PriorityReserve(Map<Priority, Double> fractions) {
  /** No class has a reserve. */
  public static final PriorityReserve NONE = new PriorityReserve(Map.of());

  public PriorityReserve {
    EnumMap<Priority, Double> copy = new EnumMap<>(Priority.class);
    copy.putAll(fractions);
    fractions = Map.copyOf(copy);
  }

  /**
   * The reserve as written in YAML and JSON: class names to fractions.
   *
   * @throws IllegalArgumentException naming a class name that is none
   */
  @JsonCreator
  public static PriorityReserve fromWire(Map<String, Double> byName) {
    Map<Priority, Double> fractions = new EnumMap<>(Priority.class);
    if (byName != null) {
      byName.forEach((name, fraction) -> fractions.put(Priority.fromName(name), fraction));
    }
    return new PriorityReserve(fractions);
  }

  /** The class names and fractions, highest class first. */
  @JsonValue
  public Map<String, Double> wire() {
    Map<String, Double> byName = new LinkedHashMap<>();
    for (Priority p : Priority.values()) {
      if (fractions.containsKey(p)) {
        byName.put(p.wire(), fractions.get(p));
      }
    }
    return byName;
  }

  /**
   * {@code reserve} checked, or {@link #NONE} for null: every fraction a number from 0 to 1, their
   * sum below 1 (some of the budget stays shared).
   *
   * @param at the key's path, for the error ({@code router_settings.priority_reserve})
   * @throws ConfigException naming the key and the bad value
   */
  static PriorityReserve checked(PriorityReserve reserve, String at) {
    if (reserve == null) {
      return NONE;
    }
    double sum = 0;
    for (Map.Entry<String, Double> e : reserve.wire().entrySet()) {
      Double f = e.getValue();
      if (f == null || !(f >= 0 && f <= 1)) {
        throw new ConfigException(
            at + "." + e.getKey() + ": " + f + " is not a fraction of the budget (0 to 1)");
      }
      sum += f;
    }
    if (!(sum < 1)) {
      throw new ConfigException(
          at + ": the reserves " + reserve.wire() + " sum to " + sum + "; they must sum below 1");
    }
    return reserve;
  }

  /**
   * The reserve that applies to {@code deployment}: its own {@code priority_reserve}, else {@code
   * router_settings.priority_reserve}.
   */
  public static PriorityReserve of(SwitchboardConfig config, DeploymentConfig deployment) {
    PriorityReserve own = deployment.priorityReserve();
    return own != null ? own : config.routerSettings().priorityReserve();
  }

  /** Whether no class has a reserve above 0. */
  public boolean isNone() {
    return fractions.values().stream().allMatch(f -> f == 0);
  }

  /** The part of a window's {@code limit} held for {@code priority}: its fraction, rounded down. */
  public long reserved(Priority priority, long limit) {
    return (long) Math.floor(fractions.getOrDefault(priority, 0.0) * limit);
  }

  /**
   * What a window of {@code limit} must keep free for the classes other than {@code priority}: the
   * part of their reserves they have not used.
   *
   * @param used what each class has used in the window, by {@link Priority#ordinal()}
   */
  public long heldFromOthers(Priority priority, long[] used, long limit) {
    long held = 0;
    for (Priority other : Priority.values()) {
      if (other != priority) {
        held += Math.max(0, reserved(other, limit) - used[other.ordinal()]);
      }
    }
    return held;
  }

  /**
   * What {@code priority} may use of a window of {@code limit} when no other class has used any:
   * the limit less the other classes' reserves.
   */
  public long availableTo(Priority priority, long limit) {
    return limit - heldFromOthers(priority, new long[Priority.values().length], limit);
  }
}
