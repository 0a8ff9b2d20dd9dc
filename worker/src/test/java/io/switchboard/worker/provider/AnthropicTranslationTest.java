package io.switchboard.worker.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.provider.StopReason;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AnthropicTranslationTest {

  @Test
  void systemMessagesBecomeTheSystemFieldAndTurnsAreMerged() {
    ObjectNode out =
        AnthropicTranslation.toAnthropic(
            Deployments.json(
                """
        {"model":"c","messages":[
          {"role":"system","content":"One."},
          {"role":"user","content":"Hi"},
          {"role":"user","content":[{"type":"text","text":"again"},
                                    {"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]},
          {"role":"developer","content":[{"type":"text","text":"Two."}]},
          {"role":"assistant","content":"Hello"}],
         "max_completion_tokens":77,"stop":"END","temperature":0.5,"user":"u-1","top_k":5,"frequency_penalty":1}"""));
    assertThat(out.path("system").asText()).isEqualTo("One.\n\nTwo.");
    assertThat(out.path("max_tokens").asInt()).isEqualTo(77);
    assertThat(out.path("messages")).hasSize(2);
    JsonNode user = out.path("messages").path(0);
    assertThat(user.path("role").asText()).isEqualTo("user");
    assertThat(user.path("content")).hasSize(3);
    assertThat(user.path("content").path(2).path("source").path("type").asText())
        .isEqualTo("base64");
    assertThat(user.path("content").path(2).path("source").path("media_type").asText())
        .isEqualTo("image/png");
    assertThat(out.path("messages").path(1).path("content").path(0).path("text").asText())
        .isEqualTo("Hello");
    assertThat(out.path("stop_sequences").path(0).asText()).isEqualTo("END");
    assertThat(out.path("temperature").asDouble()).isEqualTo(0.5);
    assertThat(out.path("metadata").path("user_id").asText()).isEqualTo("u-1");
    assertThat(out.path("top_k").asInt()).isEqualTo(5);
    assertThat(out.has("frequency_penalty")).isFalse();
    assertThat(out.has("user")).isFalse();
  }

  @Test
  void maxTokensComesFromTheBodyOrTheDefault() {
    assertThat(
            AnthropicTranslation.toAnthropic(
                    Deployments.json("{\"messages\":[],\"max_tokens\":12}"))
                .path("max_tokens")
                .asInt())
        .isEqualTo(12);
    assertThat(
            AnthropicTranslation.toAnthropic(Deployments.json("{\"messages\":[]}"))
                .path("max_tokens")
                .asInt())
        .isEqualTo(1024);
  }

  @Test
  void toolsAndToolTurnsAreTranslated() {
    ObjectNode out =
        AnthropicTranslation.toAnthropic(
            Deployments.json(
                """
        {"messages":[
          {"role":"user","content":"Weather?"},
          {"role":"assistant","content":null,"tool_calls":[{"id":"t1","type":"function",
             "function":{"name":"weather","arguments":"{\\"city\\":\\"Oslo\\"}"}}]},
          {"role":"tool","tool_call_id":"t1","content":"rain"}],
         "tools":[{"type":"function","function":{"name":"weather","description":"d",
             "parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}],
         "tool_choice":{"type":"function","function":{"name":"weather"}}}"""));
    JsonNode use = out.path("messages").path(1).path("content").path(0);
    assertThat(use.path("type").asText()).isEqualTo("tool_use");
    assertThat(use.path("input").path("city").asText()).isEqualTo("Oslo");
    JsonNode result = out.path("messages").path(2).path("content").path(0);
    assertThat(out.path("messages").path(2).path("role").asText()).isEqualTo("user");
    assertThat(result.path("type").asText()).isEqualTo("tool_result");
    assertThat(result.path("tool_use_id").asText()).isEqualTo("t1");
    assertThat(out.path("tools").path(0).path("input_schema").path("type").asText())
        .isEqualTo("object");
    assertThat(out.path("tool_choice").path("type").asText()).isEqualTo("tool");
    assertThat(out.path("tool_choice").path("name").asText()).isEqualTo("weather");
    assertThat(
            AnthropicTranslation.toAnthropic(
                    Deployments.json("{\"messages\":[],\"tool_choice\":\"required\"}"))
                .path("tool_choice")
                .path("type")
                .asText())
        .isEqualTo("any");
  }

  @Test
  void responsesMapToChatCompletions() {
    ObjectNode completion =
        AnthropicTranslation.toOpenAi(
            Deployments.json(
                """
        {"id":"msg_1","type":"message","model":"claude","stop_reason":"tool_use",
         "content":[{"type":"text","text":"Let me check."},
                    {"type":"tool_use","id":"t9","name":"weather","input":{"city":"Oslo"}}],
         "usage":{"input_tokens":10,"cache_read_input_tokens":5,"output_tokens":4}}"""),
            Instant.ofEpochSecond(99));
    assertThat(completion.path("object").asText()).isEqualTo("chat.completion");
    assertThat(completion.path("created").asLong()).isEqualTo(99);
    JsonNode choice = completion.path("choices").path(0);
    assertThat(choice.path("finish_reason").asText()).isEqualTo("tool_calls");
    assertThat(choice.path("message").path("content").asText()).isEqualTo("Let me check.");
    assertThat(
            choice
                .path("message")
                .path("tool_calls")
                .path(0)
                .path("function")
                .path("arguments")
                .asText())
        .isEqualTo("{\"city\":\"Oslo\"}");
    assertThat(completion.path("usage").path("prompt_tokens").asInt()).isEqualTo(15);
    assertThat(completion.path("usage").path("completion_tokens").asInt()).isEqualTo(4);
    assertThat(completion.path("usage").path("total_tokens").asInt()).isEqualTo(19);
    assertThat(
            AnthropicTranslation.toOpenAi(Deployments.json("{\"type\":\"error\"}"), Instant.EPOCH))
        .isNull();
  }

  @Test
  void stopReasonsMap() {
    assertThat(StopReason.toOpenAi("end_turn")).isEqualTo("stop");
    assertThat(StopReason.toOpenAi("stop_sequence")).isEqualTo("stop");
    assertThat(StopReason.toOpenAi("max_tokens")).isEqualTo("length");
    assertThat(StopReason.toOpenAi("tool_use")).isEqualTo("tool_calls");
    assertThat(StopReason.toOpenAi("refusal")).isEqualTo("content_filter");
    assertThat(StopReason.toOpenAi(null)).isEqualTo("stop");
  }
}
