package io.switchboard.worker.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.config.Provider;
import io.switchboard.schemas.config.WorkerSettings;
import io.switchboard.schemas.json.Json;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Exactly what each adapter sends, and how it reads answers the mock provider never gives. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AdapterRequestTest {
  private static final String KEY = "sk-proj-AbCdEf0123456789xyz";
  private static final String OTHER_KEY_SHAPED = "sk-live-zzzz99998888";
  private final RecordingServer server = new RecordingServer();
  private final ProviderClients clients =
      ProviderClients.start(WorkerSettings.DEFAULT, Map.of("KEY", KEY)::get, Clock.systemUTC());

  @AfterEach
  void stop() {
    clients.close();
    server.close();
  }

  private ProviderResponse call(DeploymentConfig deployment, ObjectNode body) {
    ProviderResponse response =
        clients.call(new ProviderCall(deployment, body, "req-7", Duration.ofSeconds(30))).join();
    String everything =
        response
            + response.describe()
            + (response.body() == null ? "" : Json.toString(response.body()));
    assertThat(everything).doesNotContain(KEY).doesNotContain(OTHER_KEY_SHAPED);
    return response;
  }

  private static final String OPENAI_OK =
      """
      {"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,
       "message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],
       "usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}""";

  @Test
  void openAiGetsTheShapedBodyTheBearerKeyAndTheRequestId() {
    server.answer(200, OPENAI_OK);
    ObjectNode overrides = Deployments.json("{\"temperature\":0.1,\"seed\":7}");
    DeploymentConfig d =
        Deployments.withExtras(
            Deployments.of(Provider.OPENAI, "oa", "gpt-4o", server.baseUrl() + "/v1/", "KEY"),
            null,
            List.of(Deployments.json("{\"role\":\"system\",\"content\":\"Answer in English.\"}")),
            overrides);
    ObjectNode body = Deployments.body("Hi");
    body.put("temperature", 1.5).put("stream", true);
    ObjectNode original = body.deepCopy();
    ProviderResponse response = call(d, body);

    assertThat(response.usage()).isEqualTo(new Usage(5, 2));
    assertThat(body).as("the caller's body is not modified").isEqualTo(original);
    RecordingServer.Received sent = server.last();
    assertThat(sent.method()).isEqualTo("POST");
    assertThat(sent.pathAndQuery()).isEqualTo("/v1/chat/completions");
    assertThat(sent.headers())
        .containsEntry("authorization", "Bearer " + KEY)
        .containsEntry("x-switchboard-request-id", "req-7");
    assertThat(sent.headers().get("content-type")).startsWith("application/json");
    JsonNode json = Json.parse(sent.body());
    assertThat(json.path("model").asText()).isEqualTo("gpt-4o");
    assertThat(json.path("temperature").asDouble()).isEqualTo(0.1);
    assertThat(json.path("seed").asInt()).isEqualTo(7);
    assertThat(json.has("stream")).isFalse();
    assertThat(json.path("messages")).hasSize(2);
    assertThat(json.path("messages").path(1).path("content").asText())
        .isEqualTo("Answer in English.");
  }

  @Test
  void azureUsesTheDeploymentPathTheApiVersionAndTheApiKeyHeader() {
    server.answer(200, OPENAI_OK);
    DeploymentConfig d =
        Deployments.withExtras(
            Deployments.of(Provider.AZURE, "az", "gpt 4o prod", server.baseUrl(), "KEY"),
            "2024-06-01",
            List.of(),
            null);
    call(d, Deployments.body("Hi"));
    assertThat(server.last().pathAndQuery())
        .isEqualTo("/openai/deployments/gpt%204o%20prod/chat/completions?api-version=2024-06-01");
    assertThat(server.last().headers())
        .containsEntry("api-key", KEY)
        .doesNotContainKey("authorization");
    call(
        Deployments.of(Provider.AZURE, "az2", "dep", server.baseUrl(), "KEY"),
        Deployments.body("Hi"));
    assertThat(server.last().pathAndQuery())
        .endsWith("?api-version=" + AzureOpenAiClient.DEFAULT_API_VERSION);
  }

  @Test
  void anthropicGetsAMessagesBodyAndItsHeaders() {
    server.answer(
        200,
        """
        {"id":"msg_1","type":"message","role":"assistant","model":"claude-x","content":[{"type":"text","text":"yo"}],
         "stop_reason":"end_turn","usage":{"input_tokens":9,"output_tokens":3}}""");
    DeploymentConfig d =
        Deployments.of(Provider.ANTHROPIC, "an", "claude-x", server.baseUrl() + "/v1", "KEY");
    ObjectNode body =
        Deployments.json(
            """
        {"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}],"n":2}""");
    ProviderResponse response = call(d, body);
    assertThat(response.isCompletion()).isTrue();
    assertThat(response.usage()).isEqualTo(new Usage(9, 3));
    assertThat(response.body().path("choices").path(0).path("message").path("content").asText())
        .isEqualTo("yo");
    RecordingServer.Received sent = server.last();
    assertThat(sent.pathAndQuery()).isEqualTo("/v1/messages");
    assertThat(sent.headers())
        .containsEntry("x-api-key", KEY)
        .containsEntry("anthropic-version", "2023-06-01")
        .containsEntry("x-switchboard-request-id", "req-7")
        .doesNotContainKey("authorization");
    JsonNode json = Json.parse(sent.body());
    assertThat(json.path("system").asText()).isEqualTo("Be brief.");
    assertThat(json.path("max_tokens").asInt()).isEqualTo(AnthropicTranslation.DEFAULT_MAX_TOKENS);
    assertThat(json.path("model").asText()).isEqualTo("claude-x");
    assertThat(json.has("n")).isFalse();
    assertThat(json.path("messages")).hasSize(1);
  }

  @Test
  void anthropicErrorsAreMappedToOpenAisErrorShape() {
    server.answer(
        400,
        """
        {"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 300 tokens > 200 maximum"}}""");
    ProviderResponse response =
        call(
            Deployments.of(Provider.ANTHROPIC, "an", "c", server.baseUrl(), "KEY"),
            Deployments.body("Hi"));
    assertThat(response.body().path("error").path("type").asText())
        .isEqualTo("invalid_request_error");
    assertThat(response.errorMessage()).startsWith("prompt is too long");
  }

  @Test
  void keysEchoedInErrorBodiesAndHeadersAreRedacted() {
    server.answer(
        401,
        "{\"error\":{\"message\":\"Incorrect API key provided: "
            + KEY
            + "; also "
            + OTHER_KEY_SHAPED
            + "\",\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}",
        Map.of("retry-after", KEY));
    ProviderResponse response =
        call(
            Deployments.of(Provider.OPENAI, "oa", "m", server.baseUrl(), "KEY"),
            Deployments.body("Hi"));
    assertThat(response.errorMessage())
        .contains(Redactor.REDACTED)
        .contains("Incorrect API key provided");
    assertThat(response.errorCode()).isEqualTo("invalid_api_key");
    assertThat(response.headers().values()).doesNotContain(KEY);
    server.answer(200, "upstream proxy says: bad key " + KEY);
    ProviderResponse garbage =
        call(
            Deployments.of(Provider.OPENAI, "oa", "m", server.baseUrl(), "KEY"),
            Deployments.body("Hi"));
    assertThat(garbage.errorMessage())
        .contains("not a chat completion")
        .contains(Redactor.REDACTED);
  }

  @Test
  void aCompletionEchoingTheKeyIsReadWithTheKeyRedacted() {
    server.answer(
        200,
        "{\"id\":\"c\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,"
            + "\"message\":{\"role\":\"assistant\",\"content\":\"your key is "
            + KEY
            + ", mine sk-\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1,"
            + "\"completion_tokens\":2,\"total_tokens\":3}}");
    ProviderResponse response =
        call(
            Deployments.of(Provider.OPENAI, "oa", "m", server.baseUrl(), "KEY"),
            Deployments.body("Hi"));
    String content =
        response.body().path("choices").path(0).path("message").path("content").asText();
    assertThat(content).isEqualTo("your key is " + Redactor.REDACTED + ", mine sk-");
    assertThat(response.usage()).isEqualTo(new Usage(1, 2));
  }

  @Test
  void errorBodiesOfOtherShapesStillGiveAMessage() {
    DeploymentConfig d =
        Deployments.of(Provider.OPENAI_COMPATIBLE, "vllm", "m", server.baseUrl(), null);
    server.answer(400, "{\"detail\":\"This model's maximum context length is 4096 tokens\"}");
    assertThat(call(d, Deployments.body("Hi")).errorMessage()).contains("maximum context length");
    server.answer(500, "{\"error\":\"boom\"}");
    assertThat(call(d, Deployments.body("Hi")).errorMessage()).isEqualTo("boom");
    server.answer(502, "<html>Bad Gateway</html>");
    assertThat(call(d, Deployments.body("Hi")).errorMessage())
        .isEqualTo("<html>Bad Gateway</html>");
    server.answer(503, "");
    assertThat(call(d, Deployments.body("Hi")).errorMessage()).isEqualTo("HTTP 503");
    assertThat(server.last().headers()).doesNotContainKey("authorization");
  }

  @Test
  void retryHeadersAreKeptInLowerCase() {
    server.answer(
        429,
        "{\"error\":{\"message\":\"slow down\"}}",
        Map.of("Retry-After", "3", "x-ratelimit-reset-tokens", "6m0s", "X-Unrelated", "x"));
    ProviderResponse response =
        call(
            Deployments.of(Provider.OPENAI, "oa", "m", server.baseUrl(), "KEY"),
            Deployments.body("Hi"));
    assertThat(response.headers())
        .containsEntry("retry-after", "3")
        .containsEntry("x-ratelimit-reset-tokens", "6m0s")
        .doesNotContainKey("x-unrelated");
  }

  @Test
  void deploymentsWithoutTheNeededSettingsAreNotConfigured() {
    ProviderResponse noBase =
        call(Deployments.of(Provider.AZURE, "az", "m", null, "KEY"), Deployments.body("Hi"));
    assertThat(noBase.failure().kind()).isEqualTo(TransportFailure.Kind.NOT_CONFIGURED);
    assertThat(noBase.failure().message()).contains("api_base").contains("az");
    ProviderResponse noKey =
        call(
            Deployments.of(Provider.ANTHROPIC, "an", "m", server.baseUrl(), null),
            Deployments.body("Hi"));
    assertThat(noKey.failure().message()).contains("api_key").contains("an");
    ProviderResponse badUrl =
        call(
            Deployments.of(Provider.OPENAI, "oa", "m", "http://not a url", "KEY"),
            Deployments.body("Hi"));
    assertThat(badUrl.failure().kind()).isEqualTo(TransportFailure.Kind.NOT_CONFIGURED);
    assertThat(server.received()).isEmpty();
  }
}
