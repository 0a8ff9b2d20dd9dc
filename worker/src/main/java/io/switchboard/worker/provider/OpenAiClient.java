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
 * OpenAI's chat completions API: {@code POST {api_base}/chat/completions} with {@code
 * Authorization: Bearer <key>}; {@code api_base} defaults to {@value #DEFAULT_API_BASE}. The body
 * goes as OpenAI defines it and the answer is already in OpenAI's shape.
 */
public class OpenAiClient extends HttpProviderClient {
  /** Where OpenAI's API lives when a deployment sets no {@code api_base}. */
  public static final String DEFAULT_API_BASE = "https://api.openai.com/v1";

  public OpenAiClient(
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
    return uri(deployment, base(deployment, DEFAULT_API_BASE) + "/chat/completions");
  }

  @Override
  protected void authenticate(SimpleRequestBuilder request, String key) {
    if (key != null) {
      request.addHeader("Authorization", "Bearer " + key);
    }
  }

  @Override
  protected ObjectNode toProviderBody(ObjectNode openAiBody) {
    return openAiBody;
  }

  @Override
  protected ObjectNode toCompletion(ObjectNode providerBody) {
    JsonNode choices = providerBody.get("choices");
    return choices != null && choices.isArray() && !choices.isEmpty() ? providerBody : null;
  }

  @Override
  protected ObjectNode toError(JsonNode providerBody) {
    JsonNode error = providerBody.get("error");
    if (error == null || !error.isObject() || text(error.get("message")) == null) {
      return null;
    }
    ObjectNode mapped =
        errorBody(text(error.get("message")), text(error.get("type")), text(error.get("code")));
    String param = text(error.get("param"));
    if (param != null) {
      ((ObjectNode) mapped.get("error")).put("param", param);
    }
    return mapped;
  }
}
