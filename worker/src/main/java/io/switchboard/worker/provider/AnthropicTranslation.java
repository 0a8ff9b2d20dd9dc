package io.switchboard.worker.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.json.Json;
import io.switchboard.schemas.provider.StopReason;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Translation between OpenAI's chat completions and Anthropic's Messages API.
 *
 * <p>Request: {@code system} (and {@code developer}) messages become the top-level {@code system}
 * text (joined by blank lines); user and assistant messages become turns, with consecutive turns of
 * one role merged; text and image parts ({@code image_url} with a data URL or an https URL) become
 * content blocks; assistant {@code tool_calls} become {@code tool_use} blocks and {@code tool}
 * messages become {@code tool_result} blocks of a user turn. {@code max_tokens} is required by
 * Anthropic: it is the body's {@code max_tokens}, else {@code max_completion_tokens}, else {@value
 * #DEFAULT_MAX_TOKENS}. {@code temperature}, {@code top_p}, {@code stop} (as {@code
 * stop_sequences}), {@code tools}, {@code tool_choice} and {@code user} (as {@code
 * metadata.user_id}) are translated; Anthropic's own {@code top_k}, {@code thinking}, {@code
 * metadata}, {@code stop_sequences} and {@code service_tier} pass through (e.g. from {@code
 * override_params}); other OpenAI-only fields are dropped, because Anthropic rejects unknown
 * fields.
 *
 * <p>Response: text blocks are joined into {@code message.content}, {@code tool_use} blocks become
 * {@code tool_calls}; {@code stop_reason} maps end_turn/stop_sequence to {@code stop}, max_tokens
 * to {@code length}, tool_use to {@code tool_calls}, refusal to {@code content_filter}; usage
 * {@code input_tokens} (plus cache read/creation tokens) and {@code output_tokens} become {@code
 * prompt_tokens}, {@code completion_tokens}, {@code total_tokens}.
 */
public final class AnthropicTranslation {
  /** {@code max_tokens} sent when the request sets neither max_tokens nor max_completion_tokens. */
  public static final int DEFAULT_MAX_TOKENS = 1024;

  private static final Set<String> PASS_THROUGH =
      Set.of("top_k", "thinking", "metadata", "stop_sequences", "service_tier");
  private static final Pattern DATA_URL =
      Pattern.compile("data:([^;,]+);base64,(.*)", Pattern.DOTALL);

  private AnthropicTranslation() {}

  /** Anthropic's request body from a (shaped) OpenAI body. */
  public static ObjectNode toAnthropic(ObjectNode openAi) {
    ObjectNode out = Json.mapper().createObjectNode();
    out.set("model", openAi.get("model"));
    JsonNode maxTokens =
        openAi.hasNonNull("max_tokens")
            ? openAi.get("max_tokens")
            : openAi.hasNonNull("max_completion_tokens")
                ? openAi.get("max_completion_tokens")
                : null;
    out.put(
        "max_tokens",
        maxTokens != null && maxTokens.canConvertToInt() ? maxTokens.asInt() : DEFAULT_MAX_TOKENS);

    List<String> system = new ArrayList<>();
    ArrayNode messages = out.putArray("messages");
    String lastRole = null;
    ArrayNode lastContent = null;
    for (JsonNode message : openAi.path("messages")) {
      String role = message.path("role").asText("user");
      if (role.equals("system") || role.equals("developer")) {
        String text = textOf(message.get("content"));
        if (!text.isEmpty()) {
          system.add(text);
        }
        continue;
      }
      String anthropicRole = role.equals("assistant") ? "assistant" : "user";
      ArrayNode blocks = blocks(message, role);
      if (blocks.isEmpty()) {
        continue;
      }
      if (anthropicRole.equals(lastRole)) {
        lastContent.addAll(blocks);
      } else {
        ObjectNode turn = messages.addObject();
        turn.put("role", anthropicRole);
        lastContent = turn.putArray("content");
        lastContent.addAll(blocks);
        lastRole = anthropicRole;
      }
    }
    if (!system.isEmpty()) {
      out.put("system", String.join("\n\n", system));
    }
    copy(openAi, out, "temperature");
    copy(openAi, out, "top_p");
    JsonNode stop = openAi.get("stop");
    if (stop != null && stop.isTextual()) {
      out.putArray("stop_sequences").add(stop.asText());
    } else if (stop != null && stop.isArray() && !stop.isEmpty()) {
      out.set("stop_sequences", stop.deepCopy());
    }
    if (openAi.path("tools").isArray() && !openAi.path("tools").isEmpty()) {
      ArrayNode tools = out.putArray("tools");
      for (JsonNode tool : openAi.get("tools")) {
        JsonNode function = tool.has("function") ? tool.get("function") : tool;
        ObjectNode t = tools.addObject();
        t.set("name", function.get("name"));
        if (function.hasNonNull("description")) {
          t.set("description", function.get("description"));
        }
        t.set(
            "input_schema",
            function.hasNonNull("parameters")
                ? function.get("parameters").deepCopy()
                : Json.mapper().createObjectNode().put("type", "object"));
      }
    }
    JsonNode choice = openAi.get("tool_choice");
    if (choice != null && !choice.isNull()) {
      ObjectNode c = Json.mapper().createObjectNode();
      if (choice.isTextual()) {
        c.put(
            "type",
            switch (choice.asText()) {
              case "required" -> "any";
              case "none" -> "none";
              default -> "auto";
            });
      } else {
        c.put("type", "tool");
        c.set("name", choice.path("function").get("name"));
      }
      out.set("tool_choice", c);
    }
    if (openAi.hasNonNull("user")) {
      out.putObject("metadata").set("user_id", openAi.get("user"));
    }
    PASS_THROUGH.forEach(field -> copy(openAi, out, field));
    return out;
  }

  /**
   * OpenAI's {@code chat.completion} from Anthropic's {@code message}, or null when the body is not
   * one.
   */
  public static ObjectNode toOpenAi(ObjectNode message, Instant now) {
    JsonNode content = message.get("content");
    if (!"message".equals(message.path("type").asText()) || content == null || !content.isArray()) {
      return null;
    }
    StringBuilder text = new StringBuilder();
    ArrayNode toolCalls = Json.mapper().createArrayNode();
    for (JsonNode block : content) {
      switch (block.path("type").asText()) {
        case "text" -> text.append(block.path("text").asText());
        case "tool_use" -> {
          ObjectNode call = toolCalls.addObject();
          call.set("id", block.get("id"));
          call.put("type", "function");
          ObjectNode function = call.putObject("function");
          function.set("name", block.get("name"));
          function.put("arguments", block.has("input") ? block.get("input").toString() : "{}");
        }
        default -> {}
      }
    }
    ObjectNode out = Json.mapper().createObjectNode();
    out.set("id", message.get("id"));
    out.put("object", "chat.completion");
    out.put("created", now.getEpochSecond());
    out.set("model", message.get("model"));
    ObjectNode choice = out.putArray("choices").addObject();
    choice.put("index", 0);
    ObjectNode reply = choice.putObject("message");
    reply.put("role", "assistant");
    if (text.length() > 0 || toolCalls.isEmpty()) {
      reply.put("content", text.toString());
    } else {
      reply.putNull("content");
    }
    if (!toolCalls.isEmpty()) {
      reply.set("tool_calls", toolCalls);
    }
    choice.putNull("logprobs");
    choice.put("finish_reason", StopReason.toOpenAi(message.path("stop_reason").asText(null)));
    JsonNode usage = message.get("usage");
    if (usage != null && usage.isObject()) {
      int in =
          usage.path("input_tokens").asInt()
              + usage.path("cache_creation_input_tokens").asInt()
              + usage.path("cache_read_input_tokens").asInt();
      int outTokens = usage.path("output_tokens").asInt();
      out.putObject("usage")
          .put("prompt_tokens", in)
          .put("completion_tokens", outTokens)
          .put("total_tokens", in + outTokens);
    }
    return out;
  }

  /**
   * OpenAI's error shape from Anthropic's {@code {"type": "error", "error": {"type", "message"}}},
   * or null.
   */
  public static ObjectNode toOpenAiError(JsonNode body) {
    JsonNode error = body.get("error");
    if (error == null || !error.isObject() || !error.hasNonNull("message")) {
      return null;
    }
    ObjectNode root = Json.mapper().createObjectNode();
    root.putObject("error")
        .put("message", error.get("message").asText())
        .put("type", error.path("type").asText(null))
        .putNull("code");
    return root;
  }

  private static ArrayNode blocks(JsonNode message, String role) {
    ArrayNode blocks = Json.mapper().createArrayNode();
    if (role.equals("tool")) {
      ObjectNode result = blocks.addObject();
      result.put("type", "tool_result");
      result.set("tool_use_id", message.get("tool_call_id"));
      result.put("content", textOf(message.get("content")));
      return blocks;
    }
    JsonNode content = message.get("content");
    if (content != null && content.isTextual()) {
      if (!content.asText().isEmpty()) {
        blocks.addObject().put("type", "text").put("text", content.asText());
      }
    } else if (content != null && content.isArray()) {
      for (JsonNode part : content) {
        String type = part.path("type").asText();
        if (type.equals("text")) {
          blocks.addObject().put("type", "text").set("text", part.get("text"));
        } else if (type.equals("image_url")) {
          String url =
              part.path("image_url").isTextual()
                  ? part.get("image_url").asText()
                  : part.path("image_url").path("url").asText();
          ObjectNode image = blocks.addObject().put("type", "image");
          Matcher data = DATA_URL.matcher(url);
          if (data.matches()) {
            image
                .putObject("source")
                .put("type", "base64")
                .put("media_type", data.group(1))
                .put("data", data.group(2));
          } else {
            image.putObject("source").put("type", "url").put("url", url);
          }
        }
      }
    }
    for (JsonNode call : message.path("tool_calls")) {
      ObjectNode use = blocks.addObject();
      use.put("type", "tool_use");
      use.set("id", call.get("id"));
      use.set("name", call.path("function").get("name"));
      use.set("input", arguments(call.path("function").path("arguments")));
    }
    return blocks;
  }

  private static JsonNode arguments(JsonNode arguments) {
    if (arguments.isObject()) {
      return arguments;
    }
    if (arguments.isTextual() && !arguments.asText().isBlank()) {
      try {
        JsonNode parsed = Json.mapper().readTree(arguments.asText());
        if (parsed != null && parsed.isObject()) {
          return parsed;
        }
      } catch (IOException notJson) {
        // fall through: an empty input is the best Anthropic accepts
      }
    }
    return Json.mapper().createObjectNode();
  }

  private static String textOf(JsonNode content) {
    if (content == null || content.isNull()) {
      return "";
    }
    if (content.isTextual()) {
      return content.asText();
    }
    StringBuilder text = new StringBuilder();
    for (JsonNode part : content) {
      if (part.path("type").asText().equals("text")) {
        if (text.length() > 0) {
          text.append('\n');
        }
        text.append(part.path("text").asText());
      }
    }
    return text.toString();
  }

  private static void copy(ObjectNode from, ObjectNode to, String field) {
    if (from.hasNonNull(field)) {
      to.set(field, from.get(field).deepCopy());
    }
  }
}
