package io.switchboard.schemas.config;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The provider API a deployment speaks. */
public enum Provider {
  /** OpenAI's chat completions API at {@code api_base} (default https://api.openai.com/v1). */
  OPENAI,
  /** Azure OpenAI: {@code api_base}/openai/deployments/{model}/chat/completions?api-version=... */
  AZURE,
  /** Anthropic's Messages API at {@code api_base} (default https://api.anthropic.com/v1). */
  ANTHROPIC,
  /** Any server speaking OpenAI's chat completions API: vLLM, Ollama, Groq, OpenRouter, ... */
  OPENAI_COMPATIBLE;

  @JsonValue
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}
