package io.switchboard.schemas.config.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.config.ConfigException;
import io.switchboard.schemas.config.ConfigKey;
import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.RouterSettings;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Which parts of a config a live version carries, and how a process applies one.
 *
 * <p>A version carries the routing sections: {@code model_list}, {@code load_balance_groups}, the
 * three fallback maps and {@code default_fallbacks}, {@code model_group_alias}, {@code
 * routing_strategies} and {@code router_settings} but its {@code application_id} and {@code
 * state_dir}. Everything else is the process's own and stays as its file says: {@code kafka}
 * (client properties, credentials among them, never published), {@code topics}, {@code
 * reply_topics}, {@code worker_settings}, {@code observability}, and the router's application id
 * and state directory.
 */
public final class LiveSections {
  private LiveSections() {}

  /** The top-level keys a version carries. */
  public static final List<String> KEYS =
      Stream.of(
              SwitchboardConfig.MODEL_LIST,
              SwitchboardConfig.LOAD_BALANCE_GROUPS,
              SwitchboardConfig.FALLBACKS,
              SwitchboardConfig.CONTEXT_WINDOW_FALLBACKS,
              SwitchboardConfig.CONTENT_POLICY_FALLBACKS,
              SwitchboardConfig.DEFAULT_FALLBACKS,
              SwitchboardConfig.MODEL_GROUP_ALIAS,
              SwitchboardConfig.ROUTING_STRATEGIES,
              SwitchboardConfig.ROUTER_SETTINGS)
          .map(ConfigKey::name)
          .toList();

  /** The keys of {@code router_settings} that stay the process's own. */
  private static final List<String> PROCESS_ROUTER_KEYS =
      Stream.of(RouterSettings.APPLICATION_ID, RouterSettings.STATE_DIR)
          .map(ConfigKey::name)
          .toList();

  private static final String ROUTER_SETTINGS = SwitchboardConfig.ROUTER_SETTINGS.name();

  /** The body of a version for {@code config}: its live sections in the native JSON form. */
  public static ObjectNode of(SwitchboardConfig config) {
    ObjectNode all = (ObjectNode) Json.tree(config);
    ObjectNode body = Json.mapper().createObjectNode();
    for (String key : KEYS) {
      JsonNode value = all.get(key);
      if (value != null) {
        body.set(key, value);
      }
    }
    if (body.get(ROUTER_SETTINGS) instanceof ObjectNode router) {
      router.remove(PROCESS_ROUTER_KEYS);
    }
    return body;
  }

  /**
   * {@code local} with its live sections replaced by those of {@code body}, checked as a file is at
   * start-up.
   *
   * @param source names the version in errors
   * @throws ConfigException when the body has a section that is not live, or the result is not a
   *     valid config
   */
  public static SwitchboardConfig apply(ObjectNode body, SwitchboardConfig local, String source) {
    List<String> foreign = new ArrayList<>();
    body.fieldNames()
        .forEachRemaining(
            key -> {
              if (!KEYS.contains(key)) {
                foreign.add(key);
              }
            });
    if (!foreign.isEmpty()) {
      throw new ConfigException(
          source
              + ": "
              + String.join(", ", foreign)
              + (foreign.size() == 1 ? " is not a live section" : " are not live sections")
              + "; a version carries only "
              + String.join(", ", KEYS));
    }
    ObjectNode merged = (ObjectNode) Json.tree(local);
    KEYS.forEach(merged::remove);
    body.fields().forEachRemaining(e -> merged.set(e.getKey(), e.getValue().deepCopy()));
    ObjectNode localRouter = (ObjectNode) Json.tree(local).get(ROUTER_SETTINGS);
    ObjectNode router =
        merged.get(ROUTER_SETTINGS) instanceof ObjectNode given
            ? given
            : merged.putObject(ROUTER_SETTINGS);
    router.remove(PROCESS_ROUTER_KEYS);
    for (String key : PROCESS_ROUTER_KEYS) {
      if (localRouter != null && localRouter.get(key) != null) {
        router.set(key, localRouter.get(key));
      }
    }
    return ConfigLoader.fromNativeJson(merged, source);
  }
}
