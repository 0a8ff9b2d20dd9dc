package io.switchboard.worker.provider;

import io.switchboard.schemas.config.DeploymentConfig;
import java.net.URI;
import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;

/**
 * Any server speaking OpenAI's chat completions API (vLLM, Ollama, Groq, OpenRouter, the mock
 * provider): {@code POST {api_base}/chat/completions}. {@code api_base} is required; the key is
 * optional: without {@code api_key} no {@code Authorization} header is sent (but a named variable
 * that is not set is still a configuration error).
 */
public final class OpenAiCompatibleClient extends OpenAiClient {

  public OpenAiCompatibleClient(
      CloseableHttpAsyncClient http,
      Function<String, String> env,
      Clock clock,
      ScheduledExecutorService timer) {
    super(http, env, clock, timer);
  }

  @Override
  protected boolean keyOptional() {
    return true;
  }

  @Override
  protected URI endpoint(DeploymentConfig deployment) {
    return uri(deployment, base(deployment, null) + "/chat/completions");
  }
}
