package io.switchboard.schemas.config.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.config.ConfigException;
import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.SwitchboardConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LiveSectionsTest {
  private static final String FILE =
      """
      model_list:
        - {model_name: chat, deployment_id: a, api_base: "http://localhost:1/v1", weight: 3, api_key: "${KEY_A}"}
        - {model_name: chat, deployment_id: b, api_base: "http://localhost:1/v1", weight: 1}
      fallbacks: {chat: [b]}
      router_settings: {timeout_ms: 5000, application_id: my-router, state_dir: /tmp/state}
      worker_settings: {max_in_flight_per_lane: 7}
      topics: {request_partitions: 2, requests: my.requests}
      kafka: {bootstrap.servers: "localhost:9092", sasl.jaas.config: "secret-${PASSWORD}"}
      """;

  private static SwitchboardConfig load(String yaml) {
    return new ConfigLoader(name -> "value-of-" + name).parse(yaml, "f.yaml");
  }

  @Test
  void aVersionCarriesTheRoutingSectionsAndNothingOfTheProcess() {
    ObjectNode body = LiveSections.of(load(FILE));

    assertThat(body.fieldNames()).toIterable().allMatch(LiveSections.KEYS::contains);
    assertThat(body.has("kafka")).isFalse();
    assertThat(body.has("topics")).isFalse();
    assertThat(body.has("worker_settings")).isFalse();
    assertThat(body.get("router_settings").has("application_id")).isFalse();
    assertThat(body.get("router_settings").has("state_dir")).isFalse();
    assertThat(body.toString()).doesNotContain("value-of-PASSWORD").contains("${KEY_A}");
    assertThat(body.at("/model_list/0/weight").asDouble()).isEqualTo(3.0);
  }

  @Test
  void applyingAVersionChangesItsSectionsAndKeepsTheProcesssOwn() {
    SwitchboardConfig local = load(FILE);
    SwitchboardConfig other =
        load(
            FILE.replace("weight: 3", "weight: 1")
                .replace("weight: 1}", "weight: 3}")
                .replace("timeout_ms: 5000", "timeout_ms: 9000")
                .replace("application_id: my-router", "application_id: elsewhere")
                .replace("max_in_flight_per_lane: 7", "max_in_flight_per_lane: 1")
                .replace("request_partitions: 2", "request_partitions: 9"));

    SwitchboardConfig applied = LiveSections.apply(LiveSections.of(other), local, "version 2");

    assertThat(applied.deployment("a").orElseThrow().weight()).isEqualTo(1.0);
    assertThat(applied.deployment("b").orElseThrow().weight()).isEqualTo(3.0);
    assertThat(applied.routerSettings().timeoutMs()).isEqualTo(9000);
    assertThat(applied.routerSettings().applicationId()).isEqualTo("my-router");
    assertThat(applied.routerSettings().stateDir()).isEqualTo("/tmp/state");
    assertThat(applied.workerSettings()).isEqualTo(local.workerSettings());
    assertThat(applied.topics()).isEqualTo(local.topics());
    assertThat(applied.kafka()).isEqualTo(local.kafka());
  }

  @Test
  void theProcesssOwnConfigAppliedOverItselfIsUnchanged() {
    SwitchboardConfig local = load(FILE);
    assertThat(LiveSections.apply(LiveSections.of(local), local, "v")).isEqualTo(local);
  }

  @Test
  void aSectionLeftOutTakesItsDefault() {
    SwitchboardConfig local = load(FILE);
    ObjectNode body = LiveSections.of(local);
    body.remove("fallbacks");
    assertThat(LiveSections.apply(body, local, "v").fallbacks()).isEmpty();
  }

  @Test
  void anInvalidVersionIsRefusedWithTheStartUpError() {
    SwitchboardConfig local = load(FILE);
    ObjectNode body = LiveSections.of(local);
    ((ObjectNode) body.at("/model_list/0")).put("rpm", -5);

    String startUp = "";
    try {
      load(FILE.replace("weight: 3,", "weight: 3, rpm: -5,"));
    } catch (ConfigException e) {
      startUp = e.getMessage().substring(e.getMessage().indexOf(':') + 1);
    }
    assertThat(startUp).contains("rpm");
    assertThatThrownBy(() -> LiveSections.apply(body, local, "config version 4"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("config version 4:" + startUp);
  }

  @Test
  void aVersionWithAProcessSectionIsRefused() {
    SwitchboardConfig local = load(FILE);
    ObjectNode body = LiveSections.of(local);
    body.putObject("kafka").put("bootstrap.servers", "elsewhere:9092");
    assertThatThrownBy(() -> LiveSections.apply(body, local, "config version 3"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("config version 3: kafka is not a live section");
  }

  @Test
  void aFallbackToAnUnknownModelIsRefused() {
    SwitchboardConfig local = load(FILE);
    ObjectNode body = LiveSections.of(local);
    body.set(
        "fallbacks",
        io.switchboard.schemas.json.Json.tree(Map.of("chat", java.util.List.of("nowhere"))));
    assertThatThrownBy(() -> LiveSections.apply(body, local, "config version 5"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("nowhere");
  }
}
