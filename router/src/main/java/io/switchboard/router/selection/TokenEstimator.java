package io.switchboard.router.selection;

import com.fasterxml.jackson.databind.JsonNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import io.switchboard.schemas.config.SwitchboardConfig;

/**
 * Estimates the tokens a chat request will use: prompt plus the most it may generate. Used for
 * {@code tpm} budgets and the context-window pre-check, and carried on {@code
 * Dispatch.estimated_tokens} for the worker's pacing.
 *
 * <p>The prompt is counted with jtokkit's {@code o200k_base} encoding (GPT-4o and later; close
 * enough for other families, this is an estimate) over every message's text: a string {@code
 * content}, the {@code text} of each content part, {@code name}, and the function names and
 * arguments of {@code tool_calls}; plus {@value #PER_MESSAGE} tokens per message and {@value
 * #PER_REPLY} for the reply's priming, as OpenAI counts them. Non-text parts (images, audio) are
 * not counted. The output side is {@code max_completion_tokens}, else {@code max_tokens}, else
 * {@value #DEFAULT_MAX_OUTPUT}.
 *
 * <p>Only a deployment's {@code tpm} budget (the router's and the worker's pacing) and its {@code
 * context_window} (the pre-check) read the estimate: {@link #forConfig} gives the estimator a
 * config needs, one that counts nothing (every estimate 0) when no deployment has either.
 */
public final class TokenEstimator {
  /**
   * Output tokens assumed when the body sets neither {@code max_completion_tokens} nor {@code
   * max_tokens}.
   */
  public static final int DEFAULT_MAX_OUTPUT = 256;

  /** Framing tokens per message. */
  public static final int PER_MESSAGE = 3;

  /** Tokens that prime the assistant's reply. */
  public static final int PER_REPLY = 3;

  /** Estimates 0 for every request: for configs that read no estimate. */
  private static final TokenEstimator NONE = new TokenEstimator(null);

  /** Null in {@link #NONE}. */
  private final Encoding encoding;

  public TokenEstimator() {
    this(Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE));
  }

  private TokenEstimator(Encoding encoding) {
    this.encoding = encoding;
  }

  /** This estimator when some deployment of {@code config} reads the estimate, else one of 0. */
  public TokenEstimator forConfig(SwitchboardConfig config) {
    return config.modelList().stream().anyMatch(d -> d.tpm() != null || d.contextWindow() != null)
        ? this
        : NONE;
  }

  /** Prompt tokens plus maximum output tokens of an OpenAI chat completions body. */
  public int estimate(JsonNode body) {
    if (encoding == null) {
      return 0;
    }
    long tokens = prompt(body) + maxOutput(body);
    return (int) Math.min(Integer.MAX_VALUE, tokens);
  }

  /** The prompt's tokens alone. */
  private long prompt(JsonNode body) {
    long tokens = PER_REPLY;
    for (JsonNode message : body.path("messages")) {
      tokens += PER_MESSAGE;
      tokens += text(message.get("name"));
      JsonNode content = message.get("content");
      if (content != null && content.isArray()) {
        for (JsonNode part : content) {
          tokens += text(part.get("text"));
        }
      } else {
        tokens += text(content);
      }
      for (JsonNode call : message.path("tool_calls")) {
        tokens += text(call.path("function").get("name"));
        tokens += text(call.path("function").get("arguments"));
      }
    }
    return tokens;
  }

  /** The most output tokens the body allows, or {@link #DEFAULT_MAX_OUTPUT}. */
  public static long maxOutput(JsonNode body) {
    JsonNode max = body.get("max_completion_tokens");
    if (max == null || !max.canConvertToLong()) {
      max = body.get("max_tokens");
    }
    return max != null && max.canConvertToLong() && max.asLong() > 0
        ? max.asLong()
        : DEFAULT_MAX_OUTPUT;
  }

  private long text(JsonNode node) {
    return node != null && node.isTextual() ? encoding.countTokensOrdinary(node.asText()) : 0;
  }
}
