package io.switchboard.schemas.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The retry and fallback policy keys: {@code num_retries}, {@code retry_on_status_codes}, {@code
 * retry_policy}, {@code content_policy_fallbacks}, {@code default_fallbacks}, and chains keyed by a
 * group's name.
 */
class FailoverPolicyKeysTest {
  static final String MODELS =
      """
      model_list:
        - {model_name: chat, deployment_id: chat-a}
        - {model_name: chat, deployment_id: chat-b, max_retries: 5, retry_on_status_codes: [429, 503],
           retry_policy: {rate_limit: 0, server_error: 4}}
        - {model_name: backup}
      load_balance_groups:
        team: [{model: chat}, {model: backup, weight: 1}]
      """;

  final ConfigLoader loader = new ConfigLoader(name -> null);

  SwitchboardConfig parse(String yaml) {
    return loader.parse(yaml, "test");
  }

  @Test
  void routerDefaultsAndDeploymentOverridesAreRead() {
    SwitchboardConfig c =
        parse(
            MODELS
                + """
        router_settings:
          num_retries: 1
          retry_on_status_codes: [408, 429, 500]
          retry_policy: {rate_limit: 3, timeout: 1, connection_error: 2, authentication: 1, bad_request: 0,
                         content_policy: 1}
        """);
    RouterSettings r = c.routerSettings();
    assertThat(r.numRetries()).isEqualTo(1);
    assertThat(r.retryOnStatusCodes()).containsExactly(408, 429, 500);
    assertThat(r.retryPolicy()).isEqualTo(new RetryPolicyConfig(3, 1, null, 2, 1, 0, 1));
    DeploymentConfig a = c.deployment("chat-a").orElseThrow();
    assertThat(a.maxRetries()).as("max_retries keeps its default of 2").isEqualTo(2);
    assertThat(a.retryOnStatusCodes()).isNull();
    assertThat(a.retryPolicy()).isNull();
    DeploymentConfig b = c.deployment("chat-b").orElseThrow();
    assertThat(b.maxRetries()).isEqualTo(5);
    assertThat(b.retryOnStatusCodes()).containsExactly(429, 503);
    assertThat(b.retryPolicy().orElse(r.retryPolicy()))
        .as("the deployment's classes win, the rest are the router's")
        .isEqualTo(new RetryPolicyConfig(0, 1, 4, 2, 1, 0, 1));
  }

  @Test
  void contentPolicyAndDefaultChainsAreRead() {
    SwitchboardConfig c =
        parse(
            MODELS
                + """
        content_policy_fallbacks: {chat: [backup]}
        default_fallbacks: [backup]
        fallbacks: {team: [chat-b]}
        context_window_fallbacks: {team: [backup]}
        """);
    assertThat(c.contentPolicyFallbacks()).containsEntry("chat", List.of("backup"));
    assertThat(c.defaultFallbacks()).containsExactly("backup");
    assertThat(c.fallbacks())
        .as("a chain may be keyed by a group's name")
        .containsEntry("team", List.of("chat-b"));
    assertThat(c.contextWindowFallbacks()).containsEntry("team", List.of("backup"));
    assertThat(parse(MODELS).defaultFallbacks()).isEmpty();
    assertThat(parse(MODELS).contentPolicyFallbacks()).isEmpty();
  }

  @Test
  void chainsNamingUnknownModelsAreRefusedWithThePath() {
    assertThatThrownBy(() -> parse(MODELS + "default_fallbacks: [backup, nope]\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("default_fallbacks[1]: 'nope'");
    assertThatThrownBy(() -> parse(MODELS + "content_policy_fallbacks: {chat: [gone]}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("content_policy_fallbacks.chat[0]: 'gone'");
    assertThatThrownBy(() -> parse(MODELS + "content_policy_fallbacks: {nobody: [backup]}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            "content_policy_fallbacks.nobody: 'nobody' is not a model_name or deployment_id")
        .hasMessageContaining("nor a load_balance_groups name");
    assertThatThrownBy(() -> parse(MODELS + "fallbacks: {team: [team]}\n"))
        .as("a chain entry is an alias or a deployment id, not a group")
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("fallbacks.team[0]: 'team'");
  }

  @Test
  void badValuesAreRefusedByTheSchemaAndByTheRecords() {
    assertThatThrownBy(() -> parse(MODELS + "router_settings: {retry_on_status_codes: [99]}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("retry_on_status_codes");
    assertThatThrownBy(() -> parse(MODELS + "router_settings: {retry_policy: {rate_limit: -1}}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("rate_limit");
    assertThatThrownBy(() -> parse(MODELS + "router_settings: {retry_policy: {throttled: 1}}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("throttled");
    assertThatThrownBy(() -> parse(MODELS + "router_settings: {num_retries: -1}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("num_retries");
    assertThatThrownBy(
            () ->
                new RouterSettings(
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    List.of(429, 600),
                    null,
                    null))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "router_settings.retry_on_status_codes[1]: 600 is not an HTTP status (100 to 599)");
    assertThatThrownBy(() -> new RetryPolicyConfig(null, null, null, null, null, -2, null))
        .isInstanceOf(ConfigException.class)
        .hasMessage("retry_policy.bad_request: -2 is below the minimum of 0");
  }
}
