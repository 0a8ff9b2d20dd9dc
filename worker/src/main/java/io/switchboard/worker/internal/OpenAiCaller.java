package io.switchboard.worker.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.json.Json;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.util.Timeout;

/** Calls an OpenAI-compatible chat completions endpoint. */
public final class OpenAiCaller {
  /** What came back: a status and body, or the transport failure. */
  public record Result(int status, String body, Exception failure, long latencyMs) {}

  private final CloseableHttpAsyncClient http;
  private final Function<String, String> env;

  public OpenAiCaller(CloseableHttpAsyncClient http, Function<String, String> env) {
    this.http = http;
    this.env = env;
  }

  public CompletableFuture<Result> call(DeploymentConfig deployment, String requestId, ObjectNode body, long timeoutMs) {
    ObjectNode sent = body.deepCopy();
    sent.put("model", deployment.model());
    SimpleRequestBuilder builder = SimpleRequestBuilder.post(deployment.apiBase() + "/chat/completions")
        .setBody(Json.toBytes(sent), ContentType.APPLICATION_JSON)
        .addHeader("x-switchboard-request-id", requestId)
        .setRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.ofMilliseconds(timeoutMs)).build());
    String keyEnv = deployment.apiKeyEnv();
    if (keyEnv != null && env.apply(keyEnv) != null) {
      builder.addHeader("Authorization", "Bearer " + env.apply(keyEnv));
    }
    SimpleHttpRequest request = builder.build();
    long start = System.nanoTime();
    CompletableFuture<Result> result = new CompletableFuture<>();
    http.execute(request, new FutureCallback<SimpleHttpResponse>() {
      @Override
      public void completed(SimpleHttpResponse response) {
        result.complete(new Result(response.getCode(), response.getBodyText(), null, elapsed(start)));
      }

      @Override
      public void failed(Exception ex) {
        result.complete(new Result(0, null, ex, elapsed(start)));
      }

      @Override
      public void cancelled() {
        result.complete(new Result(0, null, new java.util.concurrent.CancellationException("cancelled"), elapsed(start)));
      }
    });
    return result;
  }

  private static long elapsed(long start) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
  }
}
