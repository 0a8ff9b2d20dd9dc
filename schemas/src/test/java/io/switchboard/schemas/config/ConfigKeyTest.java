package io.switchboard.schemas.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.RecordComponent;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigKeyTest {
  static DeploymentConfig deployment(
      String name, Integer rpm, Integer lanes, Integer rateWindowSeconds, String apiKey) {
    return new DeploymentConfig(
        name,
        null,
        null,
        null,
        null,
        apiKey,
        null,
        rpm,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        lanes,
        rateWindowSeconds,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  @Test
  void absentKeysTakeTheirDeclaredDefaults() {
    RouterSettings r = RouterSettings.DEFAULT;
    assertThat(List.of(r.allowedFails(), r.cooldownSeconds(), r.maxRequestBytes()))
        .containsExactly(3, 60, 1 << 20);
    assertThat(r.numRetries())
        .as("unset: as many re-routes as the candidate set has deployments")
        .isNull();
    assertThat(r.retryOnStatusCodes()).as("unset: the worker's own list").isNull();
    assertThat(r.retryPolicy()).isEqualTo(RetryPolicyConfig.NONE);
    assertThat(r.timeoutMs()).isEqualTo(60_000L);
    assertThat(r.applicationId()).isEqualTo("switchboard-router");
    assertThat(r.dynamicWeights()).isEqualTo(DynamicWeightsSettings.DEFAULT);
    assertThat(DynamicWeightsSettings.DEFAULT.enabled()).isFalse();
    assertThat(WorkerSettings.DEFAULT.transactionIntervalMs()).isZero();
    assertThat(TopicsConfig.DEFAULT.deadLetter()).isEqualTo("switchboard.dead-letter");
    assertThat(TopicsConfig.DEFAULT.replicationFactor()).isEqualTo((short) 1);
    assertThat(ObservabilityConfig.DEFAULT.port()).isEqualTo(ObservabilityConfig.DEFAULT_PORT);
    assertThat(BackoffConfig.DEFAULT).isEqualTo(new BackoffConfig(500L, 30_000L, 2.0));
    DeploymentConfig d = deployment("chat", null, null, null, null);
    assertThat(d.provider()).isEqualTo(Provider.OPENAI_COMPATIBLE);
    assertThat(d.model()).isEqualTo("chat");
    assertThat(d.lanes()).isEqualTo(1);
    assertThat(d.messages()).isEmpty();
    assertThat(d.backoff()).isEqualTo(BackoffConfig.DEFAULT);
    assertThat(d.maxRetries()).isEqualTo(2);
    assertThat(d.retryPolicy()).as("unset: router_settings.retry_policy").isNull();
  }

  @Test
  void noComponentWithADefaultIsNullAfterConstruction() throws ReflectiveOperationException {
    DeploymentConfig d = deployment("m", null, null, null, null);
    List<Record> built =
        List.of(
            RouterSettings.DEFAULT,
            DynamicWeightsSettings.DEFAULT,
            WorkerSettings.DEFAULT,
            TopicsConfig.DEFAULT,
            ObservabilityConfig.DEFAULT,
            BackoffConfig.DEFAULT,
            d,
            new SwitchboardConfig(List.of(d), null, null, null, null, null, null, null, null));
    for (Record section : built) {
      for (RecordComponent c : section.getClass().getRecordComponents()) {
        ConfigKey<?> key = ConfigSchemaAgreementTest.keyOf(section.getClass(), c);
        if (key.defaultValue() != null || key.required()) {
          assertThat(c.getAccessor().invoke(section)).as(key.path()).isNotNull();
        }
      }
    }
    assertThat(d.rpm()).as("a key without a default stays unset").isNull();
  }

  @Test
  void aValueOutOfBoundsIsAConfigExceptionNamingTheKeyPathAndTheValue() {
    assertThatThrownBy(() -> new RouterSettings(0, null, null, null, null, null, null))
        .isInstanceOf(ConfigException.class)
        .hasMessage("router_settings.allowed_fails: 0 is below the minimum of 1");
    assertThatThrownBy(() -> new ObservabilityConfig(70_000, null))
        .isInstanceOf(ConfigException.class)
        .hasMessage("observability.port: 70000 is above the maximum of 65535");
    assertThatThrownBy(
            () ->
                new WorkerSettings(
                    null, null, null, null, null, -1L, null, null, null, null, null, null))
        .isInstanceOf(ConfigException.class)
        .hasMessage("worker_settings.health_publish_interval_ms: -1 is below the minimum of 0");
    assertThatThrownBy(() -> new DynamicWeightsSettings(true, 1.5, null, null))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "router_settings.dynamic_weights.min_share_fraction: 1.5 is above the maximum of 1");
  }

  @Test
  void notANumberIsOutOfEveryBound() {
    assertThatThrownBy(() -> new DynamicWeightsSettings(true, null, Double.NaN, null))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "router_settings.dynamic_weights.error_rate_exponent: NaN is below the minimum of 0");
  }

  @Test
  void stringsAreCheckedForLengthAndPattern() {
    assertThatThrownBy(
            () ->
                new WorkerSettings(
                    "", null, null, null, null, null, null, null, null, null, null, null))
        .isInstanceOf(ConfigException.class)
        .hasMessage("worker_settings.group_id: '' has length 0, below the minimum of 1");
    assertThatThrownBy(
            () -> new TopicsConfig("my requests", null, null, null, null, null, null, null, null))
        .isInstanceOf(ConfigException.class)
        .hasMessage("topics.requests: 'my requests' does not match ^[a-zA-Z0-9._-]+$");
  }

  @Test
  void aDeploymentsKeysAreNamedByItsModelName() {
    assertThatThrownBy(() -> deployment("chat", null, 0, null, null))
        .isInstanceOf(ConfigException.class)
        .hasMessage("model_list['chat'].lanes: 0 is below the minimum of 1");
    assertThatThrownBy(() -> deployment("chat", 60, null, 60, null))
        .isInstanceOf(ConfigException.class)
        .hasMessage("model_list['chat'].rate_window_seconds: 60 is above the maximum of 59");
    assertThatThrownBy(() -> deployment("chat", null, null, 10, null))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("model_list['chat'].rate_window_seconds: 10 needs an rpm");
    assertThatThrownBy(() -> deployment(null, null, null, null, null))
        .isInstanceOf(ConfigException.class)
        .hasMessage("model_list[].model_name: is required");
  }

  @Test
  void aBadApiKeyIsNeverShown() {
    assertThatThrownBy(() -> deployment("chat", null, null, null, "sk-live-123"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(
            "model_list['chat'].api_key: the value given (not shown) does not match")
        .hasMessageContaining("like ${OPENAI_API_KEY}")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("sk-live-123"));
    assertThat(deployment("chat", null, null, null, "${OPENAI_API_KEY}").apiKeyEnv())
        .isEqualTo("OPENAI_API_KEY");
  }

  @Test
  void crossKeyRulesAreConfigExceptionsToo() {
    assertThatThrownBy(() -> new BackoffConfig(500L, 100L, null))
        .isInstanceOf(ConfigException.class)
        .hasMessage("model_list[].backoff.max_ms: 100 is below initial_ms 500");
    assertThatThrownBy(
            () -> new SwitchboardConfig(List.of(), null, null, null, null, null, null, null, null))
        .isInstanceOf(ConfigException.class)
        .hasMessage("model_list: has 0 entries, below the minimum of 1");
    assertThatThrownBy(
            () -> new SwitchboardConfig(null, null, null, null, null, null, null, null, null))
        .isInstanceOf(ConfigException.class)
        .hasMessage("model_list: is required");
  }

  @Test
  void aKeyWithoutADefaultStaysUnset() {
    assertThat(RouterSettings.STATE_DIR.value(null)).isNull();
    assertThat(DeploymentConfig.RPM.value(null)).isNull();
    assertThat(DeploymentConfig.RPM.value(5)).isEqualTo(5);
    assertThat(RouterSettings.ALLOWED_FAILS.value(null)).isEqualTo(3);
    assertThat(RouterSettings.ALLOWED_FAILS.path()).isEqualTo("router_settings.allowed_fails");
    assertThat(SwitchboardConfig.MODEL_LIST.path()).isEqualTo("model_list");
  }

  @Test
  void theNamespacedCopyKeepsItsKeysValid() {
    SwitchboardConfig base =
        new SwitchboardConfig(
            List.of(deployment("m", null, null, null, null)),
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null);
    assertThat(base.namespaced(".run-7").topics().requests())
        .isEqualTo("switchboard.requests.run-7");
  }
}
