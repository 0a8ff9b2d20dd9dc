package io.switchboard.worker.provider;

import io.switchboard.schemas.config.DeploymentConfig;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;

/**
 * Azure OpenAI: {@code POST {api_base}/openai/deployments/{model}/chat/completions?api-version=
 * {api_version}} with the {@code api-key} header. {@code model} is the Azure deployment name;
 * {@code api_base} is required; {@code api_version} defaults to {@value #DEFAULT_API_VERSION}.
 * Bodies and answers are OpenAI's.
 */
public final class AzureOpenAiClient extends OpenAiClient {
  /** The API version used when a deployment sets none (a generally available version). */
  public static final String DEFAULT_API_VERSION = "2024-10-21";

  public AzureOpenAiClient(
      CloseableHttpAsyncClient http,
      Function<String, String> env,
      Clock clock,
      ScheduledExecutorService timer) {
    super(http, env, clock, timer);
  }

  @Override
  protected URI endpoint(DeploymentConfig deployment) {
    String version =
        deployment.apiVersion() == null || deployment.apiVersion().isBlank()
            ? DEFAULT_API_VERSION
            : deployment.apiVersion();
    return uri(
        deployment,
        base(deployment, null)
            + "/openai/deployments/"
            + encode(deployment.model())
            + "/chat/completions?api-version="
            + encode(version));
  }

  @Override
  protected void authenticate(SimpleRequestBuilder request, String key) {
    request.addHeader("api-key", key);
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
