package io.switchboard.worker.offload;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.json.Json;
import io.switchboard.worker.provider.Redactor;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * The HTTP side the batch clients share: the deployment's key from the environment, blocking calls
 * with a time limit, and errors as {@link BatchApiException}s with the key redacted. Batch calls
 * are few and large (an upload, a download), so they run on the JDK's client on the offload thread
 * rather than on the real-time calls' asynchronous client.
 */
final class BatchHttp {
  private static final Duration CALL_TIMEOUT = Duration.ofMinutes(5);
  private static final int SNIPPET_BYTES = 500;

  /** Adds a deployment's authentication headers to a request. */
  @FunctionalInterface
  interface Auth {
    void apply(HttpRequest.Builder request, String key);
  }

  private final HttpClient http;
  private final Function<String, String> env;
  private final Auth auth;

  BatchHttp(HttpClient http, Function<String, String> env, Auth auth) {
    this.http = Objects.requireNonNull(http, "http");
    this.env = Objects.requireNonNull(env, "env");
    this.auth = Objects.requireNonNull(auth, "auth");
  }

  /** A request to {@code uri}, authenticated for {@code deployment}. */
  HttpRequest.Builder request(DeploymentConfig deployment, String uri) throws BatchApiException {
    HttpRequest.Builder b;
    try {
      b = HttpRequest.newBuilder(URI.create(uri)).timeout(CALL_TIMEOUT);
    } catch (IllegalArgumentException e) {
      throw new BatchApiException(
          "deployment '" + deployment.deploymentId() + "': invalid batch URL: " + e.getMessage(),
          400);
    }
    auth.apply(b, key(deployment));
    return b;
  }

  /** Sends {@code request} and reads the JSON answer; a non-2xx answer is thrown. */
  JsonNode json(DeploymentConfig deployment, String what, HttpRequest request)
      throws BatchApiException {
    HttpResponse<InputStream> response = send(deployment, what, request);
    try (InputStream body = response.body()) {
      return Json.mapper().readTree(body);
    } catch (IOException e) {
      throw new BatchApiException(
          "deployment '" + deployment.deploymentId() + "': " + what + " answered no JSON",
          response.statusCode());
    }
  }

  /** Sends {@code request} and writes the answer's body to {@code out}; a non-2xx is thrown. */
  void download(DeploymentConfig deployment, String what, HttpRequest request, Path out)
      throws BatchApiException {
    HttpResponse<InputStream> response = send(deployment, what, request);
    try (InputStream body = response.body()) {
      Files.copy(body, out, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw failed(deployment, what, e);
    }
  }

  private HttpResponse<InputStream> send(
      DeploymentConfig deployment, String what, HttpRequest request) throws BatchApiException {
    HttpResponse<InputStream> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw failed(deployment, what, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BatchApiException(
          "deployment '" + deployment.deploymentId() + "': " + what + " interrupted", null);
    }
    if (response.statusCode() / 100 == 2) {
      return response;
    }
    String text;
    try (InputStream body = response.body()) {
      text = new String(body.readNBytes(SNIPPET_BYTES), StandardCharsets.UTF_8);
    } catch (IOException e) {
      text = "";
    }
    throw new BatchApiException(
        "deployment '"
            + deployment.deploymentId()
            + "': "
            + what
            + " answered HTTP "
            + response.statusCode()
            + ": "
            + Redactor.redact(text, keyOrNull(deployment)),
        response.statusCode());
  }

  private BatchApiException failed(DeploymentConfig deployment, String what, IOException e) {
    return new BatchApiException(
        "deployment '"
            + deployment.deploymentId()
            + "': "
            + what
            + " failed: "
            + Redactor.redact(
                e.getClass().getSimpleName() + ": " + e.getMessage(), keyOrNull(deployment)),
        null);
  }

  private String key(DeploymentConfig deployment) throws BatchApiException {
    String key = keyOrNull(deployment);
    if (key == null) {
      throw new BatchApiException(
          "deployment '"
              + deployment.deploymentId()
              + "' has no usable api_key for its batch API: set api_key: ${SOME_ENV_VAR} and the variable",
          401);
    }
    return key;
  }

  private String keyOrNull(DeploymentConfig deployment) {
    String variable = deployment.apiKeyEnv();
    String key = variable == null ? null : env.apply(variable);
    return key == null || key.isBlank() ? null : key.trim();
  }

  /** The deployment's {@code api_base} without trailing slashes, or {@code fallback} when unset. */
  static String base(DeploymentConfig deployment, String fallback) throws BatchApiException {
    String base =
        deployment.apiBase() != null && !deployment.apiBase().isBlank()
            ? deployment.apiBase()
            : fallback;
    if (base == null) {
      throw new BatchApiException(
          "deployment '" + deployment.deploymentId() + "' has no api_base for its batch API", 400);
    }
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    return base;
  }
}
