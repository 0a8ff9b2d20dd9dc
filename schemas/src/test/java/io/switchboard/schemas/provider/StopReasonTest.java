package io.switchboard.schemas.provider;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StopReasonTest {
  @Test
  void anthropicStopReasonsMapToOpenAiFinishReasons() {
    assertThat(StopReason.toOpenAi("end_turn")).isEqualTo("stop");
    assertThat(StopReason.toOpenAi("stop_sequence")).isEqualTo("stop");
    assertThat(StopReason.toOpenAi("max_tokens")).isEqualTo("length");
    assertThat(StopReason.toOpenAi("tool_use")).isEqualTo("tool_calls");
    assertThat(StopReason.toOpenAi("refusal")).isEqualTo("content_filter");
    assertThat(StopReason.toOpenAi(null)).isEqualTo("stop");
    assertThat(StopReason.toOpenAi("pause_turn")).isEqualTo("stop");
  }

  @Test
  void openAiFinishReasonsMapToAnthropicStopReasons() {
    assertThat(StopReason.toAnthropic("stop")).isEqualTo("end_turn");
    assertThat(StopReason.toAnthropic("length")).isEqualTo("max_tokens");
    assertThat(StopReason.toAnthropic("tool_calls")).isEqualTo("tool_use");
    assertThat(StopReason.toAnthropic("function_call")).isEqualTo("tool_use");
    assertThat(StopReason.toAnthropic("content_filter")).isEqualTo("refusal");
    assertThat(StopReason.toAnthropic(null)).isEqualTo("end_turn");
    assertThat(StopReason.toAnthropic("something_new")).isEqualTo("end_turn");
  }

  @Test
  void everyOpenAiNameRoundTripsThroughAnthropic() {
    for (StopReason r : StopReason.values()) {
      assertThat(StopReason.toOpenAi(StopReason.toAnthropic(r.openAi()))).isEqualTo(r.openAi());
    }
  }
}
