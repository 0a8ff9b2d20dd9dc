package io.switchboard.worker.provider;

/**
 * Token usage reported by a provider.
 *
 * @param promptTokens tokens of the prompt (input)
 * @param completionTokens tokens generated (output)
 */
public record Usage(int promptTokens, int completionTokens) {

  public Usage {
    if (promptTokens < 0 || completionTokens < 0) {
      throw new IllegalArgumentException(
          "token counts must be >= 0, were " + promptTokens + ", " + completionTokens);
    }
  }

  public int totalTokens() {
    return promptTokens + completionTokens;
  }
}
