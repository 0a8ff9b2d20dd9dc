package io.switchboard.router;

import static io.switchboard.router.Harness.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.router.metrics.RouterMeter;
import io.switchboard.router.selection.TokenEstimator;
import io.switchboard.schemas.DeploymentHealth;
import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.json.Json;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * rpm and tpm budgets: each task owns its share of every deployment's budget, and a request handed
 * out counts against it for 62 to 63 seconds.
 */
class BudgetRulesTest {
  // Two router tasks: the driver runs task 0, which owns half of every budget.
  static final String YAML =
      """
      model_list:
        - {model_name: chat, deployment_id: small, weight: 1, rpm: 4}
        - {model_name: chat, deployment_id: big, weight: 1}
        - {model_name: tight, deployment_id: tight-a, rpm: 2}
        - {model_name: tight, deployment_id: tight-b, rpm: 2}
        - {model_name: tok, deployment_id: tok-a, weight: 1, tpm: 1000}
        - {model_name: tok, deployment_id: tok-b, weight: 1}
        - {model_name: skew, deployment_id: skew-small, weight: 9, rpm: 2}
        - {model_name: skew, deployment_id: skew-big, weight: 1, rpm: 8}
        - {model_name: laned, deployment_id: laned-a, weight: 1, rpm: 8, lanes: 3}
        - {model_name: laned, deployment_id: laned-b, weight: 1}
        - {model_name: burst, deployment_id: burst-a, weight: 1, rpm: 120, rate_window_seconds: 10}
        - {model_name: burst, deployment_id: burst-b, weight: 1}
        - {model_name: classes, deployment_id: classes-a, weight: 1, rpm: 40, priority_reserve: {interactive: 0.25}}
        - {model_name: classes, deployment_id: classes-b, weight: 1}
        - {model_name: held, deployment_id: held-a, weight: 1, rpm: 40, priority_reserve: {batch: 0.5}}
        - {model_name: held, deployment_id: held-b, weight: 1}
      topics: {request_partitions: 2}
      """;

  final Harness h = new Harness(YAML);
  int next;

  @AfterEach
  void close() {
    h.close();
  }

  Map<String, Long> send(int n, String model) {
    return send(n, model, null);
  }

  Map<String, Long> send(int n, String model, String priority) {
    for (int i = 0; i < n; i++) {
      h.send(
          request(
              "r" + next++, model, priority == null ? null : "\"priority\":\"" + priority + "\""));
    }
    return h.dispatch.readValuesToList().stream()
        .collect(Collectors.groupingBy(Dispatch::deploymentId, Collectors.counting()));
  }

  @Test
  void deploymentOutOfItsTaskShareOfRpmYieldsToPeersUntilItsRequestsStopCounting() {
    // small: rpm 4 over 2 tasks = 2 per task.
    assertThat(send(10, "chat")).containsEntry("small", 2L).containsEntry("big", 8L);
    // A minute later, even in another minute of the clock, the two still count.
    h.advance(Duration.ofSeconds(61));
    assertThat(send(4, "chat")).doesNotContainKey("small").containsEntry("big", 4L);
    h.advance(Duration.ofSeconds(2));
    assertThat(send(4, "chat")).containsEntry("small", 2L).containsEntry("big", 2L);
  }

  @Test
  void aLimitLearnedByTheWorkersLowersTheBudgetAndTheConfiguredOneStaysTheCeiling() {
    // small: rpm 4 over 2 tasks = 2 per task; the workers learned the provider allows 2 (1 per
    // task), and a worker's later report of 100 leaves the configured 4.
    h.health.pipeInput(
        "small",
        new DeploymentHealth("small", null, null, 0, 0, 0, h.clock.instant(), "w1", 0, 10)
            .withLearned(2, null, h.clock.instant()));
    assertThat(send(10, "chat")).containsEntry("small", 1L).containsEntry("big", 9L);
    h.advance(Duration.ofSeconds(63));
    h.health.pipeInput(
        "small",
        new DeploymentHealth("small", null, null, 0, 0, 0, h.clock.instant(), "w2", 0, 10)
            .withLearned(100, null, h.clock.instant()));
    assertThat(send(10, "chat")).containsEntry("small", 2L).containsEntry("big", 8L);
  }

  @Test
  void aRateWindowSpreadsTheShareOverItsSecondsAndAUseCountsForAtLeastTheWindow() {
    // burst-a: rpm 120 over 2 tasks = 60 per task, so at most 10 in a 10 s window.
    assertThat(send(30, "burst")).containsEntry("burst-a", 10L).containsEntry("burst-b", 20L);
    // They count for 10.5 to 10.6 s: longer than the worker's 10.2 s window for them.
    h.advance(Duration.ofMillis(10_500));
    assertThat(send(10, "burst")).doesNotContainKey("burst-a");
    h.advance(Duration.ofMillis(100));
    assertThat(send(30, "burst")).containsEntry("burst-a", 10L);
  }

  @Test
  void aTaskNeverHandsOutMoreThanItsShareInAnyMinuteWhateverTheMomentOfTheRequests() {
    // Per-minute budgets let a task spend its share at the end of one minute and again at the
    // start of the next: 4 requests for small within 2 seconds. Here: at most 2 in any 62 s.
    h.advance(Duration.ofSeconds(59));
    assertThat(send(4, "chat")).containsEntry("small", 2L);
    h.advance(Duration.ofSeconds(2));
    assertThat(send(4, "chat")).doesNotContainKey("small");
  }

  @Test
  void whenNoCandidateHasBudgetRequestsQueueOnTheWeightedChoiceAndNoneIsDropped() {
    // tight-a and tight-b: 1 request per task and minute each; 10 requests all go out, split 5/5.
    assertThat(send(10, "tight")).containsEntry("tight-a", 5L).containsEntry("tight-b", 5L);
    assertThat(h.replies.isEmpty()).isTrue();
    // The first of each was within budget; the other eight are counted as routed over budget.
    assertThat(h.meters.find(RouterMeter.OVER_BUDGET.meterName()).counters())
        .extracting(c -> c.getId().getTag("deployment") + "=" + (long) c.count())
        .contains("tight-a=4", "tight-b=4", "small=0");
  }

  @Test
  void whenNoCandidateHasBudgetTheOverflowGoesWhereTheBudgetIsLeastOverdrawnNotByWeight() {
    // Shares: skew-small 1, skew-big 4. By weight (9:1) skew-small would queue nearly all of the
    // overflow, on a fifth of the capacity; by budget it takes about a fifth of all 25.
    Map<String, Long> split = send(25, "skew");
    assertThat(split.get("skew-small")).isBetween(4L, 6L);
    assertThat(split.get("skew-big")).isBetween(19L, 21L);
  }

  @Test
  void batchLeavesTheInteractiveReserveOfTheShareToInteractiveRequests() {
    // classes-a: rpm 40 over 2 tasks = 20 per task, 5 of them held for interactive.
    assertThat(send(40, "classes", "batch")).containsEntry("classes-a", 15L);
    // Batch filled what it may use, so interactive requests still find budget on classes-a.
    assertThat(send(14, "classes", "interactive")).containsEntry("classes-a", 5L);
    // Now the whole share is used: the next interactive ones go to the peer.
    assertThat(send(4, "classes", "interactive")).doesNotContainKey("classes-a");
  }

  @Test
  void aClassWithoutAReserveMayNotTakeAnotherClasssReserve() {
    // held-a: 20 per task, 10 held for batch; default and interactive requests get the other 10.
    assertThat(send(40, "held")).containsEntry("held-a", 10L);
    assertThat(send(40, "held", "interactive")).doesNotContainKey("held-a");
    assertThat(send(30, "held", "batch")).containsEntry("held-a", 10L);
  }

  @Test
  void theRouterHandsOutOnlyWhatTheLanesCanDeliver() {
    // rpm 8 over 3 lanes: each lane is paced at 2, so 6 in all; task 0 owns 3 of the 6 (it would
    // own 4 of 8, and one call would wait on its lane for a minute).
    assertThat(send(10, "laned")).containsEntry("laned-a", 3L).containsEntry("laned-b", 7L);
  }

  @Test
  void tpmShareCountsEstimatedTokens() {
    // Each request estimates ~7 prompt tokens + 256 default output = ~263; tok-a's share is 500.
    assertThat(send(4, "tok")).containsEntry("tok-a", 1L).containsEntry("tok-b", 3L);
  }

  @Test
  void dispatchCarriesTheTokenEstimateOfPromptAndMaxTokens() {
    String content = "The quick brown fox jumps over the lazy dog. ".repeat(20);
    String body =
        "{\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\""
            + content
            + "\"}],\"max_tokens\":100}";
    h.send("{\"id\":\"t1\",\"model\":\"big\",\"body\":" + body + "}");
    Dispatch d = h.dispatch.readValue();
    int expected = new TokenEstimator().estimate(Json.parse(body));
    assertThat(d.estimatedTokens()).isEqualTo(expected).isBetween(100 + 200, 100 + 260);

    h.send(
        "{\"id\":\"t2\",\"model\":\"big\",\"body\":{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
            + "\"max_tokens\":100,\"max_completion_tokens\":40}}");
    assertThat(h.dispatch.readValue().estimatedTokens()).isBetween(40, 60);
    h.send(request("t3", "big"));
    assertThat(h.dispatch.readValue().estimatedTokens())
        .isBetween(TokenEstimator.DEFAULT_MAX_OUTPUT, TokenEstimator.DEFAULT_MAX_OUTPUT + 20);
  }

  @Test
  void withoutTpmOrContextWindowNoEstimateIsMade() {
    Harness plain =
        new Harness(
            """
            model_list:
              - {model_name: chat, deployment_id: a, weight: 1, rpm: 100}
              - {model_name: chat, deployment_id: b, weight: 1}
            """);
    try {
      plain.send(request("p1", "chat"));
      assertThat(plain.dispatch.readValue().estimatedTokens()).isZero();
    } finally {
      plain.close();
    }
    Harness windowed =
        new Harness(
            """
            model_list:
              - {model_name: chat, deployment_id: a, weight: 1}
              - {model_name: other, deployment_id: b, context_window: 8000}
            """);
    try {
      windowed.send(request("w1", "chat"));
      assertThat(windowed.dispatch.readValue().estimatedTokens())
          .isGreaterThanOrEqualTo(TokenEstimator.DEFAULT_MAX_OUTPUT);
    } finally {
      windowed.close();
    }
  }
}
