package io.switchboard.worker.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.json.Json;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.SSLException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.async.methods.SimpleRequestProducer;
import org.apache.hc.client5.http.async.methods.SimpleResponseConsumer;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.util.Timeout;

/**
 * The HTTP side every adapter shares: API key lookup, body shaping ({@link RequestShaper}), the
 * request id header, the attempt's time limit, failure mapping and redaction. Subclasses say where
 * to send, how to authenticate and how to translate bodies.
 *
 * <p>Keys come only from the environment variable named by {@link DeploymentConfig#apiKeyEnv()},
 * looked up on every call through the injected {@code env}. When a deployment names a variable that
 * is not set (or names none but its provider needs a key) the call is not made: the response is a
 * {@link TransportFailure.Kind#NOT_CONFIGURED} failure naming the variable.
 */
public abstract class HttpProviderClient implements ProviderClient {
  /**
   * The header carrying the request id to the provider (the mock provider logs it). Over HTTP/2 its
   * value, new on every call, enters the connection's HPACK table like any header: HttpCore's
   * HTTP/2 request converter copies headers without their sensitive flag, so a literal never
   * indexed cannot be asked for.
   */
  public static final String REQUEST_ID_HEADER = "x-switchboard-request-id";

  private static final int SNIPPET_CHARS = 500;

  private final CloseableHttpAsyncClient http;
  private final Function<String, String> env;
  private final Clock clock;
  private final ScheduledExecutorService timer;

  /**
   * Each deployment's endpoint, built once per config object (a URI parse on every call shows in
   * profiles).
   */
  private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();

  protected HttpProviderClient(
      CloseableHttpAsyncClient http,
      Function<String, String> env,
      Clock clock,
      ScheduledExecutorService timer) {
    this.http = Objects.requireNonNull(http, "http");
    this.env = Objects.requireNonNull(env, "env");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.timer = Objects.requireNonNull(timer, "timer");
  }

  /** Whether calls without a key are possible (only OpenAI-compatible servers). */
  protected abstract boolean keyOptional();

  /** Where to POST for {@code deployment}. */
  protected abstract URI endpoint(DeploymentConfig deployment);

  /** Adds the authentication headers; {@code key} is null only when {@link #keyOptional()}. */
  protected abstract void authenticate(SimpleRequestBuilder request, String key);

  /** The provider's request body made from the shaped OpenAI body. */
  protected abstract ObjectNode toProviderBody(ObjectNode openAiBody);

  /** OpenAI's {@code chat.completion} made from a 2xx body, or null when it is not a completion. */
  protected abstract ObjectNode toCompletion(ObjectNode providerBody);

  /**
   * The error message, type and code of a non-2xx body (already redacted), or null when it has no
   * recognisable error. The base class falls back to common shapes and the raw text.
   */
  protected abstract ObjectNode toError(JsonNode providerBody);

  protected Clock clock() {
    return clock;
  }

  @Override
  public final CompletableFuture<ProviderResponse> call(ProviderCall call) {
    long start = clock.millis();
    DeploymentConfig deployment = call.deployment();
    String key;
    Endpoint endpoint;
    byte[] body;
    try {
      key = key(deployment);
      endpoint = cachedEndpoint(deployment);
      body = Json.toBytes(toProviderBody(RequestShaper.shape(deployment, call.body())));
    } catch (NotConfigured e) {
      return CompletableFuture.completedFuture(
          ProviderResponse.failed(
              new TransportFailure(TransportFailure.Kind.NOT_CONFIGURED, e.getMessage()),
              Duration.ZERO));
    }
    SimpleRequestBuilder builder =
        endpoint
            .post()
            .setBody(body, ContentType.APPLICATION_JSON)
            .addHeader(REQUEST_ID_HEADER, call.requestId())
            .setRequestConfig(
                RequestConfig.custom().setResponseTimeout(Timeout.of(call.timeout())).build());
    authenticate(builder, key);
    SimpleHttpRequest request = builder.build();

    CompletableFuture<ProviderResponse> result = new CompletableFuture<>();
    Future<SimpleHttpResponse> exchange =
        http.execute(
            new SendReporting(SimpleRequestProducer.create(request), call.onSent()),
            SimpleResponseConsumer.create(),
            new FutureCallback<>() {
              @Override
              public void completed(SimpleHttpResponse response) {
                Duration latency = Duration.ofMillis(Math.max(0, clock.millis() - start));
                try {
                  result.complete(read(response, key, latency));
                } catch (RuntimeException e) {
                  result.complete(
                      ProviderResponse.failed(
                          new TransportFailure(
                              TransportFailure.Kind.IO,
                              Redactor.redact("unreadable response: " + e.getMessage(), key)),
                          latency));
                }
              }

              @Override
              public void failed(Exception e) {
                result.complete(
                    ProviderResponse.failed(
                        failure(e, key), Duration.ofMillis(Math.max(0, clock.millis() - start))));
              }

              @Override
              public void cancelled() {
                result.complete(
                    ProviderResponse.failed(
                        new TransportFailure(TransportFailure.Kind.CANCELLED, "call cancelled"),
                        Duration.ofMillis(Math.max(0, clock.millis() - start))));
              }
            });
    ScheduledFuture<?> deadline =
        timer.schedule(
            () -> {
              boolean timedOut =
                  result.complete(
                      ProviderResponse.failed(
                          new TransportFailure(
                              TransportFailure.Kind.TIMEOUT,
                              "no complete response within " + call.timeout().toMillis() + " ms"),
                          Duration.ofMillis(Math.max(0, clock.millis() - start))));
              if (timedOut) {
                exchange.cancel(true);
              }
            },
            call.timeout().toMillis(),
            TimeUnit.MILLISECONDS);
    result.whenComplete((r, e) -> deadline.cancel(false));
    return result;
  }

  private Endpoint cachedEndpoint(DeploymentConfig deployment) {
    Endpoint known = endpoints.get(deployment.deploymentId());
    if (known != null && known.deployment() == deployment) {
      return known;
    }
    Endpoint endpoint = Endpoint.of(deployment, endpoint(deployment));
    endpoints.put(deployment.deploymentId(), endpoint);
    return endpoint;
  }

  private String key(DeploymentConfig deployment) {
    String variable = deployment.apiKeyEnv();
    if (variable == null) {
      if (keyOptional()) {
        return null;
      }
      throw new NotConfigured(
          "deployment '"
              + deployment.deploymentId()
              + "' has no api_key; "
              + deployment.provider().wire()
              + " needs one: set api_key: ${SOME_ENV_VAR}");
    }
    String key = env.apply(variable);
    if (key == null || key.isBlank()) {
      throw new NotConfigured(
          "environment variable "
              + variable
              + " (api_key of deployment '"
              + deployment.deploymentId()
              + "') is not set in the worker's environment");
    }
    return key.trim();
  }

  /** The deployment's {@code api_base} without trailing slashes, or {@code fallback} when unset. */
  protected static String base(DeploymentConfig deployment, String fallback) {
    String base =
        deployment.apiBase() != null && !deployment.apiBase().isBlank()
            ? deployment.apiBase()
            : fallback;
    if (base == null) {
      throw new NotConfigured(
          "deployment '"
              + deployment.deploymentId()
              + "' has no api_base; "
              + deployment.provider().wire()
              + " needs one");
    }
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    return base;
  }

  /** Builds a URI or reports the deployment as not configured. */
  protected static URI uri(DeploymentConfig deployment, String text) {
    try {
      URI uri = URI.create(text);
      if (uri.getScheme() == null || uri.getHost() == null) {
        throw new IllegalArgumentException("no scheme or host");
      }
      return uri;
    } catch (IllegalArgumentException e) {
      throw new NotConfigured(
          "api_base of deployment '"
              + deployment.deploymentId()
              + "' gives the invalid URL '"
              + text
              + "': "
              + e.getMessage());
    }
  }

  private ProviderResponse read(SimpleHttpResponse response, String key, Duration latency) {
    int status = response.getCode();
    Map<String, String> headers = new HashMap<>();
    for (String name : ProviderResponse.RETRY_HEADERS) {
      Header h = response.getFirstHeader(name);
      if (h != null) {
        headers.put(name, Redactor.redact(h.getValue(), key));
      }
    }
    boolean success = status / 100 == 2;
    JsonNode parsed = success ? Utf8Bodies.parse(response, key) : null;
    String raw = null;
    String text = null;
    if (parsed == null) {
      raw = response.getBodyText();
      text = success ? Redactor.redactKeyOnly(raw, key) : Redactor.redact(raw, key);
      parsed = parse(text);
    }
    if (success) {
      ObjectNode completion = parsed instanceof ObjectNode object ? toCompletion(object) : null;
      if (completion == null) {
        ObjectNode error =
            errorBody(
                "provider answered HTTP "
                    + status
                    + " with a body that is not a chat"
                    + " completion: "
                    + snippet(Redactor.redact(raw != null ? raw : response.getBodyText(), key)),
                "invalid_response",
                null);
        return ProviderResponse.http(status, headers, error, null, latency);
      }
      return ProviderResponse.http(status, headers, completion, usage(completion), latency);
    }
    ObjectNode error = parsed == null ? null : toError(parsed);
    if (error == null) {
      error = commonError(parsed, text, status);
    }
    return ProviderResponse.http(status, headers, error, null, latency);
  }

  /** Usage from a completion's {@code usage}, or null when absent. */
  static Usage usage(ObjectNode completion) {
    JsonNode usage = completion.get("usage");
    if (usage == null
        || !usage.path("prompt_tokens").canConvertToInt()
        || !usage.path("completion_tokens").canConvertToInt()) {
      return null;
    }
    int in = usage.path("prompt_tokens").asInt();
    int out = usage.path("completion_tokens").asInt();
    return in < 0 || out < 0 ? null : new Usage(in, out);
  }

  /** OpenAI's error shape {@code {"error": {"message", "type", "code"}}}. */
  protected static ObjectNode errorBody(String message, String type, String code) {
    ObjectNode root = Json.mapper().createObjectNode();
    ObjectNode error = root.putObject("error");
    error.put("message", message);
    error.put("type", type);
    error.put("code", code);
    return root;
  }

  /** Text of a JSON value: strings as is, numbers as text, null/missing as null. */
  protected static String text(JsonNode node) {
    return node == null || node.isNull() || node.isMissingNode()
        ? null
        : node.isValueNode() ? node.asText() : node.toString();
  }

  private static ObjectNode commonError(JsonNode parsed, String text, int status) {
    if (parsed != null) {
      JsonNode error = parsed.get("error");
      if (error != null && error.isTextual()) {
        return errorBody(error.asText(), null, null);
      }
      for (String field : new String[] {"detail", "message"}) {
        String message = text(parsed.get(field));
        if (message != null) {
          return errorBody(message, null, null);
        }
      }
    }
    String message = text == null || text.isBlank() ? "HTTP " + status : snippet(text);
    return errorBody(message, "http_error", null);
  }

  private static JsonNode parse(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return Json.mapper().readTree(text);
    } catch (IOException e) {
      return null;
    }
  }

  private static String snippet(String text) {
    if (text == null) {
      return "(empty)";
    }
    return text.length() > SNIPPET_CHARS ? text.substring(0, SNIPPET_CHARS) + "..." : text;
  }

  static TransportFailure failure(Throwable error, String key) {
    Throwable e = error;
    while ((e instanceof ExecutionException || e instanceof CompletionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    TransportFailure.Kind kind;
    if (e instanceof ConnectTimeoutException
        || e instanceof ConnectException
        || e instanceof UnknownHostException
        || e instanceof NoRouteToHostException
        || e instanceof SSLException) {
      kind = TransportFailure.Kind.CONNECT;
    } else if (e instanceof SocketTimeoutException
        || e instanceof java.util.concurrent.TimeoutException) {
      kind = TransportFailure.Kind.TIMEOUT;
    } else if (e instanceof ConnectionClosedException || e instanceof SocketException) {
      kind = TransportFailure.Kind.CONNECTION_RESET;
    } else if (e instanceof CancellationException || e instanceof InterruptedIOException) {
      kind = TransportFailure.Kind.CANCELLED;
    } else {
      kind = TransportFailure.Kind.IO;
    }
    String message =
        e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    return new TransportFailure(kind, Redactor.redact(message, key));
  }

  /** A deployment that cannot be called as configured; its message names what to fix. */
  protected static final class NotConfigured extends RuntimeException {
    public NotConfigured(String message) {
      super(message, null, false, false);
    }
  }
}
