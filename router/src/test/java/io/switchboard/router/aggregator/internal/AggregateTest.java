package io.switchboard.router.aggregator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.router.aggregator.internal.Contribution.Kind;
import io.switchboard.schemas.ErrorCode;
import io.switchboard.schemas.MetricsSummary;
import io.switchboard.schemas.MetricsSummary.Scope;
import io.switchboard.schemas.Outcome;
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
                null),
            new Contribution(Kind.DISPATCH, "c", 1, null, null, null, 0, 0, 0, 0, null, null),
            new Contribution(
                Kind.ATTEMPT, "a", 0, null, Outcome.SUCCESS, 200, 120, 10, 5, 0.25, null, null),
            new Contribution(
                Kind.ATTEMPT, "b", 0, null, Outcome.RETRY, 503, 40, 0, 0, 0, null, null),
            new Contribution(
                Kind.ATTEMPT, "b", 0, null, Outcome.FALLBACK, 429, 30, 0, 0, 0, null, null),
            new Contribution(
                Kind.ATTEMPT, "c", 0, null, Outcome.CONTEXT_WINDOW, null, 0, 0, 0, 0, null, null),
            new Contribution(
                Kind.REPLY, "a", 0, null, null, null, 0, 0, 0, 0, ReplyStatus.OK, null),
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
                ErrorCode.DEADLINE_EXCEEDED),
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
                ErrorCode.UNKNOWN_MODEL));
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
}
