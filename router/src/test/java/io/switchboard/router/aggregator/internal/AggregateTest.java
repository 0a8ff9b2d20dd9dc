package io.switchboard.router.aggregator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.router.aggregator.internal.Contribution.Kind;
import io.switchboard.schemas.AttemptEvent;
import io.switchboard.schemas.ErrorCode;
import io.switchboard.schemas.MetricsSummary;
import io.switchboard.schemas.MetricsSummary.Scope;
import io.switchboard.schemas.Outcome;
import io.switchboard.schemas.Priority;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.json.Json;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AggregateTest {
  /**
   * The stored form of {@link #sample()}. The aggregator's stores and their changelogs hold this
   * JSON, so a restarted aggregator must read what an earlier one wrote, and write the same fields.
   */
  static final String SAMPLE_JSON =
      """
      {"routed":2,"rerouted":1,"attempts":4,"successes":1,"errors":3,"retries":1,"fallbacks":2,\
      "outcomes":{"CONTEXT_WINDOW":1,"FALLBACK":1,"RETRY":1,"SUCCESS":1},"http_status":{"2xx":1,"4xx":1,\
      "5xx":1,"none":1},"replies":3,"expired":1,"reply_errors":{"deadline_exceeded":1,"unknown_model":1},\
      "histogram":"HISTFAAAACZ4nJNpmSzMwMDAwQABTFCaEUyavWuw/wCVsGQSZJrLyAQAcDEFFQ==","latency_sum_ms":190,\
      "tokens_in":10,"tokens_out":5,"cost_usd":0.25,"routed_by_deployment":{"a":1,"b":1},\
      "expected_mass":{"a":1.4,"b":0.6}}""";

  static final String SAMPLE_SUMMARY_JSON =
      """
      {"type":"summary","scope":"model","name":"chat","routed":2,"rerouted":1,"attempts":4,"successes":1,\
      "errors":3,"retries":1,"fallbacks":2,"outcomes":{"CONTEXT_WINDOW":1,"FALLBACK":1,"RETRY":1,\
      "SUCCESS":1},"http_status":{"2xx":1,"4xx":1,"5xx":1,"none":1},"replies":3,"expired":1,\
      "reply_errors":{"deadline_exceeded":1,"unknown_model":1},"latency":{"count":4,"p50_ms":30,\
      "p95_ms":120,"p99_ms":120,"max_ms":120,"mean_ms":47.5,\
      "histogram":"HISTFAAAACZ4nJNpmSzMwMDAwQABTFCaEUyavWuw/wCVsGQSZJrLyAQAcDEFFQ=="},"tokens_in":10,\
      "tokens_out":5,"cost_usd":0.25,"shares":[{"deployment_id":"a","expected":0.7,"actual":0.5,\
      "routed":1},{"deployment_id":"b","expected":0.3,"actual":0.5,"routed":1}],\
      "updated_at":"1970-01-01T00:00:00Z"}""";
  static final String EMPTY_JSON =
      """
      {"routed":0,"rerouted":0,"attempts":0,"successes":0,"errors":0,"retries":0,"fallbacks":0,\
      "outcomes":{},"http_status":{},"replies":0,"expired":0,"reply_errors":{},"latency_sum_ms":0,\
      "tokens_in":0,"tokens_out":0,"cost_usd":0.0,"routed_by_deployment":{},"expected_mass":{}}""";

  static Aggregate sample() {
    List<Contribution> contributions =
        List.of(
            new Contribution(
                Kind.DISPATCH,
                "a",
                0,
                Map.of("a", 0.7, "b", 0.3),
                null,
                null,
                0,
                0,
                0,
                0,
                null,
                null,
                null,
                null),
            new Contribution(
                Kind.DISPATCH,
                "b",
                0,
                Map.of("a", 0.7, "b", 0.3),
                null,
                null,
                0,
                0,
                0,
                0,
                null,
                null,
                null,
                null),
            new Contribution(
                Kind.DISPATCH, "c", 1, null, null, null, 0, 0, 0, 0, null, null, null, null),
            new Contribution(
                Kind.ATTEMPT,
                "a",
                0,
                null,
                Outcome.SUCCESS,
                200,
                120,
                10,
                5,
                0.25,
                null,
                null,
                null,
                null),
            new Contribution(
                Kind.ATTEMPT,
                "b",
                0,
                null,
                Outcome.RETRY,
                503,
                40,
                0,
                0,
                0,
                null,
                null,
                null,
                null),
            new Contribution(
                Kind.ATTEMPT,
                "b",
                0,
                null,
                Outcome.FALLBACK,
                429,
                30,
                0,
                0,
                0,
                null,
                null,
                null,
                null),
            new Contribution(
                Kind.ATTEMPT,
                "c",
                0,
                null,
                Outcome.CONTEXT_WINDOW,
                null,
                0,
                0,
                0,
                0,
                null,
                null,
                null,
                null),
            new Contribution(
                Kind.REPLY, "a", 0, null, null, null, 0, 0, 0, 0, ReplyStatus.OK, null, null, null),
            new Contribution(
                Kind.REPLY,
                null,
                0,
                null,
                null,
                null,
                0,
                0,
                0,
                0,
                ReplyStatus.EXPIRED,
                ErrorCode.DEADLINE_EXCEEDED,
                null,
                null),
            new Contribution(
                Kind.REPLY,
                null,
                0,
                null,
                null,
                null,
                0,
                0,
                0,
                0,
                ReplyStatus.ERROR,
                ErrorCode.UNKNOWN_MODEL,
                null,
                null));
    Aggregate aggregate = Aggregate.EMPTY;
    for (Contribution c : contributions) {
      aggregate = aggregate.plus(c);
    }
    return aggregate;
  }

  @Test
  void writesTheStoredForm() {
    assertThat(Json.parse(Json.toString(sample()))).isEqualTo(Json.parse(SAMPLE_JSON));
    assertThat(Json.parse(Json.toString(Aggregate.EMPTY))).isEqualTo(Json.parse(EMPTY_JSON));
  }

  @Test
  void readsTheStoredForm() {
    assertThat(Json.read(SAMPLE_JSON, Aggregate.class)).isEqualTo(sample());
    assertThat(Json.read(EMPTY_JSON, Aggregate.class)).isEqualTo(Aggregate.EMPTY);
  }

  @Test
  void summarizesEveryField() {
    MetricsSummary summary = sample().toSummary(Scope.MODEL, "chat", null, null, Instant.EPOCH);
    assertThat(Json.toString(summary)).isEqualTo(SAMPLE_SUMMARY_JSON);
  }

  static Contribution route(Priority p, int hop) {
    return new Contribution(
        Kind.DISPATCH, "a", hop, null, null, null, 0, 0, 0, 0, null, null, p, null);
  }

  static Contribution call(Priority p, Outcome outcome, int retry, long latencyMs, long waitMs) {
    return Contribution.of(
        new AttemptEvent(
            null,
            "r",
            "a",
            "chat",
            "m",
            "openai",
            outcome,
            200,
            latencyMs,
            null,
            null,
            null,
            retry,
            null,
            Instant.EPOCH,
            p,
            waitMs));
  }

  static Aggregate mixed() {
    List<Contribution> contributions =
        List.of(
            route(Priority.INTERACTIVE, 0),
            route(Priority.BATCH, 0),
            route(Priority.BATCH, 0),
            route(Priority.BATCH, 1),
            call(Priority.INTERACTIVE, Outcome.SUCCESS, 0, 40, 12),
            call(Priority.BATCH, Outcome.RETRY, 0, 30, 9_000),
            call(Priority.BATCH, Outcome.SUCCESS, 1, 50, 11_000),
            call(Priority.BATCH, Outcome.SUCCESS, 0, 70, 20_000),
            new Contribution(
                Kind.REPLY,
                "a",
                0,
                null,
                null,
                null,
                0,
                0,
                0,
                0,
                ReplyStatus.OK,
                null,
                null,
                null));
    Aggregate aggregate = Aggregate.EMPTY;
    for (Contribution c : contributions) {
      aggregate = aggregate.plus(c);
    }
    return aggregate;
  }

  @Test
  void routesCallsWaitsAndLatencyAddUpByClass() {
    MetricsSummary s = mixed().toSummary(Scope.DEPLOYMENT, "a", null, null, Instant.EPOCH);
    assertThat(s.classes()).containsOnlyKeys("interactive", "batch");
    MetricsSummary.ClassSummary interactive = s.of(Priority.INTERACTIVE);
    assertThat(interactive.routed()).isEqualTo(1);
    assertThat(interactive.attempts()).isEqualTo(1);
    assertThat(interactive.successes()).isEqualTo(1);
    assertThat(interactive.waits().count()).isEqualTo(1);
    assertThat(interactive.waits().maxMs()).isEqualTo(12);
    assertThat(interactive.latency().maxMs()).isEqualTo(40);
    MetricsSummary.ClassSummary batch = s.of(Priority.BATCH);
    assertThat(batch.routed()).as("first routes only").isEqualTo(2);
    assertThat(batch.attempts()).isEqualTo(3);
    assertThat(batch.successes()).isEqualTo(2);
    assertThat(batch.errors()).isEqualTo(1);
    assertThat(batch.waits().count()).as("a retry's wait is not a queue wait").isEqualTo(2);
    assertThat(batch.waits().meanMs()).isEqualTo(14_500);
    assertThat(batch.latency().count()).isEqualTo(3);
    assertThat(batch.latency().meanMs()).isEqualTo(50);
    assertThat(s.of(Priority.DEFAULT)).isEqualTo(MetricsSummary.ClassSummary.EMPTY);
    assertThat(s.routed()).isEqualTo(3);
    assertThat(s.attempts()).isEqualTo(4);
  }

  @Test
  void theClassesSurviveTheStoredForm() {
    Aggregate mixed = mixed();
    assertThat(Json.parse(Json.toString(mixed)).has("classes")).isTrue();
    assertThat(Json.read(Json.toString(mixed), Aggregate.class)).isEqualTo(mixed);
  }
}
