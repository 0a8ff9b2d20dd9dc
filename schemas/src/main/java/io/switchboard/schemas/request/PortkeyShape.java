package io.switchboard.schemas.request;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * A Portkey config given inline as {@code config}.
 *
 * <ul>
 *   <li>{@code strategy.mode} {@code loadbalance} or {@code fallback} over {@code targets}, nested
 *       as {@link PortkeyRoute} allows, becomes {@code model} or {@code load_balancer}, and {@code
 *       fallbacks}. A target's {@code weight} defaults to 1, as in Portkey;
 *   <li>{@code override_params.model} names a target's model (alias or deployment id); it and the
 *       other override params are inherited by nested targets. The sampling params ({@link
 *       #BODY_PARAMS}) are set in the body, which every target shares, so they must come out the
 *       same for every target;
 *   <li>{@code retry.attempts} becomes {@code num_retries}, {@code request_timeout} (milliseconds)
 *       {@code timeout_ms}, both at the top of the config only; {@code retry.on_status_codes} is
 *       refused (see {@link NativeFields#retries}).
 * </ul>
 *
 * Credentials ({@code api_key}, {@code virtual_key}, {@code provider}), {@code custom_host}, {@code
 * strategy.on_status_codes}, conditional routing and every other field are refused, naming the
 * field. A config id (a string) cannot be looked up and is refused.
 */
final class PortkeyShape {
  static final String FIELD = "config";

  /**
   * Override params that may be set in the body: they change sampling, not where or how a request
   * goes.
   */
  static final Set<String> BODY_PARAMS =
      Set.of(
          "temperature",
          "top_p",
          "max_tokens",
          "max_completion_tokens",
          "stop",
          "presence_penalty",
          "frequency_penalty",
          "seed",
          "user");

  private static final String PATH = "/" + FIELD;
  private static final Set<String> ROOT_FIELDS =
      Set.of("strategy", "targets", "override_params", "retry", "request_timeout");
  private static final Set<String> TARGET_FIELDS =
      Set.of("strategy", "targets", "override_params", "weight", "name");
  private static final Set<String> STRATEGY_FIELDS = Set.of("mode");
  private static final String WHAT = "a Portkey config";

  /** The targets that route to a model, with the override params each ends up with. */
  private final List<Leaf> leaves = new ArrayList<>();

  private record Leaf(String path, Map<String, JsonNode> params) {}

  /** What a target inherits from the targets around it. */
  private record Inherited(String model, Map<String, JsonNode> params) {}

  private PortkeyShape() {}

  static void read(JsonNode node, NativeFields fields) throws RequestShapeException {
    if (node != null && node.isTextual()) {
      throw new RequestShapeException(
          PATH,
          "is a saved config's id, which cannot be looked up here; give the config"
              + " object inline");
    }
    ObjectNode config = Fields.object(node, PATH);
    Fields.only(config, PATH, ROOT_FIELDS, WHAT);
    new PortkeyShape().readConfig(config, fields);
  }

  private void readConfig(ObjectNode config, NativeFields fields) throws RequestShapeException {
    Inherited root =
        inherit(
            new Inherited(null, Map.of()),
            config.get("override_params"),
            PATH + "/override_params");
    PortkeyRoute route;
    if (config.has("strategy") || config.has("targets")) {
      route = strategy(config, PATH, root);
    } else {
      leaves.add(new Leaf(PATH, root.params()));
      route = root.model() == null ? null : PortkeyRoute.model(root.model());
    }
    if (route != null) {
      if (route.plainModel()) {
        fields.set("model", config.textNode(route.head().get(0).model()), PATH);
      } else {
        fields.setModels("load_balancer", route.head(), PATH);
      }
      if (!route.tail().isEmpty()) {
        fields.setChain(route.tail(), PATH);
      }
    }
    fields.setInBody(sameParams());
    if (config.has("retry")) {
      fields.retries(
          config.get("retry"), PATH + "/retry", "attempts", "on_status_codes", WHAT + "'s retry");
    }
    if (config.has("request_timeout")) {
      fields.timeoutMs(config.get("request_timeout"), PATH + "/request_timeout");
    }
  }

  private PortkeyRoute target(JsonNode node, String path, Inherited outer)
      throws RequestShapeException {
    ObjectNode target = Fields.object(node, path);
    for (String perRequest : List.of("retry", "request_timeout")) {
      if (target.has(perRequest)) {
        throw new RequestShapeException(
            Fields.child(path, perRequest),
            "a request has one "
                + perRequest
                + " for all"
                + " its targets: set it at the top of the config");
      }
    }
    Fields.only(target, path, TARGET_FIELDS, "a Portkey target");
    Inherited here = inherit(outer, target.get("override_params"), path + "/override_params");
    if (target.has("strategy") || target.has("targets")) {
      return strategy(target, path, here);
    }
    if (here.model() == null) {
      throw new RequestShapeException(
          path + "/override_params/model",
          "is missing: a target names its model (a"
              + " model_name or deployment_id) in override_params.model, here or on an enclosing target");
    }
    leaves.add(new Leaf(path, here.params()));
    return PortkeyRoute.model(here.model());
  }

  private PortkeyRoute strategy(ObjectNode holder, String path, Inherited here)
      throws RequestShapeException {
    String at = path + "/strategy";
    ObjectNode strategy = Fields.object(holder.get("strategy"), at);
    String mode = Fields.text(strategy.get("mode"), at + "/mode");
    if (!mode.equals("loadbalance") && !mode.equals("fallback")) {
      throw new RequestShapeException(
          at + "/mode",
          "must be loadbalance or fallback ("
              + (mode.equals("conditional")
                  ? "conditional routing on request metadata is not supported"
                  : "was " + mode)
              + ")");
    }
    if (strategy.has("on_status_codes")) {
      throw new RequestShapeException(
          at + "/on_status_codes",
          "a request cannot choose the status codes that move"
              + " it to the next target: a deployment falls back once its worker gives up on it (retries spent,"
              + " 401/403/404, cooldown); remove this field");
    }
    Fields.only(strategy, at, STRATEGY_FIELDS, "a Portkey strategy");
    ArrayNode list = Fields.nonEmptyArray(holder.get("targets"), path + "/targets");
    List<PortkeyRoute> targets = new ArrayList<>();
    List<Double> weights = new ArrayList<>();
    List<String> paths = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String targetPath = Fields.child(path + "/targets", i);
      targets.add(target(list.get(i), targetPath, here));
      JsonNode weight = list.get(i).get("weight");
      weights.add(weight == null ? 1.0 : Fields.weight(weight, targetPath + "/weight"));
      paths.add(targetPath);
    }
    return mode.equals("loadbalance")
        ? PortkeyRoute.loadBalance(targets, weights, paths)
        : PortkeyRoute.fallback(targets, paths);
  }

  /** {@code outer} with the override params at {@code path} laid over it. */
  private static Inherited inherit(Inherited outer, JsonNode node, String path)
      throws RequestShapeException {
    if (node == null) {
      return outer;
    }
    ObjectNode params = Fields.object(node, path);
    String model = outer.model();
    Map<String, JsonNode> merged = new LinkedHashMap<>(outer.params());
    for (Iterator<Map.Entry<String, JsonNode>> it = params.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> param = it.next();
      String name = param.getKey();
      if (name.equals("model")) {
        model = Fields.text(param.getValue(), path + "/model");
      } else if (BODY_PARAMS.contains(name)) {
        merged.put(name, param.getValue());
      } else {
        Set<String> supported = new TreeSet<>(BODY_PARAMS);
        supported.add("model");
        Fields.refuse(
            Fields.child(path, name),
            name,
            supported,
            "override_params (model chooses the deployment," + " the others are set in the body)");
      }
    }
    return new Inherited(model, merged);
  }

  /** The override params every target ends up with; refused when two targets differ. */
  private Map<String, JsonNode> sameParams() throws RequestShapeException {
    Leaf first = leaves.get(0);
    for (Leaf leaf : leaves.subList(1, leaves.size())) {
      Set<String> names = new TreeSet<>(first.params().keySet());
      names.addAll(leaf.params().keySet());
      for (String name : names) {
        if (!Objects.equals(first.params().get(name), leaf.params().get(name))) {
          throw new RequestShapeException(
              leaf.path() + "/override_params/" + name,
              "(set here or on an enclosing"
                  + " target, or not set) differs from its value at "
                  + first.path()
                  + ": every target shares the"
                  + " request's one body, so a sampling param must be the same for all of them");
        }
      }
    }
    return first.params();
  }
}
