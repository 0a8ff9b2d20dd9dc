package io.switchboard.schemas.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.schemas.Priority;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code priority_reserve}: read, overridden per deployment, checked, and the sharing rule. */
class PriorityReserveTest {
  static final String MODELS =
      """
      model_list:
        - {model_name: chat, deployment_id: chat-a, rpm: 600}
        - {model_name: chat, deployment_id: chat-b, rpm: 600, priority_reserve: {interactive: 0.2}}
      """;

  final ConfigLoader loader = new ConfigLoader(name -> null);

  @Test
  void aDeploymentsReserveReplacesTheRoutersDefault() {
    SwitchboardConfig c =
        loader.parse(
            MODELS + "router_settings: {priority_reserve: {batch: 0.1, interactive: 0.05}}\n",
            "test");
    PriorityReserve router = c.routerSettings().priorityReserve();
    assertThat(router.wire())
        .containsExactly(Map.entry("interactive", 0.05), Map.entry("batch", 0.1));
    assertThat(PriorityReserve.of(c, c.deployment("chat-a").orElseThrow())).isEqualTo(router);
    assertThat(PriorityReserve.of(c, c.deployment("chat-b").orElseThrow()).wire())
        .containsExactly(Map.entry("interactive", 0.2));
  }

  @Test
  void withoutTheKeyNoClassHasAReserve() {
    SwitchboardConfig c = loader.parse(MODELS, "test");
    assertThat(c.routerSettings().priorityReserve()).isEqualTo(PriorityReserve.NONE);
    assertThat(PriorityReserve.NONE.isNone()).isTrue();
  }

  @Test
  void reservesSummingToOneOrMoreAreRefusedNamingTheKey() {
    assertThatThrownBy(
            () ->
                loader.parse(
                    MODELS + "router_settings: {priority_reserve: {batch: 0.6, default: 0.4}}\n",
                    "test"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("router_settings.priority_reserve")
        .hasMessageContaining("sum to 1.0");
    assertThatThrownBy(
            () ->
                loader.parse(
                    MODELS.replace("{interactive: 0.2}", "{interactive: 0.7, batch: 0.5}"), "test"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("model_list['chat'].priority_reserve");
  }

  @Test
  void anUnknownClassOrAFractionAboveOneIsRefused() {
    assertThatThrownBy(
            () ->
                loader.parse(
                    MODELS + "router_settings: {priority_reserve: {urgent: 0.1}}\n", "test"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("priority_reserve");
    assertThatThrownBy(
            () ->
                PriorityReserve.checked(
                    PriorityReserve.fromWire(Map.of("batch", 1.5)),
                    "router_settings.priority_reserve"))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "router_settings.priority_reserve.batch: 1.5 is not a fraction of the budget (0 to 1)");
  }

  @Test
  void aClassMayNotUseTheUnusedReservesOfTheOthers() {
    PriorityReserve r = PriorityReserve.fromWire(Map.of("interactive", 0.05, "batch", 0.1));
    long[] none = new long[3];
    assertThat(r.reserved(Priority.INTERACTIVE, 600)).isEqualTo(30);
    assertThat(r.heldFromOthers(Priority.BATCH, none, 600)).as("interactive's 30").isEqualTo(30);
    assertThat(r.heldFromOthers(Priority.INTERACTIVE, none, 600)).as("batch's 60").isEqualTo(60);
    assertThat(r.heldFromOthers(Priority.DEFAULT, none, 600)).isEqualTo(90);
    assertThat(r.availableTo(Priority.BATCH, 600)).as("95% of the budget").isEqualTo(570);
    long[] used = new long[3];
    used[Priority.INTERACTIVE.ordinal()] = 20;
    used[Priority.BATCH.ordinal()] = 500;
    assertThat(r.heldFromOthers(Priority.BATCH, used, 600))
        .as("10 of interactive's left")
        .isEqualTo(10);
    assertThat(r.heldFromOthers(Priority.INTERACTIVE, used, 600))
        .as("batch has used more than its reserve")
        .isZero();
    assertThat(PriorityReserve.NONE.heldFromOthers(Priority.BATCH, none, 600)).isZero();
  }
}
