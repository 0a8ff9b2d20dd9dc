package io.switchboard.schemas.provider;

import java.util.List;

/**
 * Why a completion stopped, in both wire vocabularies: Anthropic's {@code stop_reason} and OpenAI's
 * {@code finish_reason}. One table for both directions: the worker translates Anthropic replies
 * into OpenAI's shape, the batch runner writes OpenAI-shaped replies back in Anthropic's.
 */
public enum StopReason {
  END_TURN("end_turn", "stop"),
  STOP_SEQUENCE("stop_sequence", "stop"),
  MAX_TOKENS("max_tokens", "length"),
  TOOL_USE("tool_use", "tool_calls", "function_call"),
  REFUSAL("refusal", "content_filter");

  private final String anthropic;
  private final String openAi;
  private final List<String> openAiAliases;

  StopReason(String anthropic, String openAi, String... openAiAliases) {
    this.anthropic = anthropic;
    this.openAi = openAi;
    this.openAiAliases = List.of(openAiAliases);
  }

  /** Anthropic's name. */
  public String anthropic() {
    return anthropic;
  }

  /** OpenAI's name. */
  public String openAi() {
    return openAi;
  }

  /**
   * OpenAI's {@code finish_reason} for Anthropic's {@code stop_reason}; {@code stop} when null or
   * unknown.
   */
  public static String toOpenAi(String anthropicStopReason) {
    for (StopReason r : values()) {
      if (r.anthropic.equals(anthropicStopReason)) {
        return r.openAi;
      }
    }
    return END_TURN.openAi;
  }

  /**
   * Anthropic's {@code stop_reason} for OpenAI's {@code finish_reason} (the first row naming it, so
   * {@code stop} is {@code end_turn}); {@code end_turn} when null or unknown.
   */
  public static String toAnthropic(String openAiFinishReason) {
    if (openAiFinishReason == null) {
      return END_TURN.anthropic;
    }
    for (StopReason r : values()) {
      if (r.openAi.equals(openAiFinishReason) || r.openAiAliases.contains(openAiFinishReason)) {
        return r.anthropic;
      }
    }
    return END_TURN.anthropic;
  }
}
