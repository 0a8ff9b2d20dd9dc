package io.switchboard.worker.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.config.DeploymentConfig;
import java.net.URI;
import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;

/**
 * Anthropic's Messages API: {@code POST {api_base}/messages} with {@code x-api-key} and {@code
 * anthropic-version: }{@value #ANTHROPIC_VERSION}; {@code api_base} defaults to {@value
 * #DEFAULT_API_BASE}. Bodies and answers are translated by {@link AnthropicTranslation}.
 */
public final class AnthropicClient extends HttpProviderClient {
  /** Where Anthropic's API lives when a deployment sets no {@code api_base}. */
  public static final String DEFAULT_API_BASE = "https://api.anthropic.com/v1";

  /** The Messages API version sent on every call. */
  public static final String ANTHROPIC_VERSION = "2023-06-01";

  public AnthropicClient(
      CloseableHttpAsyncClient http,
      Function<String, String> env,
      Clock clock,
      ScheduledExecutorService timer) {
    super(http, env, clock, timer);
  }

  @Override
  protected boolean keyOptional() {
    return false;
  }

  @Override
  protected URI endpoint(DeploymentConfig deployment) {
    return uri(deployment, base(deployment, DEFAULT_API_BASE) + "/messages");
  }

  @Override
  protected void authenticate(SimpleRequestBuilder request, String key) {
    request.addHeader("x-api-key", key);
    request.addHeader("anthropic-version", ANTHROPIC_VERSION);
  }

  @Override
  protected ObjectNode toProviderBody(ObjectNode openAiBody) {
    return AnthropicTranslation.toAnthropic(openAiBody);
  }

  @Override
  protected ObjectNode toCompletion(ObjectNode providerBody) {
    return AnthropicTranslation.toOpenAi(providerBody, clock().instant());
  }

  @Override
  protected ObjectNode toError(JsonNode providerBody) {
    return AnthropicTranslation.toOpenAiError(providerBody);
  }
}
