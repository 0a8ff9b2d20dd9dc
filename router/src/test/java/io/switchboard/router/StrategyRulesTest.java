package io.switchboard.router;

import static io.switchboard.router.Harness.NOW;
import static io.switchboard.router.Harness.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.schemas.DeploymentHealth;
import io.switchboard.schemas.Dispatch;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Routing strategies with fixed health reports and budgets: each chooses among the deployments that
 * weighted would choose among, deterministically, ties by the weighted rotation.
 */
class StrategyRulesTest {
  // One router task; workers report every second, so a report counts for 4 s (three intervals and
  // a second for its way).
  static final String YAML =
      """
      model_list:
        - {model_name: chat, deployment_id: chat-a}
        - {model_name: chat, deployment_id: chat-b}
        - {model_name: chat, deployment_id: chat-c}
        - {model_name: slow, deployment_id: slow-a}
        - {model_name: slow, deployment_id: slow-b}
        - {model_name: busy, deployment_id: busy-a}
        - {model_name: busy, deployment_id: busy-b}
        - {model_name: budget, deployment_id: budget-small, weight: 1, rpm: 100}
        - {model_name: budget, deployment_id: budget-big, weight: 1, rpm: 1000}
        - {model_name: backup}
      load_balance_groups:
        busy-group: [{model: busy}]
      fallbacks:
        slow: [backup]
      routing_strategies:
        chat: least-busy
        slow: latency-based-routing
        busy-group: least-busy
        budget: usage-based-routing-v2
      topics: {request_partitions: 1}
      worker_settings: {health_publish_interval_ms: 1000}
      """;

  final Harness h = new Harness(YAML);
  int next;

  @AfterEach
  void close() {
    h.close();
  }

  List<String> route(int n, String model) {
    for (int i = 0; i < n; i++) {
      h.send(request("r" + next++, model));
    }
    return h.dispatch.readValuesToList().stream().map(Dispatch::deploymentId).toList();
  }

  List<String> routeGroup(int n, String group) {
    for (int i = 0; i < n; i++) {
      h.send(
          "{\"id\":\"g"
              + next++
              + "\",\"load_balance_group\":\""
              + group
              + "\",\"body\":{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}}");
    }
    return h.dispatch.readValuesToList().stream().map(Dispatch::deploymentId).toList();
  }

  static Map<String, Long> counts(List<String> ids) {
    return ids.stream().collect(Collectors.groupingBy(id -> id, Collectors.counting()));
  }

  void report(
      String deployment, String worker, Instant at, int inFlight, double latencyMs, int calls) {
    h.health.pipeInput(
        deployment,
        new DeploymentHealth(
            deployment, null, null, 0, 0.0, latencyMs, at, worker, inFlight, calls));
  }

  @Test
  void leastBusyGoesWhereFewestAreInFlightAndCountsItsOwnDispatchesUntilTheNextReport() {
    report("chat-a", "w1", NOW, 5, 100, 10);
    report("chat-b", "w1", NOW, 2, 100, 10);
    report("chat-c", "w1", NOW, 3, 100, 10);
    // 5/2/3 in flight: chat-b until it has 3, then chat-b and chat-c alternate (rotation), chat-a
    // once the others reach 5.
    assertThat(route(7, "chat"))
        .containsExactly("chat-b", "chat-c", "chat-b", "chat-c", "chat-b", "chat-a", "chat-c");
    h.advance(Duration.ofMillis(500));
    // The next reports include those dispatches (or their replies): chat-c has 9 now.
    report("chat-a", "w1", h.clock.instant(), 0, 100, 10);
    report("chat-b", "w1", h.clock.instant(), 0, 100, 10);
    report("chat-c", "w1", h.clock.instant(), 9, 100, 10);
    assertThat(counts(route(8, "chat")))
        .containsOnlyKeys("chat-a", "chat-b")
        .containsEntry("chat-a", 4L)
        .containsEntry("chat-b", 4L);
  }

  @Test
  void leastBusySumsTheReportsOfEveryWorker() {
    report("chat-a", "w1", NOW, 1, 100, 10);
    report("chat-a", "w2", NOW, 6, 100, 10);
    report("chat-b", "w1", NOW, 4, 100, 10);
    report("chat-c", "w2", NOW, 5, 100, 10);
    // chat-a has 7 over two workers, more than chat-b's 4 though w1 alone sees 1.
    assertThat(route(1, "chat")).containsExactly("chat-b");
  }

  @Test
  void leastBusyForgetsReportsOlderThanTheirTtl() {
    report("chat-a", "w1", NOW, 50, 100, 10);
    h.advance(Duration.ofMillis(4001));
    // chat-a's report is stale and nothing else is known: the rotation's even split.
    assertThat(counts(route(6, "chat")))
        .containsEntry("chat-a", 2L)
        .containsEntry("chat-b", 2L)
        .containsEntry("chat-c", 2L);
  }

  @Test
  void aGroupFollowsItsOwnStrategy() {
    report("busy-a", "w1", NOW, 8, 100, 10);
    report("busy-b", "w1", NOW, 0, 100, 10);
    assertThat(routeGroup(8, "busy-group")).containsOnly("busy-b");
    // The alias named directly has no entry of its own: the default, weighted.
    assertThat(counts(route(4, "busy"))).containsEntry("busy-a", 2L).containsEntry("busy-b", 2L);
  }

  @Test
  void latencyBasedGoesToTheLowestLatencyMergedOverEveryWorker() {
    // w1 saw slow-a fast, but w2 made three times the calls and saw it slow: merged 400 ms.
    report("slow-a", "w1", NOW, 0, 100, 10);
    report("slow-a", "w2", NOW, 0, 500, 30);
    report("slow-b", "w1", NOW, 0, 300, 10);
    assertThat(route(6, "slow")).containsOnly("slow-b");
    report("slow-b", "w1", NOW, 0, 450, 10);
    assertThat(route(2, "slow")).containsOnly("slow-a");
  }

  @Test
  void latencyBasedGivesAnUnmeasuredDeploymentItsWeightedShareNextToTheFastest() {
    report("slow-a", "w1", NOW, 0, 900, 10);
    assertThat(counts(route(4, "slow")))
        .as("unmeasured ties with the fastest measured")
        .containsEntry("slow-a", 2L)
        .containsEntry("slow-b", 2L);
    report("slow-b", "w1", NOW, 0, 100, 10);
    assertThat(route(4, "slow")).containsOnly("slow-b");
    // slow-a's report ages out while slow-b's is renewed: slow-a ties with slow-b again and
    // catches up on the rotation.
    h.advance(Duration.ofMillis(4001));
    report("slow-b", "w1", h.clock.instant(), 0, 100, 10);
    assertThat(counts(route(8, "slow"))).containsEntry("slow-a", 6L).containsEntry("slow-b", 2L);
  }

  @Test
  void latencyBasedNeverPicksACoolingDeploymentHoweverFast() {
    report("slow-a", "w1", NOW, 0, 10, 10);
    report("slow-b", "w1", NOW, 0, 900, 10);
    h.health.pipeInput(
        "slow-a",
        new DeploymentHealth("slow-a", NOW.plusSeconds(60), "test", 3, 1.0, 10, NOW, "w2", 0, 3));
    assertThat(route(3, "slow")).containsOnly("slow-b");
    h.health.pipeInput(
        "slow-b",
        new DeploymentHealth("slow-b", NOW.plusSeconds(60), "test", 3, 1.0, 900, NOW, "w2", 0, 3));
    assertThat(route(1, "slow"))
        .as("the whole alias cools: its fallback")
        .containsExactly("backup");
  }

  @Test
  void usageBasedGoesToTheLowestShareOfBudgetUsed() {
    // Weighted would split 1:1; by share used, budget-big (rpm 1000) takes ten for one.
    assertThat(counts(route(22, "budget")))
        .containsEntry("budget-small", 2L)
        .containsEntry("budget-big", 20L);
  }

  @Test
  void usageBasedFillsEveryBudgetToItsEnd() {
    Map<String, Long> first = counts(route(1100, "budget"));
    assertThat(first.get("budget-small")).isEqualTo(100L);
    assertThat(first.get("budget-big")).isEqualTo(1000L);
  }

  @Test
  void theSameInputsGiveTheSamePicks() {
    List<List<String>> runs = new java.util.ArrayList<>();
    for (int run = 0; run < 2; run++) {
      try (Harness again = new Harness(YAML)) {
        again.health.pipeInput(
            "chat-a", new DeploymentHealth("chat-a", null, null, 0, 0, 100, NOW, "w", 4, 1));
        again.health.pipeInput(
            "chat-b", new DeploymentHealth("chat-b", null, null, 0, 0, 100, NOW, "w", 1, 1));
        for (int i = 0; i < 30; i++) {
          again.send(request("d" + i, i % 2 == 0 ? "chat" : "budget"));
        }
        runs.add(again.dispatch.readValuesToList().stream().map(Dispatch::deploymentId).toList());
      }
    }
    assertThat(runs.get(0)).hasSize(30).isEqualTo(runs.get(1));
  }
}
