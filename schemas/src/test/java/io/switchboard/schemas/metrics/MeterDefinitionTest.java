package io.switchboard.schemas.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class MeterDefinitionTest {
  private static final MeterDefinition CALLS =
      () ->
          new MeterDefinition.Spec(
              "switchboard.calls",
              MeterDefinition.Type.COUNTER,
              "calls",
              null,
              List.of(MeterDefinition.Tag.DEPLOYMENT, MeterDefinition.Tag.MODEL));

  @Test
  void tagPairsAlternateKeysAndValuesInDeclaredOrder() {
    assertThat(CALLS.tagPairs("east", null)).containsExactly("deployment", "east", "model", "");
  }

  @Test
  void tagPairsRefuseAnotherNumberOfValues() {
    assertThatThrownBy(() -> CALLS.tagPairs("east"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[deployment, model]")
        .hasMessageContaining("got 1 values");
  }
}
