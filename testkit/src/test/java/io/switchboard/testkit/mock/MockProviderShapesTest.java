package io.switchboard.testkit.mock;

import static io.switchboard.testkit.mock.Http.chat;
import static io.switchboard.testkit.mock.Http.messages;
import static io.switchboard.testkit.mock.Http.post;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class MockProviderShapesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static MockProvider mock;

  @BeforeAll
  static void start() {
    mock = MockProvider.start();
  }

  @AfterAll
  static void stop() {
    mock.close();
  }

  @BeforeEach
  void fresh() {
    mock.reset();
    mock.clearCalls();
  }

  @Test
  void openAiAnswersAChatCompletionEchoingTheModel() throws Exception {
    HttpResponse<String> r =
        post(mock.baseUrl("gpt-a") + "/v1/chat/completions", chat("gpt-4o", "hello"));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("id").asText()).startsWith("chatcmpl-");
    assertThat(body.get("object").asText()).isEqualTo("chat.completion");
    assertThat(body.get("created").asLong()).isPositive();
    assertThat(body.get("model").asText()).isEqualTo("gpt-4o");
    JsonNode choice = body.get("choices").get(0);
    assertThat(choice.get("index").asInt()).isZero();
    assertThat(choice.get("message").get("role").asText()).isEqualTo("assistant");
    assertThat(choice.get("message").get("content").asText()).isEqualTo("mock reply to: hello");
    assertThat(choice.get("finish_reason").asText()).isEqualTo("stop");
    // "be brief" + "hello" = 13 characters -> 4 tokens; the 20-character reply -> 5 tokens
    assertThat(body.get("usage").get("prompt_tokens").asInt()).isEqualTo(4);
    assertThat(body.get("usage").get("completion_tokens").asInt()).isEqualTo(5);
    assertThat(body.get("usage").get("total_tokens").asInt()).isEqualTo(9);
  }

  @Test
  void openAiWithoutPrefixIsTheDefaultDeploymentAndMaxTokensTruncates() throws Exception {
    String body =
        "{\"model\":\"m\",\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"a long question\"}]}";
    HttpResponse<String> r = post(mock.baseUrl() + "/v1/chat/completions", body);

    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode json = JSON.readTree(r.body());
    assertThat(json.get("choices").get(0).get("finish_reason").asText()).isEqualTo("length");
    assertThat(json.get("usage").get("completion_tokens").asInt()).isEqualTo(2);
    assertThat(json.get("choices").get(0).get("message").get("content").asText())
        .isEqualTo("mock rep");
    assertThat(mock.calls())
        .singleElement()
        .satisfies(c -> assertThat(c.deployment()).isEqualTo(MockProvider.DEFAULT_DEPLOYMENT));
  }

  @Test
  void azureAnswersUnderItsDeploymentPathAndRequiresApiVersion() throws Exception {
    String url = mock.baseUrl("az-1") + "/openai/deployments/my-gpt4o/chat/completions";
    String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi there\"}]}";

    HttpResponse<String> ok = post(url + "?api-version=2024-10-21", body, "api-key", "k");
    assertThat(ok.statusCode()).isEqualTo(200);
    JsonNode json = JSON.readTree(ok.body());
    assertThat(json.get("object").asText()).isEqualTo("chat.completion");
    assertThat(json.get("model").asText()).isEqualTo("my-gpt4o");
    assertThat(json.get("choices").get(0).get("message").get("content").asText())
        .isEqualTo("mock reply to: hi there");

    HttpResponse<String> noVersion = post(url, body, "api-key", "k");
    assertThat(noVersion.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(noVersion.body()).get("error").get("code").asText())
        .isEqualTo("MissingApiVersionParameter");

    assertThat(mock.calls("az-1"))
        .extracting(Call::api, Call::model, Call::status, Call::credentialPresent)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("azure", "my-gpt4o", 200, true),
            org.assertj.core.groups.Tuple.tuple("azure", "my-gpt4o", 400, true));
  }

  @Test
  void anthropicAnswersAMessage() throws Exception {
    HttpResponse<String> r =
        post(
            mock.baseUrl("claude-1") + "/v1/messages",
            messages("claude-3-5-haiku", "hello", 64),
            "anthropic-version",
            "2023-06-01",
            "x-api-key",
            "k");

    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("id").asText()).startsWith("msg_");
    assertThat(body.get("type").asText()).isEqualTo("message");
    assertThat(body.get("role").asText()).isEqualTo("assistant");
    assertThat(body.get("model").asText()).isEqualTo("claude-3-5-haiku");
    assertThat(body.get("content").get(0).get("type").asText()).isEqualTo("text");
    assertThat(body.get("content").get(0).get("text").asText()).isEqualTo("mock reply to: hello");
    assertThat(body.get("stop_reason").asText()).isEqualTo("end_turn");
    assertThat(body.get("usage").get("input_tokens").asInt()).isEqualTo(4);
    assertThat(body.get("usage").get("output_tokens").asInt()).isEqualTo(5);

    HttpResponse<String> short_ =
        post(
            mock.baseUrl("claude-1") + "/v1/messages",
            messages("c", "hello", 1),
            "anthropic-version",
            "2023-06-01");
    assertThat(JSON.readTree(short_.body()).get("stop_reason").asText()).isEqualTo("max_tokens");
  }

  @Test
  void anthropicRequiresItsVersionHeaderAndMaxTokens() throws Exception {
    String url = mock.baseUrl("claude-1") + "/v1/messages";
    HttpResponse<String> noVersion = post(url, messages("c", "hello", 64));
    assertThat(noVersion.statusCode()).isEqualTo(400);
    assertThat(noVersion.body())
        .isEqualTo(
            "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"anthropic-version: header is required\"}}");

    HttpResponse<String> noMax = post(url, chat("c", "hello"), "anthropic-version", "2023-06-01");
    assertThat(noMax.statusCode()).isEqualTo(400);
    assertThat(noMax.body())
        .isEqualTo(
            "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"max_tokens: Field required\"}}");
  }

  @Test
  void badBodiesAndUnknownPathsGetTheProvidersErrors() throws Exception {
    HttpResponse<String> notJson = post(mock.baseUrl("d") + "/v1/chat/completions", "{not json");
    assertThat(notJson.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(notJson.body()).get("error").get("type").asText())
        .isEqualTo("invalid_request_error");

    HttpResponse<String> noMessages =
        post(mock.baseUrl("d") + "/v1/chat/completions", "{\"model\":\"m\"}");
    assertThat(noMessages.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(noMessages.body()).get("error").get("param").asText())
        .isEqualTo("messages");

    HttpResponse<String> unknown = post(mock.baseUrl("d") + "/v1/completions", chat("m", "x"));
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(unknown.body()).get("error").get("message").asText())
        .isEqualTo("Invalid URL (POST /d/d/v1/completions)");
    assertThat(mock.calls("d"))
        .extracting(Call::api)
        .containsExactly("openai", "openai", "unknown");
  }

  @Test
  void tooLargeBodiesGet413() throws Exception {
    try (MockProvider small =
        MockProvider.start(MockProviderOptions.defaults().withMaxBodyBytes(100))) {
      HttpResponse<String> r =
          post(small.baseUrl() + "/v1/chat/completions", chat("m", "x".repeat(200)));
      assertThat(r.statusCode()).isEqualTo(413);
      assertThat(post(small.baseUrl() + "/v1/chat/completions", chat("m", "x")).statusCode())
          .isEqualTo(200);
    }
  }

  @Test
  void anyHostHeaderIsServed() throws Exception {
    HttpResponse<String> r =
        post("http://localhost:" + mock.port() + "/d/h/v1/chat/completions", chat("m", "x"));
    assertThat(r.statusCode()).isEqualTo(200);
  }

  @Test
  void healthAnswersWithoutBeingLogged() throws Exception {
    HttpResponse<String> r =
        Http.CLIENT.send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create(mock.baseUrl() + "/health"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(mock.callCount()).isZero();
  }
}
