package io.switchboard.worker.retry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.json.Json;
import io.switchboard.worker.provider.ProviderResponse;
import io.switchboard.worker.provider.TransportFailure;
import java.time.Duration;
import java.util.Map;

/** Provider responses for tests. */
final class Responses {
  private Responses() {}

  static ProviderResponse completion() {
    ObjectNode body =
        (ObjectNode)
            Json.parse(
                """
        {"id":"c1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},
         "finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}""");
    return ProviderResponse.http(200, Map.of(), body, null, Duration.ofMillis(5));
  }

  static ProviderResponse status(int status) {
    return status(status, Map.of());
  }

  static ProviderResponse status(int status, Map<String, String> headers) {
    return ProviderResponse.http(
        status, headers, error("server_error", null, "failed"), null, Duration.ofMillis(5));
  }

  static ProviderResponse error(int status, String type, String code, String message) {
    return ProviderResponse.http(
        status, Map.of(), error(type, code, message), null, Duration.ofMillis(5));
  }

  static ProviderResponse body(int status, String json) {
    return ProviderResponse.http(
        status, Map.of(), (ObjectNode) Json.parse(json), null, Duration.ofMillis(5));
  }

  static ProviderResponse failure(TransportFailure.Kind kind) {
    return ProviderResponse.failed(
        new TransportFailure(kind, kind + " for test"), Duration.ofMillis(5));
  }

  private static ObjectNode error(String type, String code, String message) {
    ObjectNode error = Json.mapper().createObjectNode();
    error.putObject("error").put("message", message).put("type", type).put("code", code);
    return error;
  }
}
