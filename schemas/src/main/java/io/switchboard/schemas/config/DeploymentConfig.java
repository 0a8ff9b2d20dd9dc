package io.switchboard.schemas.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One provider deployment of {@code model_list}.
 *
 * @param modelName the alias requests name; several deployments may share one
 * @param deploymentId unique id used by lanes, metrics and health (defaults: see {@link SwitchboardConfig})
 * @param provider the API it speaks
 * @param model the provider's model name (for Azure: the deployment name)
 * @param apiBase base URL of the API
 * @param apiKey a reference {@code ${ENV_VAR}}, resolved only inside the worker; never a literal key
 * @param apiVersion Azure's {@code api-version}
 * @param rpm requests per minute allowed, null for no limit
 * @param tpm tokens per minute allowed, null for no limit
 * @param weight relative routing weight; null means rpm when set, else 1; 0 means no new traffic
 * @param timeoutMs per-attempt timeout (default: {@code router_settings.timeout_ms})
 * @param maxRetries retries on this deployment before falling back (default: {@code router_settings.num_retries})
 * @param backoff delay between retries
 * @param messages messages appended to every conversation sent here
 * @param overrideParams fields merged into every body sent here
 * @param contextWindow the model's context window in tokens, null if unknown
 * @param inputCostPerMillion USD per million prompt tokens
 * @param outputCostPerMillion USD per million completion tokens
 * @param lanes partitions of the dispatch topic this deployment owns (default 1)
 * @param rateWindowSeconds a shorter window, in seconds, over which the provider also judges the
 *     request rate pro rata (Azure OpenAI evaluates over 1 or 10 s): at most {@code rpm *
 *     rateWindowSeconds / 60} calls in any such window, on top of {@code rpm} in any minute; null
 *     for the minute only. Needs {@code rpm}.
 */
public record DeploymentConfig(
    String modelName,
    String deploymentId,
    Provider provider,
    String model,
    String apiBase,
    String apiKey,
    String apiVersion,
    Integer rpm,
    Integer tpm,
    Double weight,
    Long timeoutMs,
    Integer maxRetries,
    BackoffConfig backoff,
    List<ObjectNode> messages,
    ObjectNode overrideParams,
    Integer contextWindow,
    Double inputCostPerMillion,
    Double outputCostPerMillion,
    Integer lanes,
    Integer rateWindowSeconds) {

  private static final Pattern ENV_REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

  public DeploymentConfig {
    Objects.requireNonNull(modelName, "model_name");
    provider = provider == null ? Provider.OPENAI_COMPATIBLE : provider;
    model = model == null ? modelName : model;
    backoff = backoff == null ? BackoffConfig.DEFAULT : backoff;
    messages = messages == null ? List.of() : List.copyOf(messages);
    lanes = lanes == null ? 1 : lanes;
    if (apiKey != null && !ENV_REF.matcher(apiKey).matches()) {
      throw new IllegalArgumentException("api_key of '" + modelName
          + "' must be an environment reference like ${OPENAI_API_KEY}, not a literal key");
    }
    if (lanes < 1) {
      throw new IllegalArgumentException("lanes of '" + modelName + "' must be >= 1, was " + lanes);
    }
    if (rateWindowSeconds != null) {
      if (rateWindowSeconds < 1 || rateWindowSeconds > 59) {
        throw new IllegalArgumentException("rate_window_seconds of '" + modelName
            + "' must be between 1 and 59 (the minute itself is always judged), was " + rateWindowSeconds);
      }
      if (rpm == null) {
        throw new IllegalArgumentException("rate_window_seconds of '" + modelName
            + "' needs an rpm: it spreads the rpm over shorter windows");
      }
    }
  }

  /** The environment variable holding the key, or null when the deployment needs none. */
  public String apiKeyEnv() {
    if (apiKey == null) {
      return null;
    }
    Matcher m = ENV_REF.matcher(apiKey);
    return m.matches() ? m.group(1) : null;
  }

  /** The routing weight before normalization: {@code weight}, else rpm, else 1. */
  public double effectiveWeight() {
    if (weight != null) {
      return weight;
    }
    return rpm != null ? rpm : 1.0;
  }

  /** Cost of a call from its token usage, or null when no price is configured. */
  public Double cost(Integer tokensIn, Integer tokensOut) {
    if (inputCostPerMillion == null && outputCostPerMillion == null) {
      return null;
    }
    double in = tokensIn == null || inputCostPerMillion == null ? 0 : tokensIn * inputCostPerMillion;
    double out = tokensOut == null || outputCostPerMillion == null ? 0 : tokensOut * outputCostPerMillion;
    return (in + out) / 1_000_000.0;
  }

  DeploymentConfig withDeploymentId(String id) {
    return new DeploymentConfig(modelName, id, provider, model, apiBase, apiKey, apiVersion, rpm, tpm, weight,
        timeoutMs, maxRetries, backoff, messages, overrideParams, contextWindow, inputCostPerMillion,
        outputCostPerMillion, lanes, rateWindowSeconds);
  }


  @Override
  public String toString() {
    // The key reference is harmless, but keep toString free of anything key-shaped.
    return "DeploymentConfig[" + deploymentId + " " + provider.wire() + " " + model + " @ " + apiBase + "]";
  }
}
