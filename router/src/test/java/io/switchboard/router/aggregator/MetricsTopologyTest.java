package io.switchboard.router.aggregator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.switchboard.router.aggregator.internal.LatencyHistograms;
import io.switchboard.router.selection.CandidateSet;
import io.switchboard.schemas.AttemptEvent;
import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.ErrorCode;
import io.switchboard.schemas.MetricsSummary;
import io.switchboard.schemas.MetricsSummary.Scope;
import io.switchboard.schemas.Outcome;
import io.switchboard.schemas.Priority;
import io.switchboard.schemas.ReplyError;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.WeightedModel;
import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.json.Json;
import io.switchboard.schemas.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.HdrHistogram.Histogram;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MetricsTopologyTest {
  static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
  static final SwitchboardConfig CONFIG =
      new ConfigLoader(k -> null)
          .parse(
              """
      model_list:
        - {model_name: chat, deployment_id: chat-a, weight: 70, input_cost_per_million: 1, output_cost_per_million: 2}
        - {model_name: chat, deployment_id: chat-b, weight: 30}
        - {model_name: solo}
      load_balance_groups:
        mixed:
          - {model: chat, weight: 3}
          - {model: solo, weight: 1}
        loose:
          - {model: chat}
          - {model: solo}
      reply_topics: [switchboard.replies, "team.*"]
      """,
              "test");

  Topics topics = new Topics(CONFIG.topics());
  TopologyTestDriver driver;
  TestInputTopic<String, AttemptEvent> attempts;
  TestInputTopic<String, Dispatch> dispatches;
  TestInputTopic<String, RouteReply> replies;
  TestInputTopic<String, RouteReply> teamReplies;
  TestOutputTopic<String, MetricsSummary> summaries;
  final Map<String, MetricsSummary> latest = new HashMap<>();

  @BeforeEach
  void start() {
    Properties props =
        MetricsAggregator.streamsProperties(
            CONFIG.withKafka(Map.of("bootstrap.servers", "unused:9092")));
    driver =
        new TopologyTestDriver(
            MetricsTopology.build(CONFIG, Clock.fixed(T0, ZoneOffset.UTC)), props);
    StringSerializer keys = new StringSerializer();
    attempts =
        driver.createInputTopic(
            topics.metrics().name(), keys, topics.metrics().valueSerde().serializer());
    dispatches =
        driver.createInputTopic(
            topics.dispatch().name(), keys, topics.dispatch().valueSerde().serializer());
    replies =
        driver.createInputTopic(
            topics.replies().name(), keys, topics.replies().valueSerde().serializer());
    teamReplies =
        driver.createInputTopic("team.a", keys, Topics.reply("team.a").valueSerde().serializer());
    summaries =
        driver.createOutputTopic(
            topics.summaries().name(),
            new StringDeserializer(),
            topics.summaries().valueSerde().deserializer());
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  /** The latest summary of a key; every summary read on the way must match its JSON Schema. */
  MetricsSummary summary(Scope scope, String name, Instant windowStart) {
    summaries
        .readKeyValuesToList()
        .forEach(
            kv -> {
              assertThat(
                      io.switchboard.schemas.json.Schemas.validate(
                          io.switchboard.schemas.json.SchemaName.METRICS_SUMMARY,
                          Json.mapper().valueToTree(kv.value)))
                  .as("schema violations of summary %s", kv.key)
                  .isEmpty();
              latest.put(kv.key, kv.value);
            });
    return latest.get(MetricsSummary.key(scope, name, windowStart));
  }

  static RouteRequest request(String id, String model, List<WeightedModel> inline) {
    return new RouteRequest(
        id,
        model,
        null,
        inline,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        Json.mapper().createObjectNode());
  }

  static Dispatch dispatch(String id, String modelName, String deployment, int hop, Instant at) {
    return dispatch(id, modelName, deployment, hop, at, Priority.DEFAULT);
  }

  static Dispatch dispatch(
      String id, String modelName, String deployment, int hop, Instant at, Priority priority) {
    return new Dispatch(
        request(id, modelName, null).withPriority(priority),
        deployment,
        modelName,
        hop,
        0,
        null,
        null,
        null,
        null,
        null,
        at,
        at);
  }

  static AttemptEvent attempt(
      String id,
      String modelName,
      String deployment,
      Outcome outcome,
      Integer status,
      long latencyMs,
      Instant at) {
    boolean ok = outcome == Outcome.SUCCESS;
    return new AttemptEvent(
        null,
        id,
        deployment,
        modelName,
        "m",
        "openai",
        outcome,
        status,
        latencyMs,
        ok ? 10 : null,
        ok ? 5 : null,
        ok ? 0.25 : null,
        0,
        ok ? null : "HTTP " + status,
        at);
  }

  static RouteReply okReply(
      String id, String deployment, List<AttemptEvent> attempts, Double cost, Instant at) {
    return new RouteReply(
        id,
        ReplyStatus.OK,
        Json.mapper().createObjectNode(),
        null,
        deployment,
        "chat",
        "m",
        "openai",
        attempts,
        10L,
        10L,
        cost,
        null,
        at);
  }

  @Test
  void totalsEqualTheEventsFedPerScope() {
    Instant at = T0.plusSeconds(5);
    int n = 100;
    for (int i = 0; i < n; i++) {
      String deployment = i % 10 < 7 ? "chat-a" : "chat-b";
      dispatches.pipeInput("r" + i, dispatch("r" + i, "chat", deployment, 0, at));
      if (i % 20 == 0) {
        attempts.pipeInput(
            deployment, attempt("r" + i, "chat", deployment, Outcome.RETRY, 503, 40, at));
      }
      if (i % 25 == 0) {
        attempts.pipeInput(
            deployment, attempt("r" + i, "chat", deployment, Outcome.FALLBACK, 429, 30, at));
        dispatches.pipeInput("r" + i, dispatch("r" + i, "chat", "solo", 1, at));
        attempts.pipeInput("solo", attempt("r" + i, "chat", "solo", Outcome.SUCCESS, 200, 50, at));
      } else {
        attempts.pipeInput(
            deployment, attempt("r" + i, "chat", deployment, Outcome.SUCCESS, 200, 20 + i, at));
      }
      replies.pipeInput("r" + i, okReply("r" + i, deployment, List.of(), null, at));
    }
    teamReplies.pipeInput(
        "late",
        RouteReply.rejected(
            "late",
            new ReplyError(ErrorCode.DEADLINE_EXCEEDED, "too late", "/deadline"),
            null,
            at));
    replies.pipeInput(
        "bad",
        RouteReply.rejected("bad", ReplyError.of(ErrorCode.UNKNOWN_MODEL, "nope"), null, at));

    MetricsSummary all = summary(Scope.ALL, MetricsSummary.ALL, null);
    int retries = 5;
    int fallbacks = 4;
    assertThat(all.routed()).isEqualTo(n);
    assertThat(all.rerouted()).isEqualTo(fallbacks);
    assertThat(all.attempts()).isEqualTo(n + retries + fallbacks);
    assertThat(all.successes()).isEqualTo(n);
    assertThat(all.errors()).isEqualTo(retries + fallbacks);
    assertThat(all.retries()).isEqualTo(retries);
    assertThat(all.fallbacks()).isEqualTo(fallbacks);
    assertThat(all.outcomes())
        .containsOnly(
            Map.entry("SUCCESS", (long) n),
            Map.entry("RETRY", (long) retries),
            Map.entry("FALLBACK", (long) fallbacks));
    assertThat(all.httpStatus())
        .containsOnly(
            Map.entry("2xx", (long) n),
            Map.entry("5xx", (long) retries),
            Map.entry("4xx", (long) fallbacks));
    assertThat(all.replies()).isEqualTo(n + 2);
    assertThat(all.expired()).isEqualTo(1);
    assertThat(all.replyErrors())
        .containsOnly(Map.entry("deadline_exceeded", 1L), Map.entry("unknown_model", 1L));
    assertThat(all.tokensIn()).isEqualTo(10L * n);
    assertThat(all.tokensOut()).isEqualTo(5L * n);
    assertThat(all.costUsd()).isCloseTo(0.25 * n, within(1e-9));
    assertThat(all.latency().count()).isEqualTo(all.attempts());
    assertThat(all.windowStart()).isNull();

    MetricsSummary a = summary(Scope.DEPLOYMENT, "chat-a", null);
    MetricsSummary b = summary(Scope.DEPLOYMENT, "chat-b", null);
    MetricsSummary solo = summary(Scope.DEPLOYMENT, "solo", null);
    assertThat(a.routed() + b.routed()).isEqualTo(n);
    assertThat(a.routed()).isEqualTo(70);
    assertThat(solo.routed()).isZero();
    assertThat(solo.rerouted()).isEqualTo(fallbacks);
    assertThat(a.attempts() + b.attempts() + solo.attempts()).isEqualTo(all.attempts());
    assertThat(a.replies() + b.replies()).isEqualTo(n);
    assertThat(a.shares()).isEmpty();

    MetricsSummary chat = summary(Scope.MODEL, "chat", null);
    assertThat(chat.routed()).isEqualTo(n);
    assertThat(chat.attempts()).isEqualTo(all.attempts());
    assertThat(chat.shares())
        .extracting(MetricsSummary.Share::deploymentId)
        .containsExactly("chat-a", "chat-b");
    assertThat(chat.shares().get(0).expected()).isCloseTo(0.7, within(1e-9));
    assertThat(chat.shares().get(0).actual()).isCloseTo(0.7, within(1e-9));
    assertThat(chat.shares().get(1).expected()).isCloseTo(0.3, within(1e-9));
    assertThat(chat.shares().get(1).routed()).isEqualTo(30);
  }

  @Test
  void anAttemptCarriedInItsReplyCountsAsTheAttemptEventWould() {
    Instant at = T0.plusSeconds(5);
    int n = 40;
    for (int i = 0; i < n; i++) {
      String deployment = i % 2 == 0 ? "chat-a" : "chat-b";
      AttemptEvent call = attempt("f" + i, "chat", deployment, Outcome.SUCCESS, 200, 20 + i, at);
      RouteReply reply = okReply("f" + i, deployment, List.of(call), 0.25, at);
      if (i % 4 < 2) {
        // A worker before the header: the event on the metrics topic, the reply unmarked.
        attempts.pipeInput(deployment, call);
        replies.pipeInput("f" + i, reply);
      } else {
        RecordHeaders headers = new RecordHeaders();
        headers.add(
            RouteReply.LAST_ATTEMPT_HEADER,
            RouteReply.ATTEMPT_IN_REPLY.getBytes(StandardCharsets.UTF_8));
        replies.pipeInput(new TestRecord<>("f" + i, reply, headers, at));
      }
    }
    RecordHeaders other = new RecordHeaders();
    other.add(RouteReply.LAST_ATTEMPT_HEADER, "something else".getBytes(StandardCharsets.UTF_8));
    replies.pipeInput(
        new TestRecord<>(
            "x",
            RouteReply.rejected("x", ReplyError.of(ErrorCode.UNKNOWN_MODEL, "nope"), null, at),
            other,
            at));

    MetricsSummary all = summary(Scope.ALL, MetricsSummary.ALL, null);
    assertThat(all.attempts()).as("each call once, wherever its event travelled").isEqualTo(n);
    assertThat(all.successes()).isEqualTo(n);
    assertThat(all.replies()).isEqualTo(n + 1);
    assertThat(all.tokensIn()).isEqualTo(10L * n);
    assertThat(all.costUsd()).isCloseTo(0.25 * n, within(1e-9));
    assertThat(all.latency().count()).isEqualTo(n);
    MetricsSummary window = summary(Scope.ALL, MetricsSummary.ALL, T0);
    assertThat(window.attempts()).as("in the window of the call's end").isEqualTo(n);
    assertThat(summary(Scope.DEPLOYMENT, "chat-a", null).attempts()).isEqualTo(n / 2);
    assertThat(summary(Scope.MODEL, "chat", null).attempts()).isEqualTo(n);
  }

  @Test
  void sharesOfGroupsAndInlineListsComeFromTheirWeights() {
    Instant at = T0.plusSeconds(1);
    String[] picks = {"chat-a", "chat-a", "solo", "chat-b"};
    for (int i = 0; i < picks.length; i++) {
      dispatches.pipeInput("g" + i, dispatch("g" + i, "mixed", picks[i], 0, at));
    }
    MetricsSummary group = summary(Scope.MODEL, "mixed", null);
    Map<String, MetricsSummary.Share> byId = new HashMap<>();
    group.shares().forEach(s -> byId.put(s.deploymentId(), s));
    assertThat(byId.get("chat-a").expected()).isCloseTo(0.75 * 0.7, within(1e-9));
    assertThat(byId.get("chat-b").expected()).isCloseTo(0.75 * 0.3, within(1e-9));
    assertThat(byId.get("solo").expected()).isCloseTo(0.25, within(1e-9));
    assertThat(byId.get("chat-a").actual()).isCloseTo(0.5, within(1e-9));
    assertThat(byId.get("solo").actual()).isCloseTo(0.25, within(1e-9));

    RouteRequest inline =
        request(
            "i1", null, List.of(new WeightedModel("chat-b", 1.0), new WeightedModel("solo", 3.0)));
    dispatches.pipeInput(
        "i1",
        new Dispatch(
            inline, "solo", CandidateSet.INLINE, 0, 0, null, null, null, null, null, at, at));
    MetricsSummary adHoc = summary(Scope.MODEL, CandidateSet.INLINE, null);
    assertThat(adHoc.shares())
        .extracting(
            MetricsSummary.Share::deploymentId,
            MetricsSummary.Share::expected,
            MetricsSummary.Share::actual)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("chat-b", 0.25, 0.0),
            org.assertj.core.groups.Tuple.tuple("solo", 0.75, 1.0));
  }

  @Test
  void aGroupMemberWithoutAWeightBringsItsDeploymentsOwnWeightsAsTheRouterDoes() {
    Instant at = T0.plusSeconds(1);
    dispatches.pipeInput("l0", dispatch("l0", "loose", "chat-a", 0, at));
    Map<String, Double> expected = new HashMap<>();
    summary(Scope.MODEL, "loose", null)
        .shares()
        .forEach(s -> expected.put(s.deploymentId(), s.expected()));
    assertThat(expected.get("chat-a")).isCloseTo(70.0 / 101, within(1e-9));
    assertThat(expected.get("chat-b")).isCloseTo(30.0 / 101, within(1e-9));
    assertThat(expected.get("solo")).isCloseTo(1.0 / 101, within(1e-9));
  }

  @Test
  void windowsSplitAtMinuteBoundaries() {
    Instant first = T0.plusSeconds(59).plusMillis(999);
    Instant second = T0.plusSeconds(60);
    dispatches.pipeInput("w1", dispatch("w1", "chat", "chat-a", 0, first));
    dispatches.pipeInput("w2", dispatch("w2", "chat", "chat-a", 0, first));
    dispatches.pipeInput("w3", dispatch("w3", "chat", "chat-b", 0, second));
    attempts.pipeInput(
        "chat-a", attempt("w1", "chat", "chat-a", Outcome.SUCCESS, 200, 10, second.plusSeconds(3)));

    MetricsSummary minute0 = summary(Scope.MODEL, "chat", T0);
    MetricsSummary minute1 = summary(Scope.MODEL, "chat", second);
    assertThat(minute0.windowEnd()).isEqualTo(second);
    assertThat(minute0.routed()).isEqualTo(2);
    assertThat(minute0.attempts()).isZero();
    assertThat(minute0.shares()).extracting(MetricsSummary.Share::actual).containsExactly(1.0, 0.0);
    assertThat(minute1.routed()).isEqualTo(1);
    assertThat(minute1.attempts()).isEqualTo(1);
    assertThat(minute1.windowEnd()).isEqualTo(second.plusSeconds(60));
    assertThat(summary(Scope.MODEL, "chat", null).routed()).isEqualTo(3);
    assertThat(summary(Scope.DEPLOYMENT, "chat-b", T0)).isNull();
  }

  @Test
  void percentilesAreWithinTheHistogramPrecision() {
    Random random = new Random(42);
    long[] latencies = new long[2000];
    for (int i = 0; i < latencies.length; i++) {
      latencies[i] = 5 + (long) Math.abs(random.nextGaussian() * 300) + (i % 100 == 0 ? 20_000 : 0);
      attempts.pipeInput(
          "chat-a", attempt("p" + i, "chat", "chat-a", Outcome.SUCCESS, 200, latencies[i], T0));
    }
    long[] sorted = latencies.clone();
    Arrays.sort(sorted);
    MetricsSummary.Latency latency = summary(Scope.DEPLOYMENT, "chat-a", null).latency();
    assertThat(latency.count()).isEqualTo(latencies.length);
    assertWithinPrecision(latency.p50Ms(), exact(sorted, 50));
    assertWithinPrecision(latency.p95Ms(), exact(sorted, 95));
    assertWithinPrecision(latency.p99Ms(), exact(sorted, 99));
    assertWithinPrecision(latency.maxMs(), sorted[sorted.length - 1]);
    assertThat(latency.meanMs())
        .isCloseTo(Arrays.stream(latencies).average().orElseThrow(), within(1e-6));

    Histogram merged = LatencyHistograms.decode(latency.histogram());
    assertThat(merged.getTotalCount()).isEqualTo(latencies.length);
  }

  @Test
  void unreadableRecordsAreSkippedAndCountingGoesOn() {
    TestInputTopic<String, byte[]> raw =
        driver.createInputTopic(
            topics.metrics().name(), new StringSerializer(), new ByteArraySerializer());
    raw.pipeInput("chat-a", "{not json".getBytes(StandardCharsets.UTF_8));
    attempts.pipeInput("chat-a", attempt("ok", "chat", "chat-a", Outcome.SUCCESS, 200, 10, T0));
    assertThat(summary(Scope.DEPLOYMENT, "chat-a", null).attempts()).isEqualTo(1);
  }

  /** The nearest-rank percentile. */
  static long exact(long[] sorted, double percentile) {
    int rank = (int) Math.ceil(percentile / 100 * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }

  static void assertWithinPrecision(long reported, long exact) {
    assertThat((double) reported)
        .as("reported vs exact %d", exact)
        .isCloseTo(exact, within(exact * Math.pow(10, -LatencyHistograms.SIGNIFICANT_DIGITS) + 1));
  }

  @Test
  void mixedClassesAreSummarizedClassByClass() {
    Instant routed = T0.plusSeconds(5);
    for (int i = 0; i < 10; i++) {
      Priority p = i < 3 ? Priority.INTERACTIVE : Priority.BATCH;
      dispatches.pipeInput("r" + i, dispatch("r" + i, "chat", "chat-a", 0, routed, p));
      long waitMs = p == Priority.INTERACTIVE ? 100 : 20_000;
      attempts.pipeInput(
          "chat-a",
          new AttemptEvent(
              null,
              "r" + i,
              "chat-a",
              "chat",
              "m",
              "openai",
              Outcome.SUCCESS,
              200,
              50,
              10,
              5,
              0.25,
              0,
              null,
              routed.plusMillis(waitMs + 50),
              p,
              waitMs));
    }
    for (Instant window : Arrays.asList(null, T0)) {
      for (MetricsSummary s :
          List.of(
              summary(Scope.ALL, MetricsSummary.ALL, window),
              summary(Scope.MODEL, "chat", window),
              summary(Scope.DEPLOYMENT, "chat-a", window))) {
        assertThat(s.classes()).as(s.key()).containsOnlyKeys("interactive", "batch");
        assertThat(s.of(Priority.INTERACTIVE).routed()).as(s.key()).isEqualTo(3);
        assertThat(s.of(Priority.INTERACTIVE).attempts()).isEqualTo(3);
        assertThat(s.of(Priority.INTERACTIVE).waits().maxMs()).isEqualTo(100);
        assertThat(s.of(Priority.BATCH).routed()).isEqualTo(7);
        assertThat(s.of(Priority.BATCH).successes()).isEqualTo(7);
        assertWithinPrecision(s.of(Priority.BATCH).waits().p50Ms(), 20_000);
        assertThat(s.of(Priority.BATCH).latency().count()).isEqualTo(7);
      }
    }
  }
}
