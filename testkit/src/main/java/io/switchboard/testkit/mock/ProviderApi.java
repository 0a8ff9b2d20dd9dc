package io.switchboard.testkit.mock;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.message.BasicHeader;

/**
 * The three provider APIs the mock speaks: where each carries its credential, and the exact shapes
 * of its completions, error bodies and rate-limit headers.
 */
enum ProviderApi {
  OPENAI(Call.OPENAI),
  AZURE(Call.AZURE),
  ANTHROPIC(Call.ANTHROPIC);

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonFactory JSON = MAPPER.getFactory();
  private static final int REPLY_PREFIX_CHARS = 40;

  final String id;

  ProviderApi(String id) {
    this.id = id;
  }

  /** The credential the request carries for this API, or null. */
  String credential(HttpRequest request) {
    return switch (this) {
      case OPENAI -> {
        Header h = request.getFirstHeader("Authorization");
        String v = h == null ? null : h.getValue();
        yield v != null && v.regionMatches(true, 0, "Bearer ", 0, 7) ? v.substring(7).trim() : null;
      }
      case AZURE -> value(request, "api-key");
      case ANTHROPIC -> value(request, "x-api-key");
    };
  }

  private static String value(HttpRequest request, String name) {
    Header h = request.getFirstHeader(name);
    return h == null ? null : h.getValue();
  }

  // ---- completions -------------------------------------------------------------------------

  /** The deterministic reply text to {@code body}. */
  static String replyText(ChatBody body) {
    String user = body.lastUserText();
    return "mock reply to: "
        + (user.length() > REPLY_PREFIX_CHARS ? user.substring(0, REPLY_PREFIX_CHARS) : user);
  }

  /**
   * The completion tokens the reply to {@code body} reports: its text's, or {@code max_tokens} when
   * fewer.
   */
  static int completionTokens(ChatBody body) {
    int natural = Math.max(1, ChatBody.estimateTokens(replyText(body).length()));
    return body.maxTokens() >= 0 && body.maxTokens() < natural ? body.maxTokens() : natural;
  }

  /** A successful completion: OpenAI's {@code chat.completion} or Anthropic's {@code message}. */
  byte[] completion(ChatBody body, String model, long id, Instant now) {
    String text = replyText(body);
    int natural = Math.max(1, ChatBody.estimateTokens(text.length()));
    boolean truncated = body.maxTokens() >= 0 && body.maxTokens() < natural;
    int completionTokens = completionTokens(body);
    if (truncated) {
      text = text.substring(0, Math.min(text.length(), completionTokens * 4));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(384);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      if (this == ANTHROPIC) {
        g.writeStringField("id", "msg_mock" + id);
        g.writeStringField("type", "message");
        g.writeStringField("role", "assistant");
        g.writeStringField("model", model);
        g.writeArrayFieldStart("content");
        g.writeStartObject();
        g.writeStringField("type", "text");
        g.writeStringField("text", text);
        g.writeEndObject();
        g.writeEndArray();
        g.writeStringField("stop_reason", truncated ? "max_tokens" : "end_turn");
        g.writeNullField("stop_sequence");
        g.writeObjectFieldStart("usage");
        g.writeNumberField("input_tokens", body.promptTokens());
        g.writeNumberField("output_tokens", completionTokens);
        g.writeEndObject();
      } else {
        g.writeStringField("id", "chatcmpl-mock" + id);
        g.writeStringField("object", "chat.completion");
        g.writeNumberField("created", now.getEpochSecond());
        g.writeStringField("model", model);
        g.writeArrayFieldStart("choices");
        g.writeStartObject();
        g.writeNumberField("index", 0);
        g.writeObjectFieldStart("message");
        g.writeStringField("role", "assistant");
        g.writeStringField("content", text);
        g.writeEndObject();
        g.writeNullField("logprobs");
        g.writeStringField("finish_reason", truncated ? "length" : "stop");
        g.writeEndObject();
        g.writeEndArray();
        g.writeObjectFieldStart("usage");
        g.writeNumberField("prompt_tokens", body.promptTokens());
        g.writeNumberField("completion_tokens", completionTokens);
        g.writeNumberField("total_tokens", (long) body.promptTokens() + completionTokens);
        g.writeEndObject();
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  // ---- errors ------------------------------------------------------------------------------

  /** 401 for a call without a credential. */
  byte[] missingKey() {
    return switch (this) {
      case OPENAI ->
          openAi(
              "You didn't provide an API key. You need to provide your API key in an Authorization"
                  + " header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank"
                  + " username) if you're accessing the API from your browser and are prompted for a username and password."
                  + " You can obtain an API key from https://platform.openai.com/account/api-keys.",
              "invalid_request_error",
              null,
              null);
      case AZURE ->
          azure(
              "401",
              "Access denied due to missing subscription key. Make sure to include subscription"
                  + " key when making requests to an API.");
      case ANTHROPIC -> anthropic("authentication_error", "x-api-key header is required");
    };
  }

  /** 401 for a call with the wrong credential; the key is never echoed. */
  byte[] wrongKey() {
    return switch (this) {
      case OPENAI ->
          openAi(
              "Incorrect API key provided. You can find your API key at"
                  + " https://platform.openai.com/account/api-keys.",
              "invalid_request_error",
              null,
              "invalid_api_key");
      case AZURE ->
          azure(
              "401",
              "Access denied due to invalid subscription key or wrong API endpoint. Make sure to"
                  + " provide a valid key for an active subscription and use a correct regional API endpoint for your"
                  + " resource.");
      case ANTHROPIC -> anthropic("authentication_error", "invalid x-api-key");
    };
  }

  /** 400 for a prompt over the context window. */
  byte[] contextWindowExceeded(int limit, int tokens) {
    if (this == ANTHROPIC) {
      return anthropic(
          "invalid_request_error",
          "prompt is too long: " + tokens + " tokens > " + limit + " maximum");
    }
    return openAi(
        "This model's maximum context length is "
            + limit
            + " tokens. However, your messages resulted in "
            + tokens
            + " tokens. Please reduce the length of the messages.",
        "invalid_request_error",
        "messages",
        "context_length_exceeded");
  }

  /** 400 for a body that is not a JSON object. */
  byte[] notJson() {
    if (this == ANTHROPIC) {
      return anthropic(
          "invalid_request_error", "There was an error parsing the body of your request.");
    }
    return openAi(
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your"
            + " HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
        "invalid_request_error",
        null,
        null);
  }

  /** 400 for a missing required body field. */
  byte[] missingField(String field) {
    if (this == ANTHROPIC) {
      return anthropic("invalid_request_error", field + ": Field required");
    }
    return openAi(
        "Missing required parameter: '" + field + "'.",
        "invalid_request_error",
        field,
        "missing_required_parameter");
  }

  /** 429 with the wait; {@code rpm} is the limit when the rpm window caused it, else 0. */
  byte[] rateLimited(String model, int rpm, long waitMillis, String apiVersion) {
    long seconds = retryAfterSeconds(waitMillis);
    return switch (this) {
      case OPENAI ->
          openAi(
              "Rate limit reached for "
                  + (model == null ? "this model" : model)
                  + " on requests per min (RPM): Limit "
                  + (rpm > 0 ? rpm : "reached")
                  + ". Please try again in "
                  + resetFormat(waitMillis)
                  + ".",
              "requests",
              null,
              "rate_limit_exceeded");
      case AZURE ->
          azure(
              "429",
              "Requests to the ChatCompletions_Create Operation under Azure OpenAI API version "
                  + apiVersion
                  + " have exceeded call rate limit of your current OpenAI S0 pricing tier. Please retry after "
                  + seconds
                  + " seconds. Please go here: https://aka.ms/oai/quotaincrease if you would like to further"
                  + " increase the default rate limit.");
      case ANTHROPIC ->
          anthropic(
              "rate_limit_error",
              "This request would exceed your organization's rate limit of "
                  + (rpm > 0 ? rpm + " " : "")
                  + "requests per minute. For details, refer to:"
                  + " https://docs.anthropic.com/en/api/rate-limits.");
    };
  }

  /** The headers of a 429: {@code Retry-After} always, then each API's own. */
  List<Header> rateLimitHeaders(int rpm, long waitMillis, Instant now) {
    List<Header> headers = new ArrayList<>(5);
    headers.add(new BasicHeader("Retry-After", Long.toString(retryAfterSeconds(waitMillis))));
    if (this == ANTHROPIC) {
      headers.add(new BasicHeader("anthropic-ratelimit-requests-remaining", "0"));
      headers.add(
          new BasicHeader(
              "anthropic-ratelimit-requests-reset", now.plusMillis(waitMillis).toString()));
      if (rpm > 0) {
        headers.add(new BasicHeader("anthropic-ratelimit-requests-limit", Integer.toString(rpm)));
      }
    } else {
      headers.add(new BasicHeader("retry-after-ms", Long.toString(waitMillis)));
      headers.add(new BasicHeader("x-ratelimit-reset-requests", resetFormat(waitMillis)));
      headers.add(new BasicHeader("x-ratelimit-remaining-requests", "0"));
      if (rpm > 0) {
        headers.add(new BasicHeader("x-ratelimit-limit-requests", Integer.toString(rpm)));
      }
    }
    return headers;
  }

  /**
   * The provider's error body for {@code status} (from {@link Behavior#errorRate()} or a STATUS
   * fault).
   */
  byte[] statusError(int status, String model) {
    if (this == ANTHROPIC) {
      return switch (status) {
        case 400 -> anthropic("invalid_request_error", "Invalid request.");
        case 401 -> anthropic("authentication_error", "invalid x-api-key");
        case 403 ->
            anthropic(
                "permission_error",
                "Your API key does not have permission to use the specified" + " resource.");
        case 404 -> anthropic("not_found_error", "model: " + model);
        case 413 ->
            anthropic("request_too_large", "Request exceeds the maximum allowed number of bytes.");
        case 429 ->
            anthropic("rate_limit_error", "Number of requests has exceeded your rate limit.");
        case 504 -> anthropic("timeout_error", "Request timed out.");
        case 503, 529 -> anthropic("overloaded_error", "Overloaded");
        default ->
            status >= 500
                ? anthropic("api_error", "Internal server error")
                : anthropic("invalid_request_error", "HTTP " + status);
      };
    }
    if (this == AZURE) {
      switch (status) {
        case 401:
          return wrongKey();
        case 404:
          return azure(
              "DeploymentNotFound",
              "The API deployment for this resource does not exist. If you created"
                  + " the deployment within the last 5 minutes, please wait a moment and try again.");
        case 429:
          return azure(
              "429",
              "Requests to the ChatCompletions_Create Operation have exceeded call rate limit of"
                  + " your current OpenAI S0 pricing tier.");
        default:
          break;
      }
    }
    return switch (status) {
      case 400 -> openAi("Invalid request.", "invalid_request_error", null, null);
      case 401 -> OPENAI.wrongKey();
      case 403 ->
          openAi(
              "You are not allowed to sample from this model", "invalid_request_error", null, null);
      case 404 ->
          openAi(
              "The model `" + model + "` does not exist or you do not have access to it.",
              "invalid_request_error",
              null,
              "model_not_found");
      case 408 -> openAi("Request timed out.", "timeout", null, null);
      case 413 -> openAi("Request too large.", "invalid_request_error", null, null);
      case 429 ->
          openAi("Rate limit reached for requests", "requests", null, "rate_limit_exceeded");
      case 503 ->
          openAi(
              "The engine is currently overloaded, please try again later.",
              "server_error",
              null,
              null);
      case 502 -> openAi("Bad gateway.", "server_error", null, null);
      case 504 -> openAi("Gateway timeout.", "server_error", null, null);
      default ->
          status >= 500
              ? openAi(
                  "The server had an error while processing your request. Sorry about that!",
                  "server_error",
                  null,
                  null)
              : openAi("HTTP " + status, "invalid_request_error", null, null);
    };
  }

  /** Azure's 400 for a call without {@code api-version}. */
  static byte[] missingApiVersion() {
    return azure(
        "MissingApiVersionParameter",
        "The api-version query parameter (?api-version=) is required for all" + " requests.");
  }

  /** Anthropic's 400 for a call without {@code anthropic-version}. */
  static byte[] missingAnthropicVersion() {
    return anthropic("invalid_request_error", "anthropic-version: header is required");
  }

  /** OpenAI's 404 for a path the mock does not serve. */
  static byte[] invalidUrl(String method, String path) {
    return openAi("Invalid URL (" + method + " " + path + ")", "invalid_request_error", null, null);
  }

  static long retryAfterSeconds(long waitMillis) {
    return (waitMillis + 999) / 1000;
  }

  /**
   * OpenAI's duration format of {@code x-ratelimit-reset-requests}: {@code 20ms}, {@code 1.5s},
   * {@code 6m0s}.
   */
  static String resetFormat(long millis) {
    if (millis < 1000) {
      return millis + "ms";
    }
    if (millis < 60_000) {
      return millis % 1000 == 0
          ? (millis / 1000) + "s"
          : BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString() + "s";
    }
    long seconds = (millis + 999) / 1000;
    return (seconds / 60) + "m" + (seconds % 60) + "s";
  }

  private static byte[] openAi(String message, String type, String param, String code) {
    ObjectNode root = MAPPER.createObjectNode();
    ObjectNode error = root.putObject("error");
    error.put("message", message);
    error.put("type", type);
    error.put("param", param);
    error.put("code", code);
    return bytes(root);
  }

  private static byte[] azure(String code, String message) {
    ObjectNode root = MAPPER.createObjectNode();
    ObjectNode error = root.putObject("error");
    error.put("code", code);
    error.put("message", message);
    return bytes(root);
  }

  private static byte[] anthropic(String type, String message) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("type", "error");
    ObjectNode error = root.putObject("error");
    error.put("type", type);
    error.put("message", message);
    return bytes(root);
  }

  private static byte[] bytes(ObjectNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
