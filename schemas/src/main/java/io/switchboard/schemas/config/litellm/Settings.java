package io.switchboard.schemas.config.litellm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code litellm_settings} and {@code router_settings}: retries, timeouts, cooldowns, strategy,
 * retry policy, fallback chains and model group aliases. Where both sections set the same thing,
 * {@code router_settings} wins, as it does in LiteLLM's proxy.
 */
final class Settings {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** LiteLLM's strategy names, and the native ones, to the native ones. */
  private static final Map<String, String> STRATEGIES =
      Map.of(
          "simple-shuffle",
          "weighted",
          "weighted",
          "weighted",
          "least-busy",
          "least-busy",
          "usage-based-routing",
          "usage-based",
          "usage-based-routing-v2",
          "usage-based",
          "usage-based",
          "usage-based",
          "latency-based-routing",
          "latency-based",
          "latency-based",
          "latency-based");

  /** LiteLLM's retry policy fields (one per exception class) to the native error classes. */
  private static final Map<String, String> RETRY_CLASSES = retryClasses();

  private final Findings findings;
  private final ObjectNode router = NODES.objectNode();
  private final Map<String, String> routerFrom = new HashMap<>();
  private final Map<String, ObjectNode> chains = new LinkedHashMap<>();
  private final Map<String, List<String>> chainsFrom = new HashMap<>();
  private final ObjectNode aliases = NODES.objectNode();
  private ArrayNode defaultFallbacks;
  private final List<String> defaultFrom = new ArrayList<>();

  private Settings(Findings findings) {
    this.findings = findings;
  }

  /**
   * Translates both sections (either may be null) into {@code root}, whose {@code model_list} is
   * already translated.
   */
  static void translate(
      JsonNode litellmSettings, JsonNode routerSettings, ObjectNode root, Findings findings) {
    Settings s = new Settings(findings);
    if (litellmSettings != null) {
      s.litellmSettings(mapping(litellmSettings, "litellm_settings"));
    }
    if (routerSettings != null) {
      s.routerSettings(mapping(routerSettings, "router_settings"), root);
    }
    s.place(root);
  }

  private void litellmSettings(JsonNode section) {
    Iterator<Map.Entry<String, JsonNode>> fields = section.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> e = fields.next();
      String path = "litellm_settings." + e.getKey();
      JsonNode v = e.getValue();
      switch (e.getKey()) {
        case "num_retries" -> setRouter("num_retries", Values.wholeNumber(v, path), path);
        case "request_timeout" -> setRouter("timeout_ms", Values.millis(v, path), path);
        case "fallbacks", "context_window_fallbacks", "content_policy_fallbacks" ->
            chain(e.getKey(), v, path);
        case "default_fallbacks" -> defaultFallbacks(v, path);
        default -> findings.ignore(path);
      }
    }
  }

  private void routerSettings(JsonNode section, ObjectNode root) {
    Iterator<Map.Entry<String, JsonNode>> fields = section.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> e = fields.next();
      String key = e.getKey();
      String path = "router_settings." + key;
      JsonNode v = e.getValue();
      switch (key) {
        case "routing_strategy" -> strategy(v, path);
        case "num_retries" -> setRouter("num_retries", Values.wholeNumber(v, path), path);
        case "timeout" -> setRouter("timeout_ms", Values.millis(v, path), path);
        case "allowed_fails" -> allowedFails(v, path);
        case "cooldown_time" -> setRouter("cooldown_seconds", Values.wholeSeconds(v, path), path);
        case "fallbacks", "context_window_fallbacks", "content_policy_fallbacks" ->
            chain(key, v, path);
        case "default_fallbacks" -> defaultFallbacks(v, path);
        case "retry_policy" -> {
          ObjectNode policy = retryPolicy(v, path);
          if (NativeKeys.declared("router_settings.retry_policy")) {
            setRouter("retry_policy", policy, path);
          } else {
            findings.unsupported(path);
          }
        }
        case "model_group_retry_policy" -> groupRetryPolicies(v, path, root);
        case "model_group_alias" -> modelGroupAliases(v, path);
        case "enable_pre_call_checks" ->
            findings.note(
                path
                    + ": accepted; the router always checks context windows "
                    + "and rpm/tpm budgets before it routes");
        default -> {
          if (NativeKeys.declared(path)) {
            setRouter(key, v.deepCopy(), path);
          } else {
            findings.ignore(path);
          }
        }
      }
    }
  }

  private void setRouter(String nativeKey, JsonNode value, String path) {
    String earlier = routerFrom.put(nativeKey, path);
    if (earlier != null) {
      findings.note(path + " wins over " + earlier);
    }
    router.set(nativeKey, value);
  }

  private void strategy(JsonNode v, String path) {
    String name = Values.text(v, path).asText();
    String strategy = STRATEGIES.get(name);
    if (strategy == null) {
      findings.ignore(
          path, "'" + name + "' has no equivalent; deployments share traffic by weight");
    } else if (NativeKeys.declared("router_settings.routing_strategy")) {
      setRouter("routing_strategy", new TextNode(strategy), path);
    } else {
      findings.unsupported(path);
    }
  }

  private void allowedFails(JsonNode v, String path) {
    IntNode n = Values.wholeNumber(v, path);
    if (n.intValue() < 0) {
      throw new LiteLlmConfigException(path, n.intValue() + " is below the minimum of 0");
    }
    // LiteLLM cools a deployment down once its failures in a minute exceed allowed_fails;
    // Switchboard once they reach it.
    setRouter("allowed_fails", IntNode.valueOf(n.intValue() + 1), path);
    findings.note(
        path
            + ": LiteLLM cools a deployment down at the failure after the "
            + n.intValue()
            + " it allows a minute: allowed_fails "
            + (n.intValue() + 1));
  }

  private void chain(String key, JsonNode v, String path) {
    Chains.addTo(chains.computeIfAbsent(key, k -> NODES.objectNode()), v, path);
    chainsFrom.computeIfAbsent(key, k -> new ArrayList<>()).add(path);
  }

  private void defaultFallbacks(JsonNode v, String path) {
    defaultFallbacks = Chains.models(v, path);
    defaultFrom.add(path);
  }

  private ObjectNode retryPolicy(JsonNode v, String path) {
    ObjectNode policy = NODES.objectNode();
    Iterator<Map.Entry<String, JsonNode>> fields = mapping(v, path).fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> e = fields.next();
      String nativeClass = RETRY_CLASSES.get(e.getKey());
      if (nativeClass == null) {
        throw new LiteLlmConfigException(
            path + "." + e.getKey(),
            "is not a retry policy field; the fields are "
                + String.join(", ", RETRY_CLASSES.keySet()));
      }
      IntNode count = Values.wholeNumber(e.getValue(), path + "." + e.getKey());
      policy.set(nativeClass, count);
    }
    return policy;
  }

  private void groupRetryPolicies(JsonNode v, String path, ObjectNode root) {
    boolean supported = NativeKeys.declared("model_list[].retry_policy");
    if (!supported) {
      findings.unsupported(path);
    }
    Iterator<Map.Entry<String, JsonNode>> groups = mapping(v, path).fields();
    while (groups.hasNext()) {
      Map.Entry<String, JsonNode> e = groups.next();
      ObjectNode policy = retryPolicy(e.getValue(), path + "." + e.getKey());
      int matched = 0;
      for (JsonNode d : root.get("model_list")) {
        if (e.getKey().equals(d.path("model_name").asText())) {
          if (supported) {
            ((ObjectNode) d).set("retry_policy", policy.deepCopy());
          }
          matched++;
        }
      }
      if (matched == 0) {
        throw new LiteLlmConfigException(
            path + "." + e.getKey(), "'" + e.getKey() + "' is not a model_name of " + "model_list");
      }
    }
  }

  private void modelGroupAliases(JsonNode v, String path) {
    Iterator<Map.Entry<String, JsonNode>> fields = mapping(v, path).fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> e = fields.next();
      String at = path + "." + e.getKey();
      JsonNode target = e.getValue();
      if (target.isObject()) {
        // {model: gpt-4o, hidden: true}: hidden only keeps the alias off LiteLLM's /models list.
        if (!target.has("model")) {
          throw new LiteLlmConfigException(at + ".model", "is required");
        }
        target = target.get("model");
      }
      aliases.set(e.getKey(), Values.text(target, at));
    }
  }

  private void place(ObjectNode root) {
    if (!aliases.isEmpty()) {
      setOnce(root, "model_group_alias", aliases, List.of("router_settings.model_group_alias"));
    }
    chains.forEach((key, mapping) -> setOnce(root, key, mapping, chainsFrom.get(key)));
    if (defaultFallbacks != null) {
      setOnce(root, "default_fallbacks", defaultFallbacks, defaultFrom);
    }
    if (!router.isEmpty()) {
      root.set("router_settings", router);
    }
  }

  /**
   * Sets a top-level key, or reports its sources as not yet supported when this build has no such
   * key.
   */
  private void setOnce(ObjectNode root, String key, JsonNode value, List<String> from) {
    if (!NativeKeys.declared(key)) {
      from.forEach(findings::unsupported);
      return;
    }
    if (root.has(key)) {
      throw new LiteLlmConfigException(
          from.get(0), "is also given as the native top-level " + key + "; give it once");
    }
    root.set(key, value);
  }

  private static JsonNode mapping(JsonNode node, String path) {
    if (!node.isObject()) {
      throw new LiteLlmConfigException(path, "expected a mapping, got " + Values.kind(node));
    }
    return node;
  }

  private static Map<String, String> retryClasses() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("RateLimitErrorRetries", "rate_limit");
    m.put("TimeoutErrorRetries", "timeout");
    m.put("InternalServerErrorRetries", "server_error");
    m.put("AuthenticationErrorRetries", "authentication");
    m.put("BadRequestErrorRetries", "bad_request");
    m.put("ContentPolicyViolationErrorRetries", "content_policy");
    return m;
  }
}
