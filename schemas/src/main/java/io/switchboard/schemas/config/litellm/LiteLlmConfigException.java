package io.switchboard.schemas.config.litellm;

/**
 * A LiteLLM config that cannot be translated. The message names the LiteLLM key path ({@code
 * model_list[2].litellm_params.model}) and the problem, never a secret's value.
 */
public final class LiteLlmConfigException extends IllegalArgumentException {
  public LiteLlmConfigException(String path, String problem) {
    super(path + ": " + problem);
  }
}
