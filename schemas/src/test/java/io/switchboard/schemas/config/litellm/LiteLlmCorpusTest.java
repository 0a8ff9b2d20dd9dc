package io.switchboard.schemas.config.litellm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.config.Provider;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.json.Json;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every config of the LiteLLM corpus ({@code src/test/resources/litellm/}, one per shape of
 * LiteLLM's documentation) loads unchanged: its deployments, aliases, chains and router settings as
 * LiteLLM means them, and every key it leaves out listed by path.
 */
class LiteLlmCorpusTest {
  /** The environment the corpus refers to; api_key references stay unresolved. */
  static final Map<String, String> ENV = env();

  record Loaded(SwitchboardConfig config, LiteLlmTranslation translation) {
    List<String> ids() {
      return config.modelList().stream().map(DeploymentConfig::deploymentId).toList();
    }

    DeploymentConfig d(String id) {
      return config.deployment(id).orElseThrow();
    }
  }

  static Loaded load(String name) {
    LiteLlmTranslation[] seen = new LiteLlmTranslation[1];
    SwitchboardConfig config =
        new ConfigLoader(ENV::get, (source, t) -> seen[0] = t).load(corpus(name), null);
    assertThat(seen[0]).as("%s was translated", name).isNotNull();
    return new Loaded(config, seen[0]);
  }

  static Path corpus(String name) {
    try {
      return Path.of(LiteLlmCorpusTest.class.getResource("/litellm/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A key agreed for the native config that this build may not have yet: when it has it, the
   * translation carries {@code expected} there; until then the LiteLLM key is listed as not yet
   * supported.
   */
  static void pending(
      Loaded l, String litellmPath, String nativePointer, String nativeKey, String expected) {
    JsonNode at = l.translation().tree().at(nativePointer);
    if (NativeKeys.declared(nativeKey)) {
      assertThat(at).as(nativePointer).isEqualTo(Json.parse(expected));
      assertThat(l.translation().unsupported()).doesNotContain(litellmPath);
    } else {
      assertThat(at.isMissingNode())
          .as("%s left out until %s exists", nativePointer, nativeKey)
          .isTrue();
      assertThat(l.translation().unsupported()).contains(litellmPath);
    }
  }

  @Test
  void theCorpusHoldsAtLeastTenConfigsAndEveryOneLoads() throws IOException {
    List<String> names;
    try (Stream<Path> files = Files.list(corpus("01-proxy-quickstart.yaml").getParent())) {
      names =
          files
              .map(p -> p.getFileName().toString())
              .filter(n -> n.endsWith(".yaml"))
              .sorted()
              .toList();
    }
    assertThat(names).hasSizeGreaterThanOrEqualTo(10);
    for (String name : names) {
      assertThat(load(name).config().modelList()).as(name).isNotEmpty();
    }
  }

  @Test
  void quickstartKeepsKeysAsReferencesAndNeverShowsTheMasterKey() {
    Loaded l = load("01-proxy-quickstart.yaml");
    assertThat(l.config().modelList())
        .extracting(
            DeploymentConfig::deploymentId,
            DeploymentConfig::provider,
            DeploymentConfig::model,
            DeploymentConfig::apiBase,
            DeploymentConfig::apiKey,
            DeploymentConfig::apiVersion)
        .containsExactly(
            tuple("gpt-4o", Provider.OPENAI, "gpt-4o", null, "${OPENAI_API_KEY}", null),
            tuple(
                "gpt-4o-azure",
                Provider.AZURE,
                "gpt-4o-prod",
                ENV.get("AZURE_API_BASE"),
                "${AZURE_API_KEY}",
                "2024-10-21"));
    assertThat(l.translation().ignored())
        .containsOnlyKeys("general_settings.master_key", "general_settings.database_url");
    String warning = l.translation().warning("config.yaml").orElseThrow();
    assertThat(warning)
        .contains("general_settings.master_key", "general_settings.database_url")
        .doesNotContain("sk-proxy-master", "secret", "postgresql");
    assertThat(l.translation().tree().toString()).doesNotContain("sk-proxy-master", "postgresql");
  }

  @Test
  void weightedGroupSplitsAsSimpleShuffleDoesAndADeploymentWithoutAWeightGetsNone() {
    Loaded l = load("02-weighted-azure.yaml");
    assertThat(l.ids()).containsExactly("chat-1", "chat-2", "chat-3");
    assertThat(l.config().deploymentsOf("chat"))
        .extracting(
            DeploymentConfig::provider, DeploymentConfig::model, DeploymentConfig::effectiveWeight)
        .containsExactly(
            tuple(Provider.AZURE, "chat-eu", 3.0),
            tuple(Provider.AZURE, "chat-us", 1.0),
            tuple(Provider.AZURE, "chat-ca", 0.0));
    assertThat(l.d("chat-3").rpm()).isEqualTo(60);
    assertThat(l.d("chat-1").apiKey()).isEqualTo("${AZURE_EU_KEY}");
    assertThat(l.translation().notes()).anyMatch(n -> n.startsWith("model_list[2]: weight 0"));
    pending(
        l,
        "router_settings.routing_strategy",
        "/router_settings/routing_strategy",
        "router_settings.routing_strategy",
        "\"weighted\"");
  }

  @Test
  void rpmGroupIsWeighedByRpmAndAnEntryWithoutRpmGetsNoTraffic() {
    Loaded l = load("03-rpm-shuffle.yaml");
    assertThat(l.config().modelList())
        .extracting(
            DeploymentConfig::provider, DeploymentConfig::apiKey, DeploymentConfig::effectiveWeight)
        .containsExactly(
            tuple(Provider.OPENAI_COMPATIBLE, null, 900.0),
            tuple(Provider.OPENAI_COMPATIBLE, null, 300.0),
            tuple(Provider.OPENAI_COMPATIBLE, null, 0.0));
    assertThat(l.d("gpt-4o-mini-1").apiBase()).isEqualTo(ENV.get("BIG_BASE"));
    assertThat(l.d("gpt-4o-mini-1").tpm()).isEqualTo(200000);
    assertThat(l.translation().ignored()).containsOnlyKeys("litellm_settings.drop_params");
  }

  @Test
  void reliabilitySettingsBecomeNativeUnitsAndListShapedChainsBecomeMaps() {
    Loaded l = load("04-fallbacks.yaml");
    assertThat(l.d("primary").timeoutMs()).isEqualTo(2500L);
    assertThat(l.d("primary").maxRetries()).isZero();
    assertThat(l.d("backup").timeoutMs()).isEqualTo(10_000L);
    assertThat(l.config().routerSettings().numRetries()).isEqualTo(1);
    assertThat(l.config().routerSettings().timeoutMs()).isEqualTo(30_000L);
    assertThat(l.config().routerSettings().allowedFails())
        .as("LiteLLM cools down above allowed_fails")
        .isEqualTo(2);
    assertThat(l.config().routerSettings().cooldownSeconds()).as("2.5 s rounded up").isEqualTo(3);
    assertThat(l.config().fallbacks()).isEqualTo(Map.of("primary", List.of("backup")));
    assertThat(l.config().contextWindowFallbacks())
        .isEqualTo(Map.of("primary", List.of("long-context"), "backup", List.of("long-context")));
    assertThat(l.translation().ignored()).isEmpty();
    assertThat(l.translation().warning("f.yaml")).isEmpty();
  }

  @Test
  void litellmSettingsCarryRouterBehaviourAndRouterSettingsWinWhereBothSpeak() {
    Loaded l = load("05-litellm-settings.yaml");
    assertThat(l.d("claude-sonnet").provider()).isEqualTo(Provider.ANTHROPIC);
    assertThat(l.d("claude-sonnet").model()).isEqualTo("claude-sonnet-4-5");
    assertThat(l.d("gpt-4o").provider()).isEqualTo(Provider.OPENAI);
    assertThat(l.config().routerSettings().numRetries()).isEqualTo(2);
    assertThat(l.config().routerSettings().timeoutMs()).isEqualTo(45_000L);
    assertThat(l.config().fallbacks()).isEqualTo(Map.of("gpt-4o", List.of("claude-sonnet")));
    assertThat(l.config().contextWindowFallbacks())
        .isEqualTo(Map.of("gpt-4o", List.of("claude-sonnet")));
    assertThat(l.translation().notes())
        .contains("router_settings.num_retries wins over litellm_settings.num_retries");
    assertThat(l.translation().ignored())
        .containsOnlyKeys(
            "litellm_settings.set_verbose",
            "litellm_settings.success_callback",
            "litellm_settings.cache",
            "litellm_settings.cache_params");
  }

  @Test
  void retryPolicyClassNamesBecomeTheNativeErrorClasses() {
    Loaded l = load("06-retry-policy.yaml");
    pending(
        l,
        "router_settings.retry_policy",
        "/router_settings/retry_policy",
        "router_settings.retry_policy",
        """
        {"authentication": 0, "timeout": 3, "rate_limit": 4, "content_policy": 1, "server_error": 2, "bad_request": 0}
        """);
    pending(
        l,
        "router_settings.model_group_retry_policy",
        "/model_list/1/retry_policy",
        "model_list[].retry_policy",
        "{\"rate_limit\": 6}");
    assertThat(l.translation().ignored()).containsOnlyKeys("router_settings.allowed_fails_policy");
  }

  @Test
  void modelInfoGivesIdsContextWindowsAndPricesPerMillion() {
    Loaded l = load("07-model-info.yaml");
    assertThat(l.ids()).containsExactly("gpt-4o-eu", "7");
    DeploymentConfig eu = l.d("gpt-4o-eu");
    assertThat(eu.contextWindow()).isEqualTo(128000);
    assertThat(eu.inputCostPerMillion()).isEqualTo(2.5);
    assertThat(eu.outputCostPerMillion()).isEqualTo(10.0);
    assertThat(eu.apiBase()).isEqualTo("https://example-eu.openai.azure.com/");
    DeploymentConfig seven = l.d("7");
    assertThat(seven.inputCostPerMillion()).as("litellm_params' price wins").isEqualTo(3.0);
    assertThat(seven.outputCostPerMillion()).isEqualTo(12.0);
    assertThat(l.translation().ignored())
        .containsOnlyKeys("model_list[0].model_info.mode", "model_list[0].model_info.base_model");
  }

  @Test
  void openAiCompatibleServersNeedNoKeyAndKeepSlashesInTheirModelNames() {
    Loaded l = load("08-openai-compatible.yaml");
    assertThat(l.config().modelList())
        .extracting(
            DeploymentConfig::deploymentId,
            DeploymentConfig::provider,
            DeploymentConfig::model,
            DeploymentConfig::apiKey,
            DeploymentConfig::effectiveWeight)
        .containsExactly(
            tuple(
                "llama-1",
                Provider.OPENAI_COMPATIBLE,
                "meta-llama/Llama-3.1-8B-Instruct",
                null,
                600.0),
            tuple(
                "llama-2",
                Provider.OPENAI_COMPATIBLE,
                "meta-llama/Llama-3.1-8B-Instruct",
                "${VLLM_B_TOKEN}",
                200.0),
            tuple("qwen", Provider.OPENAI_COMPATIBLE, "qwen2.5:7b", null, 1.0));
    assertThat(l.translation().ignored())
        .containsOnlyKeys("model_list[2].litellm_params.stream_timeout");
    assertThat(l.translation().ignored().get("model_list[2].litellm_params.stream_timeout"))
        .contains("streaming");
  }

  @Test
  void modelGroupAliasesResolveToTheirGroupAndFollowItsChains() {
    Loaded l = load("09-model-group-alias.yaml");
    assertThat(l.config().modelGroupAlias())
        .isEqualTo(Map.of("gpt-4", "gpt-4o", "gpt-3.5-turbo", "gpt-4o-mini"));
    assertThat(l.config().resolve("gpt-4"))
        .extracting(DeploymentConfig::deploymentId)
        .containsExactly("gpt-4o");
    assertThat(l.config().resolve("gpt-3.5-turbo"))
        .extracting(DeploymentConfig::deploymentId)
        .containsExactly("gpt-4o-mini");
    assertThat(l.config().fallbacks()).containsEntry("gpt-4", List.of("gpt-4o-mini"));
    assertThat(l.translation().notes())
        .anyMatch(n -> n.startsWith("router_settings.enable_pre_call_checks"));
    assertThat(l.translation().ignored()).isEmpty();
  }

  @Test
  void strategyIsTranslatedAndOrderRedisAndStreamTimeoutsAreListedAsIgnored() {
    Loaded l = load("10-strategies.yaml");
    pending(
        l,
        "router_settings.routing_strategy",
        "/router_settings/routing_strategy",
        "router_settings.routing_strategy",
        "\"usage-based\"");
    assertThat(l.config().modelList())
        .extracting(DeploymentConfig::effectiveWeight)
        .containsExactly(1800.0, 600.0);
    assertThat(l.translation().ignored())
        .containsOnlyKeys(
            "model_list[0].litellm_params.order",
            "model_list[0].litellm_params.stream_timeout",
            "model_list[1].litellm_params.order",
            "router_settings.redis_host",
            "router_settings.redis_password",
            "router_settings.redis_port",
            "router_settings.routing_strategy_args");
    assertThat(l.translation().ignored().get("model_list[1].litellm_params.order"))
        .contains("fallbacks");
  }

  @Test
  void contentPolicyAndDefaultFallbacksGoToTheirNativeKeys() {
    Loaded l = load("11-anthropic-content-policy.yaml");
    assertThat(l.d("claude-haiku").provider()).isEqualTo(Provider.ANTHROPIC);
    assertThat(l.d("claude-haiku").apiKey()).isEqualTo("${ANTHROPIC_API_KEY}");
    assertThat(l.d("claude-haiku").weight()).as("a group of one keeps the native default").isNull();
    assertThat(l.config().routerSettings().cooldownSeconds()).isEqualTo(30);
    pending(
        l,
        "router_settings.content_policy_fallbacks",
        "/content_policy_fallbacks",
        "content_policy_fallbacks",
        "{\"gpt-4o-mini\": [\"claude-haiku\"]}");
    pending(
        l,
        "router_settings.default_fallbacks",
        "/default_fallbacks",
        "default_fallbacks",
        "[\"claude-haiku\"]");
  }

  @Test
  void nativeSectionsAndDeploymentKeysBesideLiteLlmOnesAreKept() {
    Loaded l = load("12-with-native-sections.yaml");
    assertThat(l.d("chat").lanes()).isEqualTo(2);
    assertThat(l.d("chat").rpm()).isEqualTo(1200);
    assertThat(l.d("chat-slow-1").modelName()).isEqualTo("chat-slow");
    assertThat(l.config().topics().requestPartitions()).isEqualTo(3);
    assertThat(l.config().kafka()).containsEntry("bootstrap.servers", "localhost:9092");
    assertThat(l.config().workerSettings().maxInFlightPerLane()).isEqualTo(200);
    assertThat(l.translation().ignored()).containsOnlyKeys("environment_variables.OPENAI_API_KEY");
    assertThat(l.translation().warning("f.yaml").orElseThrow()).doesNotContain("sk-not-shown");
  }

  @Test
  void aNativeProfileOverlayChangesATranslatedDeployment(@TempDir Path dir) throws IOException {
    Path base = dir.resolve("config.yaml");
    Files.copy(corpus("02-weighted-azure.yaml"), base);
    Files.writeString(
        dir.resolve("config.prod.yaml"), "model_list:\n  - {deployment_id: chat-2, weight: 5}\n");
    SwitchboardConfig config = new ConfigLoader(ENV::get, (source, t) -> {}).load(base, "prod");
    assertThat(config.modelList())
        .extracting(DeploymentConfig::effectiveWeight)
        .containsExactly(3.0, 5.0, 0.0);
    assertThat(config.deployment("chat-2").orElseThrow().model()).isEqualTo("chat-us");
  }

  private static Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    for (String name :
        List.of(
            "AZURE_API_BASE",
            "AZURE_EU_BASE",
            "AZURE_US_BASE",
            "AZURE_CA_BASE",
            "BIG_BASE",
            "SMALL_BASE",
            "SPARE_BASE",
            "PRIMARY_BASE",
            "BACKUP_BASE",
            "LONG_BASE",
            "OLLAMA_BASE",
            "CHAT_BASE")) {
      env.put(name, "https://" + name.toLowerCase().replace('_', '-') + ".example/v1");
    }
    return Map.copyOf(env);
  }
}
