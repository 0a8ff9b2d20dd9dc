package io.switchboard.schemas.config.litellm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code model_list}: each LiteLLM entry ({@code model_name}, {@code litellm_params}, {@code
 * model_info}) becomes one native deployment. An entry without {@code litellm_params} is taken as a
 * native deployment and kept as written.
 *
 * <p>The provider comes from the prefix of {@code litellm_params.model} (or from {@code
 * custom_llm_provider}):
 *
 * <pre>
 * model                      api_base   native provider     key when api_key is unset
 * gpt-4o, openai/gpt-4o      unset      openai              ${OPENAI_API_KEY}
 * gpt-4o, openai/gpt-4o      set        openai_compatible   none
 * azure/my-deployment        any        azure               ${AZURE_API_KEY}; api_base ${AZURE_API_BASE} when unset
 * anthropic/claude-...       any        anthropic           ${ANTHROPIC_API_KEY}
 * any other prefix           -          refused, naming the entry
 * </pre>
 *
 * The implied keys and base are the variables LiteLLM itself reads when a deployment names none.
 */
final class Deployments {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final String OPENAI = "openai";
  private static final String AZURE = "azure";
  private static final String ANTHROPIC = "anthropic";
  private static final String OPENAI_COMPATIBLE = "openai_compatible";
  private static final Map<String, String> KEY_ENV =
      Map.of(OPENAI, "OPENAI_API_KEY", AZURE, "AZURE_API_KEY", ANTHROPIC, "ANTHROPIC_API_KEY");

  /**
   * The order of keys in a translated deployment, so that a converted file reads like a
   * hand-written one.
   */
  private static final List<String> ORDER =
      List.of(
          "model_name",
          "deployment_id",
          "provider",
          "model",
          "api_base",
          "api_key",
          "api_version",
          "rpm",
          "tpm",
          "weight",
          "timeout_ms",
          "max_retries",
          "context_window",
          "input_cost_per_million",
          "output_cost_per_million");

  private Deployments() {}

  /** What LiteLLM's simple-shuffle read from one entry: its group and the figures it weighs by. */
  private record Shares(int index, String group, JsonNode weight, JsonNode rpm, JsonNode tpm) {}

  /** Translates {@code model_list}; {@code list} is known to be a list. */
  static ArrayNode translate(JsonNode list, Findings findings) {
    ArrayNode out = NODES.arrayNode();
    List<Shares> shares = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      JsonNode entry = list.get(i);
      String at = "model_list[" + i + "]";
      if (!entry.isObject()) {
        throw new LiteLlmConfigException(at, "expected a mapping, got " + Values.kind(entry));
      }
      if (!entry.has("litellm_params")) {
        out.add(entry.deepCopy());
        continue;
      }
      ObjectNode deployment = entry(entry, at, findings);
      JsonNode params = entry.get("litellm_params");
      shares.add(
          new Shares(
              i,
              deployment.get("model_name").asText(),
              params.get("weight"),
              params.get("rpm"),
              params.get("tpm")));
      out.add(deployment);
    }
    weighAsSimpleShuffle(shares, out, findings);
    return out;
  }

  private static ObjectNode entry(JsonNode entry, String at, Findings findings) {
    ObjectNode out = NODES.objectNode();
    JsonNode name = entry.get("model_name");
    if (name == null) {
      throw new LiteLlmConfigException(at + ".model_name", "is required");
    }
    String modelName = Values.text(name, at + ".model_name").asText();
    if (modelName.contains("*")) {
      throw new LiteLlmConfigException(
          at + ".model_name",
          "'"
              + modelName
              + "' is a wildcard, which routes any "
              + "model of a provider; Switchboard routes the models it is given: list each one");
    }
    out.put("model_name", modelName);
    JsonNode params = entry.get("litellm_params");
    if (!params.isObject()) {
      throw new LiteLlmConfigException(
          at + ".litellm_params", "expected a mapping, got " + Values.kind(params));
    }
    params(params, at + ".litellm_params", out, findings);
    JsonNode info = entry.get("model_info");
    if (info != null) {
      if (!info.isObject()) {
        throw new LiteLlmConfigException(
            at + ".model_info", "expected a mapping, got " + Values.kind(info));
      }
      modelInfo(info, at + ".model_info", out, findings);
    }
    Iterator<Map.Entry<String, JsonNode>> fields = entry.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> e = fields.next();
      String key = e.getKey();
      if (key.equals("model_name") || key.equals("litellm_params") || key.equals("model_info")) {
        continue;
      }
      // Native keys beside LiteLLM's (lanes, rate_window_seconds, ...) are Switchboard's own: they
      // win.
      if (NativeKeys.declared("model_list[]." + key)) {
        out.set(key, e.getValue().deepCopy());
      } else {
        findings.ignore(at + "." + key);
      }
    }
    return ordered(out);
  }

  private static void params(JsonNode params, String at, ObjectNode out, Findings findings) {
    provider(params, at, out, findings);
    Iterator<Map.Entry<String, JsonNode>> fields = params.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> e = fields.next();
      String path = at + "." + e.getKey();
      JsonNode v = e.getValue();
      switch (e.getKey()) {
        case "model", "custom_llm_provider", "api_base", "api_key" -> {}
        case "api_version" -> out.set("api_version", Values.text(v, path));
        case "rpm" -> out.set("rpm", Values.wholeNumber(v, path));
        case "tpm" -> out.set("tpm", Values.wholeNumber(v, path));
        case "weight" -> out.set("weight", Values.number(v, path));
        case "timeout" -> out.set("timeout_ms", Values.millis(v, path));
        case "max_retries" -> out.set("max_retries", Values.wholeNumber(v, path));
        case "input_cost_per_token" ->
            out.set("input_cost_per_million", Values.perMillion(v, path));
        case "output_cost_per_token" ->
            out.set("output_cost_per_million", Values.perMillion(v, path));
        case "stream_timeout" ->
            findings.ignore(path, "no streaming over Kafka: every reply is one whole message");
        case "order" ->
            findings.ignore(
                path,
                "priority tiers have no equivalent: every deployment of a model_name "
                    + "takes its weighted share; for a standby, give it a model_name of its own and list it in fallbacks");
        default -> findings.ignore(path);
      }
    }
  }

  private static void provider(JsonNode params, String at, ObjectNode out, Findings findings) {
    JsonNode modelNode = params.get("model");
    if (modelNode == null) {
      throw new LiteLlmConfigException(at + ".model", "is required");
    }
    String model = Values.text(modelNode, at + ".model").asText();
    String prefix;
    String providerPath;
    JsonNode custom = params.get("custom_llm_provider");
    if (custom != null) {
      prefix = Values.text(custom, at + ".custom_llm_provider").asText();
      model = model.startsWith(prefix + "/") ? model.substring(prefix.length() + 1) : model;
      providerPath = at + ".custom_llm_provider";
    } else {
      int slash = model.indexOf('/');
      prefix = slash < 0 ? OPENAI : model.substring(0, slash);
      model = slash < 0 ? model : model.substring(slash + 1);
      providerPath = at + ".model";
    }
    if (!KEY_ENV.containsKey(prefix)) {
      throw new LiteLlmConfigException(providerPath, unknownProvider(prefix));
    }
    if (model.isEmpty()) {
      throw new LiteLlmConfigException(at + ".model", "names no model after '" + prefix + "/'");
    }
    JsonNode base = params.get("api_base");
    String provider = prefix.equals(OPENAI) && base != null ? OPENAI_COMPATIBLE : prefix;
    out.put("provider", provider);
    out.put("model", model);
    if (base != null) {
      out.set("api_base", Values.text(base, at + ".api_base"));
    } else if (provider.equals(AZURE)) {
      out.put("api_base", "${AZURE_API_BASE}");
      findings.note(at + ": no api_base: ${AZURE_API_BASE}, as LiteLLM reads it");
    }
    JsonNode key = params.get("api_key");
    if (key != null) {
      out.set("api_key", Values.apiKey(key, at + ".api_key"));
    } else if (!provider.equals(OPENAI_COMPATIBLE)) {
      out.put("api_key", "${" + KEY_ENV.get(provider) + "}");
      findings.note(at + ": no api_key: ${" + KEY_ENV.get(provider) + "}, as LiteLLM reads it");
    }
  }

  private static String unknownProvider(String prefix) {
    String why =
        prefix.startsWith("text-completion")
            ? "is text completion (/v1/completions), which Switchboard does not send: it sends chat completions"
            : "is a provider Switchboard does not call";
    return "'"
        + prefix
        + "/' "
        + why
        + "; use openai/, azure/ or anthropic/ (an OpenAI-compatible server such as "
        + "vLLM or Ollama is openai/ with its api_base)";
  }

  private static void modelInfo(JsonNode info, String at, ObjectNode out, Findings findings) {
    Iterator<Map.Entry<String, JsonNode>> fields = info.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> e = fields.next();
      String path = at + "." + e.getKey();
      JsonNode v = e.getValue();
      switch (e.getKey()) {
        case "id" -> out.set("deployment_id", Values.text(v, path));
        case "max_input_tokens" -> out.set("context_window", Values.wholeNumber(v, path));
        // Prices in litellm_params are LiteLLM's per-deployment override of model_info's.
        case "input_cost_per_token" -> {
          if (!out.has("input_cost_per_million")) {
            out.set("input_cost_per_million", Values.perMillion(v, path));
          }
        }
        case "output_cost_per_token" -> {
          if (!out.has("output_cost_per_million")) {
            out.set("output_cost_per_million", Values.perMillion(v, path));
          }
        }
        default -> findings.ignore(path);
      }
    }
  }

  /**
   * LiteLLM's default strategy (simple-shuffle) weighs a model group by what its first deployment
   * sets: {@code weight}, else {@code rpm}, else {@code tpm}, else evenly; a deployment without
   * that figure counts as 0. Native weights are {@code weight}, else {@code rpm}, else 1: where the
   * two differ, the native weight is set to what LiteLLM would use.
   */
  private static void weighAsSimpleShuffle(List<Shares> shares, ArrayNode out, Findings findings) {
    Map<String, List<Shares>> groups = new LinkedHashMap<>();
    shares.forEach(s -> groups.computeIfAbsent(s.group(), g -> new ArrayList<>()).add(s));
    groups.forEach(
        (group, members) -> {
          if (members.size() == 1) {
            return; // simple-shuffle weighs deployments within their group only
          }
          Shares first = members.get(0);
          String basis =
              first.weight() != null
                  ? "weight"
                  : first.rpm() != null ? "rpm" : first.tpm() != null ? "tpm" : null;
          for (Shares s : members) {
            ObjectNode d = (ObjectNode) out.get(s.index());
            String at = "model_list[" + s.index() + "]";
            if (basis == null) {
              if (s.weight() != null || s.rpm() != null) {
                d.set("weight", IntNode.valueOf(1));
                findings.note(
                    at
                        + ": weight 1: LiteLLM shares '"
                        + group
                        + "' evenly, as its first deployment sets no "
                        + "weight, rpm or tpm");
              }
            } else if (basis.equals("rpm") && (s.weight() != null || s.rpm() == null)) {
              d.set("weight", s.rpm() == null ? IntNode.valueOf(0) : d.get("rpm"));
              findings.note(
                  at + ": weight " + d.get("weight") + ": LiteLLM weighs '" + group + "' by rpm");
            } else if (basis.equals("tpm")) {
              d.set("weight", s.tpm() == null ? IntNode.valueOf(0) : d.get("tpm"));
              findings.note(
                  at + ": weight " + d.get("weight") + ": LiteLLM weighs '" + group + "' by tpm");
            } else if (basis.equals("weight") && s.weight() == null) {
              d.set("weight", IntNode.valueOf(0));
              findings.note(
                  at
                      + ": weight 0: LiteLLM weighs '"
                      + group
                      + "' by weight and this entry sets none");
            }
            out.set(s.index(), ordered(d));
          }
        });
  }

  private static ObjectNode ordered(ObjectNode d) {
    ObjectNode sorted = NODES.objectNode();
    ORDER.forEach(
        k -> {
          if (d.has(k)) {
            sorted.set(k, d.get(k));
          }
        });
    d.fields()
        .forEachRemaining(
            e -> {
              if (!sorted.has(e.getKey())) {
                sorted.set(e.getKey(), e.getValue());
              }
            });
    return sorted;
  }
}
