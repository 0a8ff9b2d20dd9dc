package io.switchboard.worker.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.config.Provider;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestShaperTest {
  @Test
  void appendsMessagesMergesOverridesAndSetsTheModel() {
    DeploymentConfig d =
        Deployments.withExtras(
            Deployments.of(Provider.OPENAI, "d", "gpt-x", "http://h", "K"),
            null,
            List.of(Deployments.json("{\"role\":\"system\",\"content\":\"S\"}")),
            Deployments.json("{\"temperature\":0,\"response_format\":{\"type\":\"json_object\"}}"));
    ObjectNode body =
        Deployments.json(
            """
        {"model":"alias","messages":[{"role":"user","content":"U"}],"temperature":1,"stream":true,
         "stream_options":{"include_usage":true}}""");
    ObjectNode shaped = RequestShaper.shape(d, body);
    assertThat(shaped.path("model").asText()).isEqualTo("gpt-x");
    assertThat(shaped.path("messages")).hasSize(2);
    assertThat(shaped.path("messages").path(1).path("content").asText()).isEqualTo("S");
    assertThat(shaped.path("temperature").asInt()).isZero();
    assertThat(shaped.path("response_format").path("type").asText()).isEqualTo("json_object");
    assertThat(shaped.has("stream")).isFalse();
    assertThat(shaped.has("stream_options")).isFalse();
    assertThat(body.path("messages")).hasSize(1);
    assertThat(body.path("model").asText()).isEqualTo("alias");
  }

  @Test
  void aBodyWithoutMessagesGetsTheDeploymentsMessages() {
    DeploymentConfig d =
        Deployments.withExtras(
            Deployments.of(Provider.OPENAI, "d", "m", "http://h", "K"),
            null,
            List.of(Deployments.json("{\"role\":\"user\",\"content\":\"x\"}")),
            null);
    assertThat(RequestShaper.shape(d, Deployments.json("{}")).path("messages")).hasSize(1);
  }

  @Test
  void fieldsOfClientLibrariesNeverReachTheProvider() {
    DeploymentConfig d = Deployments.of(Provider.OPENAI, "d", "m", "http://h", "K");
    ObjectNode body =
        Deployments.json(
            "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
                + "\"api_key\":\"sk-stolen\",\"api_base\":\"http://evil\",\"headers\":{\"x\":\"y\"},\"temperature\":0.5}");
    ObjectNode shaped = RequestShaper.shape(d, body);
    assertThat(shaped.has("api_key")).isFalse();
    assertThat(shaped.has("api_base")).isFalse();
    assertThat(shaped.has("headers")).isFalse();
    assertThat(shaped.get("temperature").asDouble()).isEqualTo(0.5);
  }

  @Test
  void theCallersBodyIsLeftAsItWasAndSharesNothingTheShapeChanged() {
    DeploymentConfig d =
        Deployments.withExtras(
            Deployments.of(Provider.OPENAI, "d", "gpt-x", "http://h", "K"),
            null,
            List.of(Deployments.json("{\"role\":\"system\",\"content\":\"S\"}")),
            Deployments.json("{\"temperature\":0}"));
    ObjectNode body =
        Deployments.json(
            "{\"model\":\"alias\",\"messages\":[{\"role\":\"user\",\"content\":\"U\"}],"
                + "\"temperature\":1,\"stream\":true,\"api_key\":\"sk-x\",\"tools\":[{\"a\":1}]}");
    ObjectNode before = body.deepCopy();

    ObjectNode shaped = RequestShaper.shape(d, body);
    shaped.put("extra", 1);
    ((com.fasterxml.jackson.databind.node.ArrayNode) shaped.get("messages")).addObject();

    assertThat(body).isEqualTo(before);
    assertThat(shaped.path("tools")).isEqualTo(before.path("tools"));
  }
}
