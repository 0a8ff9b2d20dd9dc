package io.switchboard.testkit.mock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * What the mock needs from a chat request body: the model, a cheap deterministic token estimate
 * (ceil(characters / 4) over the text of every message and of Anthropic's {@code system}), the last
 * user message and the completion budget.
 *
 * @param model the body's {@code model}, or null
 * @param hasMessages whether {@code messages} is a non-empty array
 * @param promptTokens the prompt's token estimate
 * @param lastUserText the text of the last {@code user} message ("" when there is none)
 * @param maxTokens {@code max_tokens} (or OpenAI's {@code max_completion_tokens}), or -1 when
 *     absent
 */
record ChatBody(
    String model, boolean hasMessages, int promptTokens, String lastUserText, int maxTokens) {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Parses a request body; throws when it is not a JSON object. */
  static ChatBody parse(byte[] body, int length) throws IOException {
    JsonNode root = MAPPER.readTree(body, 0, length);
    if (root == null || !root.isObject()) {
      throw new IOException("the body is not a JSON object");
    }
    return of(root);
  }

  /** Reads a request body already parsed to a JSON object (a batch line's body or params). */
  static ChatBody of(JsonNode root) {
    JsonNode modelNode = root.get("model");
    String model = modelNode != null && modelNode.isTextual() ? modelNode.textValue() : null;
    long chars = textLength(root.get("system"));
    String lastUser = "";
    JsonNode messages = root.get("messages");
    boolean hasMessages = messages != null && messages.isArray() && !messages.isEmpty();
    if (hasMessages) {
      for (JsonNode message : messages) {
        JsonNode content = message.get("content");
        chars += textLength(content);
        JsonNode role = message.get("role");
        if (role != null && "user".equals(role.asText())) {
          lastUser = text(content);
        }
      }
    }
    int maxTokens = intField(root, "max_tokens");
    if (maxTokens < 0) {
      maxTokens = intField(root, "max_completion_tokens");
    }
    return new ChatBody(model, hasMessages, estimateTokens(chars), lastUser, maxTokens);
  }

  /** The token estimate of {@code chars} characters: ceil(chars / 4). */
  static int estimateTokens(long chars) {
    return (int) Math.min(Integer.MAX_VALUE, (chars + 3) / 4);
  }

  private static int intField(JsonNode root, String name) {
    JsonNode node = root.get(name);
    return node != null && node.canConvertToInt() && node.isIntegralNumber() ? node.intValue() : -1;
  }

  /** The length of a content: a string, or an array of parts whose {@code text} is counted. */
  private static long textLength(JsonNode content) {
    if (content == null) {
      return 0;
    }
    if (content.isTextual()) {
      return content.textValue().length();
    }
    long n = 0;
    if (content.isArray()) {
      for (JsonNode part : content) {
        JsonNode text = part.get("text");
        if (text != null && text.isTextual()) {
          n += text.textValue().length();
        }
      }
    }
    return n;
  }

  private static String text(JsonNode content) {
    if (content == null) {
      return "";
    }
    if (content.isTextual()) {
      return content.textValue();
    }
    StringBuilder sb = new StringBuilder();
    if (content.isArray()) {
      for (JsonNode part : content) {
        JsonNode text = part.get("text");
        if (text != null && text.isTextual()) {
          sb.append(text.textValue());
        }
      }
    }
    return sb.toString();
  }
}
