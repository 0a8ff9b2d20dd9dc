package io.switchboard.schemas.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.schemas.json.Json;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Strategy names, LiteLLM's aliases, and where a strategy applies. */
class RoutingStrategyTest {
  final ConfigLoader loader = new ConfigLoader(name -> null);

  static final String MODELS =
      """
      model_list:
        - {model_name: chat, deployment_id: chat-a}
        - {model_name: chat, deployment_id: chat-b}
        - {model_name: fast}
      load_balance_groups:
        both: [{model: chat}, {model: fast}]
      """;

  @Test
  void ownNamesAndLiteLlmNamesReadAsTheStrategyTheyName() {
    assertThat(RoutingStrategy.fromName("weighted")).isEqualTo(RoutingStrategy.WEIGHTED);
    assertThat(RoutingStrategy.fromName("simple-shuffle")).isEqualTo(RoutingStrategy.WEIGHTED);
    assertThat(RoutingStrategy.fromName("least-busy")).isEqualTo(RoutingStrategy.LEAST_BUSY);
    assertThat(RoutingStrategy.fromName("usage-based")).isEqualTo(RoutingStrategy.USAGE_BASED);
    assertThat(RoutingStrategy.fromName("usage-based-routing"))
        .isEqualTo(RoutingStrategy.USAGE_BASED);
    assertThat(RoutingStrategy.fromName("usage-based-routing-v2"))
        .isEqualTo(RoutingStrategy.USAGE_BASED);
    assertThat(RoutingStrategy.fromName("latency-based")).isEqualTo(RoutingStrategy.LATENCY_BASED);
    assertThat(RoutingStrategy.fromName("latency-based-routing"))
        .isEqualTo(RoutingStrategy.LATENCY_BASED);
    assertThat(RoutingStrategy.names()).hasSize(8).doesNotHaveDuplicates();
  }

  @Test
  void anUnknownNameIsAnErrorListingEveryAcceptedName() {
    assertThatThrownBy(() -> RoutingStrategy.fromName("cost-based"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'cost-based' is not a routing strategy")
        .hasMessageContaining("latency-based-routing");
  }

  @Test
  void theDefaultIsWeightedAndAParsedConfigShowsTheOwnName() {
    SwitchboardConfig plain = loader.parse(MODELS, "plain.yaml");
    assertThat(plain.routerSettings().routingStrategy()).isEqualTo(RoutingStrategy.WEIGHTED);
    assertThat(plain.routingStrategies()).isEmpty();
    assertThat(plain.routingStrategyOf("chat")).isEqualTo(RoutingStrategy.WEIGHTED);

    SwitchboardConfig c =
        loader.parse(
            MODELS
                + """
        router_settings: {routing_strategy: latency-based-routing}
        routing_strategies: {chat: usage-based-routing-v2, both: least-busy}
        """,
            "s.yaml");
    assertThat(c.routingStrategies())
        .isEqualTo(Map.of("chat", RoutingStrategy.USAGE_BASED, "both", RoutingStrategy.LEAST_BUSY));
    assertThat(c.routingStrategyOf("chat")).isEqualTo(RoutingStrategy.USAGE_BASED);
    assertThat(c.routingStrategyOf("both")).isEqualTo(RoutingStrategy.LEAST_BUSY);
    assertThat(c.routingStrategyOf("fast"))
        .as("router default")
        .isEqualTo(RoutingStrategy.LATENCY_BASED);
    assertThat(Json.tree(c).at("/router_settings/routing_strategy").asText())
        .isEqualTo("latency-based");
    assertThat(Json.tree(c).at("/routing_strategies/chat").asText()).isEqualTo("usage-based");
    assertThat(c.namespaced("-x").routingStrategies()).isEqualTo(c.routingStrategies());
    assertThat(c.namespaced("-x").routerSettings().routingStrategy())
        .isEqualTo(RoutingStrategy.LATENCY_BASED);
  }

  @Test
  void anExtraNameFollowsItsModelsStrategyUnlessItHasItsOwn() {
    SwitchboardConfig c =
        loader.parse(
            MODELS
                + """
        model_group_alias: {gpt: chat, quick: fast}
        routing_strategies: {chat: least-busy, quick: latency-based}
        """,
            "x.yaml");
    assertThat(c.routingStrategyOf("gpt")).isEqualTo(RoutingStrategy.LEAST_BUSY);
    assertThat(c.routingStrategyOf("quick")).isEqualTo(RoutingStrategy.LATENCY_BASED);
    assertThat(c.routingStrategyOf("fast")).isEqualTo(RoutingStrategy.WEIGHTED);
  }

  @Test
  void badNamesAndKeysAreErrorsNamingThePath() {
    assertThatThrownBy(
            () -> loader.parse(MODELS + "router_settings: {routing_strategy: fastest}\n", "d.yaml"))
        .hasMessageStartingWith("d.yaml: invalid config")
        .hasMessageContaining("/router_settings/routing_strategy");
    assertThatThrownBy(
            () -> loader.parse(MODELS + "routing_strategies: {chat: fastest}\n", "m.yaml"))
        .hasMessageStartingWith("m.yaml: invalid config")
        .hasMessageContaining("/routing_strategies/chat");
    assertThatThrownBy(
            () -> loader.parse(MODELS + "routing_strategies: {chat-a: least-busy}\n", "k.yaml"))
        .hasMessageContaining("k.yaml")
        .hasMessageContaining(
            "routing_strategies.chat-a: 'chat-a' is neither a model_name of model_list, an extra "
                + "name of model_group_alias nor a load_balance_groups name");
  }
}
