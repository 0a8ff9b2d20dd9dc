package io.switchboard.router;

import static io.switchboard.router.Harness.NOW;
import static io.switchboard.router.Harness.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.schemas.DeploymentHealth;
import io.switchboard.schemas.Dispatch;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** With dynamic weights on, observed errors move traffic away, but never below the floor. */
class DynamicWeightRulesTest {
  static String yaml(boolean enabled) {
    return """
        model_list:
          - {model_name: chat, deployment_id: chat-a}
          - {model_name: chat, deployment_id: chat-b}
        router_settings:
          dynamic_weights: {enabled: %s, min_share_fraction: 0.2}
        topics: {request_partitions: 1}
        """
        .formatted(enabled);
  }

  static Map<String, Long> route(boolean enabled) {
    try (Harness h = new Harness(yaml(enabled))) {
      h.health.pipeInput("chat-b", new DeploymentHealth("chat-b", null, null, 2, 0.8, 100, NOW));
      h.health.pipeInput("chat-a", new DeploymentHealth("chat-a", null, null, 0, 0.0, 100, NOW));
      for (int i = 0; i < 200; i++) {
        h.send(request("r" + i, "chat"));
      }
      return h.dispatch.readValuesToList().stream()
          .collect(Collectors.groupingBy(Dispatch::deploymentId, Collectors.counting()));
    }
  }

  @Test
  void errorRateMovesTrafficAwayButKeepsTheFloor() {
    Map<String, Long> split = route(true);
    // configured 100/100; chat-b's floor is 0.2 of its share: at least 20 of 200.
    assertThat(split.get("chat-b")).isBetween(20L, 60L);
    assertThat(split.get("chat-a")).isEqualTo(200L - split.get("chat-b"));
  }

  @Test
  void offByDefaultTheSplitStaysExact() {
    assertThat(route(false)).containsEntry("chat-a", 100L).containsEntry("chat-b", 100L);
  }
}
