package io.switchboard.schemas.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * How the router chooses among the eligible deployments of a candidate set ({@code
 * router_settings.routing_strategy}, per alias or group {@code routing_strategies}). Every strategy
 * only chooses among the deployments that survived the same filtering (failed, weight 0, context
 * window, cooldown, budget); ties go to the weighted rotation. LiteLLM's names are accepted as
 * aliases and read as the strategy they name.
 */
public enum RoutingStrategy {
  /**
   * The configured weights, split exactly by the weighted rotation (LiteLLM: {@code
   * simple-shuffle}).
   */
  WEIGHTED("weighted", "simple-shuffle"),
  /**
   * The fewest dispatches in flight, as the workers report them and this router task sent since.
   */
  LEAST_BUSY("least-busy"),
  /**
   * The lowest share of rpm, rate window and tpm used in the current window, this request included.
   */
  USAGE_BASED("usage-based", "usage-based-routing", "usage-based-routing-v2"),
  /** The lowest recent latency, merged over every worker's reports. */
  LATENCY_BASED("latency-based", "latency-based-routing");

  private final String wire;
  private final List<String> aliases;

  RoutingStrategy(String wire, String... aliases) {
    this.wire = wire;
    this.aliases = List.of(aliases);
  }

  /** The name the config writes, and the one a parsed config shows. */
  @JsonValue
  public String wire() {
    return wire;
  }

  /** Every name accepted in config, each strategy's own name before its aliases. */
  public static List<String> names() {
    return Arrays.stream(values())
        .flatMap(s -> Stream.concat(Stream.of(s.wire), s.aliases.stream()))
        .toList();
  }

  /**
   * The strategy a config name stands for: its own name or one of LiteLLM's.
   *
   * @throws ConfigException naming the value and every accepted name when it is none of them
   */
  @JsonCreator
  public static RoutingStrategy fromName(String name) {
    for (RoutingStrategy s : values()) {
      if (s.wire.equals(name) || s.aliases.contains(name)) {
        return s;
      }
    }
    throw new ConfigException("'" + name + "' is not a routing strategy; one of " + names());
  }
}
