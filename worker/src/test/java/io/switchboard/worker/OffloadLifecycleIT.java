package io.switchboard.worker;

import static io.switchboard.worker.WorkerHarness.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.Outcome;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.json.Json;
import io.switchboard.testkit.mock.BatchBehavior;
import io.switchboard.worker.metrics.WorkerMeter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Requests of class batch sent to an offload deployment go to the mock's batch APIs as jobs of at
 * most {@code batch_max_requests}, and each gets exactly one reply at the batch price, naming its
 * job; failed, expired and erring lines take the real-time path; other classes are called in real
 * time.
 */
@Timeout(180)
class OffloadLifecycleIT extends BrokerAndMock {
  static final Function<String, String> ENV =
      name -> "BATCH_KEY".equals(name) ? "sk-batch-test-key-123" : null;

  static WorkerHarness harness(String prefix, String deployment, String api, String fields)
      throws InterruptedException {
    String base = mock.baseUrl(deployment) + (api.equals("azure") ? "" : "/v1");
    String provider = api.equals("openai") ? "openai" : api;
    String yaml =
        """
        model_list:
          - {model_name: %2$s, provider: %5$s, api_base: "%1$s", api_key: "${BATCH_KEY}", max_retries: 1,
             batch_api: %3$s, batch_max_wait_seconds: 1, batch_poll_interval_ms: 100,
             input_cost_per_million: 1.0, output_cost_per_million: 2.0%4$s}
        """
            .formatted(base, deployment, api, fields, provider);
    return new WorkerHarness(broker, prefix, yaml, WorkerTakeoverIT.FAST_SESSIONS);
  }

  static Dispatch batchDispatch(String id, String deployment) {
    ObjectNode envelope = Json.mapper().createObjectNode();
    envelope.put("id", id);
    envelope.put("model", deployment);
    envelope.put("priority", "batch");
    envelope.set("body", body("Say hi to " + id));
    return WorkerHarness.dispatch(id, deployment, Json.convert(envelope, RouteRequest.class));
  }

  static Map<String, List<RouteReply>> replies(TopicTap tap, WorkerHarness h) {
    Map<String, List<RouteReply>> byId = new HashMap<>();
    for (ConsumerRecord<String, byte[]> r : tap.all(h.topics.replies().name())) {
      byId.computeIfAbsent(r.key(), k -> new ArrayList<>())
          .add(Json.read(r.value(), RouteReply.class));
    }
    return byId;
  }

  static Map<String, List<RouteReply>> awaitReplies(TopicTap tap, WorkerHarness h, int n)
      throws InterruptedException {
    await().atMost(Duration.ofSeconds(90)).until(() -> replies(tap, h).size() >= n);
    Thread.sleep(1500); // room for a duplicate to show
    return replies(tap, h);
  }

  @Test
  void batchRequestsGoInJobsOfTheConfiguredSizeAndAreAnsweredOnceAtTheBatchPrice()
      throws Exception {
    String d = "offload-openai";
    mock.behaveBatches(d, BatchBehavior.completesAfter(Duration.ofMillis(500)));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (WorkerHarness h = harness("ol1", d, "openai", ", batch_max_requests: 50");
        TopicTap tap = new TopicTap(broker.bootstrapServers(), h.outputTopics());
        Worker worker = new Worker(h.config, Clock.systemUTC(), ENV, registry)) {
      worker.start();
      List<Dispatch> dispatches = new ArrayList<>();
      for (int i = 0; i < 120; i++) {
        dispatches.add(batchDispatch("b-" + i, d));
      }
      dispatches.add(WorkerHarness.dispatch("rt-1", d));
      h.sendAll(dispatches);

      Map<String, List<RouteReply>> replies = awaitReplies(tap, h, 121);
      assertThat(replies).hasSize(121);
      assertThat(replies.values()).allSatisfy(list -> assertThat(list).hasSize(1));
      RouteReply realTime = replies.get("rt-1").get(0);
      assertThat(realTime.batchJobId()).isNull();
      for (int i = 0; i < 120; i++) {
        RouteReply reply = replies.get("b-" + i).get(0);
        assertThat(reply.status()).isEqualTo(ReplyStatus.OK);
        assertThat(reply.batchJobId()).startsWith("batch_mock");
        assertThat(reply.response().path("choices").get(0).path("message").path("content").asText())
            .contains("b-" + i);
        var usage = reply.response().path("usage");
        double full =
            (usage.path("prompt_tokens").asInt() * 1.0
                    + usage.path("completion_tokens").asInt() * 2.0)
                / 1_000_000;
        assertThat(reply.costUsd())
            .isCloseTo(full * 0.5, org.assertj.core.data.Offset.offset(1e-12));
      }
      assertThat(mock.batchJobSizes(d)).containsExactly(50, 50, 20);
      assertThat(mock.calls(d)).hasSize(1); // only the request of the default class, in real time
      await().atMost(Duration.ofSeconds(10)).until(() -> worker.offloadJobs() == 0);
      Function<WorkerMeter, Double> count =
          m -> registry.get(m.meterName()).tag("deployment", d).counter().count();
      assertThat(count.apply(WorkerMeter.OFFLOAD_JOBS_SUBMITTED)).isEqualTo(3);
      assertThat(count.apply(WorkerMeter.OFFLOADED_REQUESTS)).isEqualTo(120);
      assertThat(count.apply(WorkerMeter.OFFLOAD_JOBS_COMPLETED)).isEqualTo(3);
      assertThat(count.apply(WorkerMeter.OFFLOAD_JOBS_FAILED)).isZero();
    }
  }

  @Test
  void failedExpiredAndErringLinesTakeTheRealTimePath() throws Exception {
    String failed = "offload-failed";
    String expired = "offload-expired";
    String erring = "offload-erring";
    mock.behaveBatches(failed, BatchBehavior.completesAfter(Duration.ofMillis(300)).failing());
    mock.behaveBatches(
        expired, BatchBehavior.completesAfter(Duration.ofMillis(300)).expiringWith(0.5));
    mock.behaveBatches(
        erring, BatchBehavior.completesAfter(Duration.ofMillis(300)).withLineErrorEvery(5, 500));
    String base = mock.baseUrl();
    String yaml =
        """
        model_list:
          - {model_name: %2$s, provider: openai, api_base: "%1$s/d/%2$s/v1", api_key: "${BATCH_KEY}", max_retries: 1,
             batch_api: openai, batch_max_wait_seconds: 1, batch_poll_interval_ms: 100}
          - {model_name: %3$s, provider: anthropic, api_base: "%1$s/d/%3$s/v1", api_key: "${BATCH_KEY}", max_retries: 1,
             batch_api: anthropic, batch_max_wait_seconds: 1, batch_poll_interval_ms: 100}
          - {model_name: %4$s, provider: azure, api_base: "%1$s/d/%4$s", model: gpt-4o-batch, api_key: "${BATCH_KEY}",
             max_retries: 1, batch_api: azure, batch_max_wait_seconds: 1, batch_poll_interval_ms: 100}
        """
            .formatted(base, failed, expired, erring);
    try (WorkerHarness h = new WorkerHarness(broker, "ol2", yaml, WorkerTakeoverIT.FAST_SESSIONS);
        TopicTap tap = new TopicTap(broker.bootstrapServers(), h.outputTopics());
        Worker worker = new Worker(h.config, Clock.systemUTC(), ENV)) {
      worker.start();
      List<Dispatch> dispatches = new ArrayList<>();
      for (String d : List.of(failed, expired, erring)) {
        for (int i = 0; i < 20; i++) {
          dispatches.add(batchDispatch(d + "-" + i, d));
        }
      }
      h.sendAll(dispatches);

      Map<String, List<RouteReply>> replies = awaitReplies(tap, h, 60);
      assertThat(replies).hasSize(60);
      assertThat(replies.values()).allSatisfy(list -> assertThat(list).hasSize(1));
      assertThat(replies.values().stream().map(l -> l.get(0).status()).distinct())
          .containsExactly(ReplyStatus.OK);
      Map<String, Long> batchAnswered =
          replies.values().stream()
              .map(l -> l.get(0))
              .filter(r -> r.batchJobId() != null)
              .collect(Collectors.groupingBy(RouteReply::deploymentId, Collectors.counting()));
      // a failed job answers nothing; half the expired job's requests ran; every 5th line erred
      assertThat(batchAnswered).doesNotContainKey(failed);
      assertThat(batchAnswered.get(expired)).isEqualTo(10L);
      assertThat(batchAnswered.get(erring)).isEqualTo(16L);
      assertThat(mock.calls(failed)).hasSize(20);
      assertThat(mock.calls(expired)).hasSize(10);
      assertThat(mock.calls(erring)).hasSize(4);
      RouteReply retried = replies.get(failed + "-0").get(0);
      assertThat(retried.attempts())
          .extracting(a -> a.outcome())
          .containsExactly(Outcome.RETRY, Outcome.SUCCESS);
      assertThat(mock.batchJobsCreated(failed)).isEqualTo(1);
    }
  }

  @Test
  void aBatchLineTheProviderRefusesIsAnErrorReplyWithoutARealTimeCall() throws Exception {
    String d = "offload-refused";
    mock.behaveBatches(
        d, BatchBehavior.completesAfter(Duration.ofMillis(200)).withLineErrorEvery(2, 400));
    try (WorkerHarness h = harness("ol3", d, "openai", "");
        TopicTap tap = new TopicTap(broker.bootstrapServers(), h.outputTopics());
        Worker worker = new Worker(h.config, Clock.systemUTC(), ENV)) {
      worker.start();
      List<Dispatch> dispatches = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        dispatches.add(batchDispatch("r-" + i, d));
      }
      h.sendAll(dispatches);
      Map<String, List<RouteReply>> replies = awaitReplies(tap, h, 10);
      assertThat(replies.values()).allSatisfy(list -> assertThat(list).hasSize(1));
      long errors =
          replies.values().stream().filter(l -> l.get(0).status() == ReplyStatus.ERROR).count();
      assertThat(errors).isEqualTo(5);
      assertThat(mock.calls(d)).isEmpty();
      RouteReply refused = replies.get("r-1").get(0);
      assertThat(refused.error().message()).contains("batch_mock");
    }
  }
}
