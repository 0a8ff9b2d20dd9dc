package io.switchboard.schemas.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeploymentIdsTest {
  @Test
  void anOnlyDeploymentIsNamedByItsAliasAndSiblingsAreNumberedInFileOrder() {
    assertThat(
            DeploymentIds.of(
                List.of("solo", "pair", "chat", "pair", "chat"),
                Arrays.asList(null, null, "chat-a", null, null)))
        .containsExactly("solo", "pair-1", "chat-a", "pair-2", "chat-2");
  }

  @Test
  void aLoadedConfigAssignsIdsByTheSameRule() {
    SwitchboardConfig config =
        new ConfigLoader(name -> null)
            .parse(
                """
        model_list:
          - {model_name: solo}
          - {model_name: pair}
          - {model_name: pair, deployment_id: explicit}
        """,
                "ids.yaml");
    assertThat(config.modelList())
        .extracting(DeploymentConfig::deploymentId)
        .containsExactly("solo", "pair-1", "explicit");
  }

  @Test
  void aDerivedIdThatCollidesWithAnExplicitOneIsNamed() {
    assertThatThrownBy(
            () ->
                new ConfigLoader(name -> null)
                    .parse(
                        """
        model_list:
          - {model_name: a, deployment_id: b}
          - {model_name: b}
        """,
                        "dup.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("dup.yaml")
        .hasMessageContaining("model_list[1].deployment_id: 'b' is used twice");
  }
}
