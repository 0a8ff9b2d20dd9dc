package io.switchboard.schemas.config.litellm;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.schemas.config.ConfigException;
import io.switchboard.schemas.config.ConfigLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A LiteLLM config that cannot run is refused with the file, the LiteLLM key path and the problem.
 */
class LiteLlmErrorsTest {
  static final String SOURCE = "proxy.yaml";

  final List<String> warnings = new ArrayList<>();
  final ConfigLoader loader =
      new ConfigLoader(
          Map.of("BASE", "https://base.example/v1")::get,
          (source, t) -> t.warning(source).ifPresent(warnings::add));

  /**
   * A config of one deployment with {@code params} as its litellm_params, and {@code rest} after
   * model_list.
   */
  static String config(String params, String rest) {
    return "model_list:\n  - model_name: chat\n    litellm_params: " + params + "\n" + rest;
  }

  ConfigException refused(String yaml) {
    try {
      loader.parse(yaml, SOURCE);
    } catch (ConfigException e) {
      assertThat(e.getMessage()).startsWith(SOURCE + ": ");
      return e;
    }
    throw new AssertionError("accepted: " + yaml);
  }

  @Test
  void textCompletionPrefixIsRefusedNamingTheEntry() {
    assertThat(
            refused(config("{model: text-completion-openai/gpt-3.5-turbo-instruct}", ""))
                .getMessage())
        .startsWith(
            SOURCE
                + ": model_list[0].litellm_params.model: 'text-completion-openai/' is text completion")
        .contains("openai/, azure/ or anthropic/");
  }

  @Test
  void unknownProviderPrefixesAreRefusedNamingTheEntry() {
    String yaml =
        """
        model_list:
          - model_name: a
            litellm_params: {model: openai/gpt-4o, api_key: os.environ/K}
          - model_name: b
            litellm_params: {model: bedrock/anthropic.claude-3-sonnet}
        """;
    assertThat(refused(yaml).getMessage())
        .startsWith(
            SOURCE
                + ": model_list[1].litellm_params.model: 'bedrock/' is a provider Switchboard does not call");
    assertThat(refused(config("{model: gpt-4o, custom_llm_provider: ollama}", "")).getMessage())
        .startsWith(SOURCE + ": model_list[0].litellm_params.custom_llm_provider: 'ollama/'");
  }

  @Test
  void aLiteralKeyIsRefusedWithoutBeingShown() {
    String key = "sk-live-0123456789abcdef";
    ConfigException e = refused(config("{model: gpt-4o, api_key: " + key + "}", ""));
    assertThat(e.getMessage())
        .startsWith(SOURCE + ": model_list[0].litellm_params.api_key: a literal key (not shown)")
        .contains("os.environ/NAME")
        .doesNotContain(key)
        .doesNotContain("0123456789");
    assertThat(refused(config("{model: gpt-4o, api_key: 12345}", "")).getMessage())
        .doesNotContain("12345");
  }

  @Test
  void anEnvironmentReferenceMustNameAVariable() {
    assertThat(refused(config("{model: gpt-4o, api_base: os.environ/not-a-name}", "")).getMessage())
        .startsWith(
            SOURCE + ": model_list[0].litellm_params.api_base: os.environ/ must be followed by");
  }

  @Test
  void badTypesNameTheirPath() {
    assertThat(
            refused(config("{model: gpt-4o, api_base: os.environ/BASE, rpm: many}", ""))
                .getMessage())
        .isEqualTo(
            SOURCE + ": model_list[0].litellm_params.rpm: expected a whole number, got 'many'");
    assertThat(
            refused(config("{model: gpt-4o, api_base: os.environ/BASE, timeout: soon}", ""))
                .getMessage())
        .isEqualTo(
            SOURCE + ": model_list[0].litellm_params.timeout: expected a number, got 'soon'");
    assertThat(refused(config("gpt-4o", "")).getMessage())
        .isEqualTo(SOURCE + ": model_list[0].litellm_params: expected a mapping, got 'gpt-4o'");
    assertThat(refused(config("{api_base: os.environ/BASE}", "")).getMessage())
        .isEqualTo(SOURCE + ": model_list[0].litellm_params.model: is required");
    assertThat(
            refused(
                    config(
                        "{model: gpt-4o, api_base: os.environ/BASE}",
                        "router_settings: {fallbacks: chat}"))
                .getMessage())
        .startsWith(SOURCE + ": router_settings.fallbacks: expected a list of mappings");
    assertThat(
            refused(
                    config(
                        "{model: gpt-4o, api_base: os.environ/BASE}",
                        "router_settings: {fallbacks: [chat]}"))
                .getMessage())
        .startsWith(SOURCE + ": router_settings.fallbacks[0]: expected a mapping of a model");
    assertThat(
            refused(
                    config(
                        "{model: gpt-4o, api_base: os.environ/BASE}",
                        "litellm_settings: {fallbacks: [{chat: [{model: x}]}]}"))
                .getMessage())
        .isEqualTo(
            SOURCE
                + ": litellm_settings.fallbacks[0].chat[0]: expected a model name, got a mapping");
    assertThat(
            refused(
                    config(
                        "{model: gpt-4o, api_base: os.environ/BASE}",
                        "router_settings: {cooldown_time: -1}"))
                .getMessage())
        .isEqualTo(SOURCE + ": router_settings.cooldown_time: -1 is below the minimum of 0");
    assertThat(
            refused(config("{model: gpt-4o, api_base: os.environ/BASE}", "router_settings: [1]"))
                .getMessage())
        .isEqualTo(SOURCE + ": router_settings: expected a mapping, got a list");
  }

  @Test
  void retryPoliciesAreCheckedWhetherOrNotTheNativeKeyExistsYet() {
    assertThat(
            refused(
                    config(
                        "{model: gpt-4o, api_base: os.environ/BASE}",
                        "router_settings: {retry_policy: {RateLimitRetries: 2}}"))
                .getMessage())
        .startsWith(
            SOURCE + ": router_settings.retry_policy.RateLimitRetries: is not a retry policy field")
        .contains("RateLimitErrorRetries");
    assertThat(
            refused(
                    config(
                        "{model: gpt-4o, api_base: os.environ/BASE}",
                        "router_settings: {model_group_retry_policy: {nowhere: {TimeoutErrorRetries: 1}}}"))
                .getMessage())
        .isEqualTo(
            SOURCE
                + ": router_settings.model_group_retry_policy.nowhere: 'nowhere' is not a model_name of "
                + "model_list");
    assertThat(
            refused(
                    config(
                        "{model: gpt-4o, api_base: os.environ/BASE}",
                        "router_settings: {retry_policy: {TimeoutErrorRetries: often}}"))
                .getMessage())
        .isEqualTo(
            SOURCE
                + ": router_settings.retry_policy.TimeoutErrorRetries: expected a whole number, got 'often'");
  }

  @Test
  void wildcardModelNamesAreRefused() {
    assertThat(
            refused("model_list:\n  - model_name: '*'\n    litellm_params: {model: '*'}\n")
                .getMessage())
        .startsWith(SOURCE + ": model_list[0].model_name: '*' is a wildcard");
  }

  @Test
  void nativeValidationStillAppliesAfterTranslation() {
    assertThat(
            refused(config("{model: gpt-4o, api_base: os.environ/BASE, rpm: 0}", "")).getMessage())
        .contains("/model_list/0/rpm");
    assertThat(refused(config("{model: gpt-4o, api_base: os.environ/UNSET_BASE}", "")).getMessage())
        .contains("${UNSET_BASE}")
        .contains("not set in the environment");
    assertThat(
            refused(
                    config(
                        "{model: gpt-4o, api_base: os.environ/BASE}",
                        "router_settings: {fallbacks: [{chat: [nowhere]}]}"))
                .getMessage())
        .contains("fallbacks.chat[0]: 'nowhere' is not a model_name or deployment_id");
  }

  @Test
  void anExtraNameMustBeNewAndNameAModel() {
    assertThat(
            refused(
                    config(
                        "{model: gpt-4o, api_base: os.environ/BASE}",
                        "router_settings: {model_group_alias: {chat: chat}}"))
                .getMessage())
        .contains("model_group_alias.chat: 'chat' is already a model_name or deployment_id");
    assertThat(
            refused(
                    config(
                        "{model: gpt-4o, api_base: os.environ/BASE}",
                        "router_settings: {model_group_alias: {gpt-4: nowhere}}"))
                .getMessage())
        .contains("model_group_alias.gpt-4: 'nowhere' is not a model_name or deployment_id");
  }

  @Test
  void chainsGivenTwiceAreRefused() {
    assertThat(
            refused(
                    config(
                        "{model: gpt-4o, api_base: os.environ/BASE}",
                        "fallbacks: {chat: [chat]}\nrouter_settings: {fallbacks: [{chat: [chat]}]}"))
                .getMessage())
        .startsWith(
            SOURCE
                + ": router_settings.fallbacks: is also given as the native top-level fallbacks");
  }

  @Test
  void secretsOfIgnoredSectionsReachNeitherErrorsNorTheWarning() {
    String secrets =
        "general_settings: {master_key: sk-master-777, database_url: 'postgres://u:pw-888@db/x'}\n"
            + "environment_variables: {REDIS_PASSWORD: pw-999}\n";
    ConfigException e = refused(config("{model: bedrock/x}", secrets));
    assertThat(e.getMessage()).doesNotContain("777", "888", "999");
    loader.parse(config("{model: gpt-4o, api_base: os.environ/BASE}", secrets), SOURCE);
    assertThat(warnings)
        .singleElement()
        .asString()
        .isEqualTo(
            SOURCE
                + " (LiteLLM form): ignored 3 keys: general_settings.master_key, "
                + "general_settings.database_url, environment_variables.REDIS_PASSWORD");
  }

  @Test
  void aNativeConfigIsNotTranslated() {
    loader.parse("model_list:\n  - {model_name: chat, api_base: 'https://x.example/v1'}\n", SOURCE);
    assertThat(warnings).isEmpty();
    assertThat(
            LiteLlmTranslator.isLiteLlm(
                io.switchboard.schemas.json.Json.parse("{\"model_list\": [{}]}")))
        .isFalse();
  }
}
